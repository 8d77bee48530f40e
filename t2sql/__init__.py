"""t2sql: Korean questions to read-only SQL over your own databases, fully local."""

__version__ = "0.1.0"
