"""A session's query history: newest first, one entry per (database, SQL)."""

from __future__ import annotations


def remember(history: list[dict], entry: dict, size: int) -> list[dict]:
    """``entry`` first, an earlier run of the same SQL on the same database dropped, at most ``size``."""
    return [entry, *[h for h in history if (h["db"], h["sql"]) != (entry["db"], entry["sql"])]][:size]
