"""The ``python -m t2sql`` / ``t2sql`` command group, and ``main`` for callers that want the exit code."""

from __future__ import annotations

from t2sql.cli import knowledge, lab, onboarding, querying
from t2sql.cli.common import CONTEXT, Root

cli = Root(
    help="한국어 질문을 읽기 전용 SQL로 바꿔 실행합니다.",
    context_settings=CONTEXT,
    commands=[*querying.COMMANDS, *onboarding.COMMANDS, *knowledge.COMMANDS, *lab.COMMANDS],
)


def main(argv: list[str] | None = None) -> int:
    """Run one command (``argv`` defaults to the process's arguments) and return its exit code."""
    try:
        cli.main(argv)  # standalone: always ends in SystemExit
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    return 0
