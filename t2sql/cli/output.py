"""Results on stdout: CSV and JSON for programs (their bytes are a contract), a table for people."""

from __future__ import annotations

import csv
import json
import numbers
import sys
from collections.abc import Sequence

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

WIDE = 1_000_000  # piped output: never wrap a row to a pretend terminal width


def print_result(columns: list[str], rows: list[tuple], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps([dict(zip(columns, r)) for r in rows], ensure_ascii=False, default=str))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        print_table(columns, rows)


def print_table(columns: Sequence[str], rows: Sequence[Sequence], err: bool = False) -> None:
    """A psql-style table: ASCII rules stay aligned in terminals that draw box characters wide (common
    with Korean fonts); rich measures the wide Hangul cells. Values are shown as text, never as markup."""
    console = Console(stderr=err, highlight=False)
    if not console.is_terminal:
        console.width = WIDE
    table = Table(box=box.ASCII, show_edge=False)
    for i, name in enumerate(columns):
        values = [r[i] for r in rows if r[i] is not None]
        numeric = bool(values) and all(_is_number(v) for v in values)
        table.add_column(Text(str(name)), justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(Text("NULL", style="dim") if v is None else Text(str(v)) for v in row))
    console.print(table)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)
