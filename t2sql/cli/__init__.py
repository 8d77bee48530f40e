"""The command line (`python -m t2sql`, `t2sql`)."""

from t2sql.cli.commands import main

__all__ = ["main"]
