"""The command line (`python -m t2sql`, `t2sql`): a click group, one module per kind of command."""

from t2sql.cli.root import cli, main

__all__ = ["cli", "main"]
