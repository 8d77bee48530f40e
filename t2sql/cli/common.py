"""What every command shares: one place that turns errors into exit codes, and options that take
several values after one flag (``--only shop game``), which click's own options do not."""

from __future__ import annotations

import functools

import click

from t2sql.errors import GuardRefusal, T2SQLError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 120}


class ManyValues(click.Option):
    """An option that takes every value up to the next option, as argparse's ``nargs="+"`` did;
    the values arrive as a tuple (empty when the flag is absent or has no values)."""

    def __init__(self, *decls, **kwargs):
        super().__init__(*decls, multiple=True, **kwargs)


class Command(click.Command):
    """A command whose help line in the listing is its whole help text (click would cut Korean text
    short), and whose ``ManyValues`` options take several values."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.short_help = self.short_help or self.help

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        flags = {opt for p in self.params if isinstance(p, ManyValues) for opt in p.opts}
        return super().parse_args(ctx, spread_values(args, flags) if flags else args)


class Group(click.Group):
    """A group whose commands are ``Command``s, listed with their whole help text."""

    command_class = Command
    group_class = type

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.short_help = self.short_help or self.help


class Root(Group):
    """The top-level group: a command's return value is its exit code (None = 0); a guard refusal
    exits 2 ("거부됨: …" on stderr), any other ``T2SQLError`` 1 ("오류: …"), Ctrl-C 130."""

    def invoke(self, ctx: click.Context):
        try:
            code = super().invoke(ctx)
        except GuardRefusal as exc:
            click.echo(f"거부됨: {exc}", err=True)
            code = 2
        except T2SQLError as exc:
            click.echo(f"오류: {exc}", err=True)
            code = 1
        except KeyboardInterrupt:
            code = 130
        ctx.exit(code or 0)


def spread_values(args: list[str], flags: set[str]) -> list[str]:
    """``--only shop game`` → ``--only shop --only game``: every value after one of ``flags`` up to
    the next option; a flag with no values is dropped (the same as leaving it out)."""
    out: list[str] = []
    flag = None
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        if arg.startswith("-") and len(arg) > 1:
            flag = arg if arg in flags else None
            if flag is None:
                out.append(arg)
        elif flag:
            out += [flag, arg]
        else:
            out.append(arg)
    return out


def say(message: str) -> None:
    """Progress and messages for people: stderr, so stdout stays the command's result."""
    click.echo(message, err=True)


command = functools.partial(click.command, cls=Command)
group = functools.partial(click.group, cls=Group)
