"""A practice pair is kept only when its SQL is portable: the same non-empty rows on DuckDB and on an
in-memory SQLite copy of the same data, so the model learns SQL that runs on the databases users connect."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections import Counter
from decimal import Decimal

from t2sql.db.results import hollow


def _affinity(duck_type: str) -> str:
    """The SQLite column affinity that keeps a DuckDB column's values comparable."""
    if "INT" in duck_type or duck_type == "BOOLEAN":
        return "INTEGER"
    if any(k in duck_type for k in ("DOUBLE", "DECIMAL", "FLOAT", "REAL")):
        return "REAL"
    return "TEXT"


def sqlite_copy(duck_con) -> sqlite3.Connection:
    """An in-memory SQLite database with the same tables and rows (dates as ISO text, booleans as 0/1)."""
    mem = sqlite3.connect(":memory:")
    tables = [
        r[0]
        for r in duck_con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT internal ORDER BY table_name"
        ).fetchall()
    ]
    for t in tables:
        cols = duck_con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [t]
        ).fetchall()
        pk = [
            r[0]
            for r in duck_con.execute(
                "SELECT unnest(constraint_column_names) FROM duckdb_constraints() WHERE table_name = ? "
                "AND constraint_type = 'PRIMARY KEY'",
                [t],
            ).fetchall()
        ]
        defs = [f'"{c}" {_affinity(ty)}' for c, ty in cols] + ([f"PRIMARY KEY ({', '.join(pk)})"] if pk else [])
        mem.execute(f'CREATE TABLE "{t}" ({", ".join(defs)})')
        rows = duck_con.execute(f'SELECT * FROM "{t}"').fetchall()
        mem.executemany(
            f'INSERT INTO "{t}" VALUES ({", ".join("?" * len(cols))})', [tuple(map(_to_sqlite, r)) for r in rows]
        )
    mem.commit()
    return mem


def _to_sqlite(v):
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, bool):
        return int(v)
    return v


# _norm and _close are not t2sql.db.results.results_match on purpose: both results come from the same SQL,
# so columns are compared by position (results_match sorts the values of a row), and a number may differ by
# up to 0.01 because the engines round an exact half of ROUND(x, 2) differently (results_match rounds both
# sides half-up and wants them equal, which would reject pairs that are right on both engines).
def _norm(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float, Decimal)):
        f = round(float(v), 2)
        return 0.0 if f == 0 else f
    if isinstance(v, (dt.date, dt.datetime)):
        return _to_sqlite(v)
    return str(v)


def _close(a: list[tuple], b: list[tuple]) -> bool:
    """Equal up to 0.01 per number: ROUND(x, 2) of an exact half may go either way on the two engines."""
    key = lambda r: tuple("" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v) for v in r)  # noqa: E731
    if len(a) != len(b):
        return False
    for ra, rb in zip(sorted(a, key=key), sorted(b, key=key)):
        if len(ra) != len(rb):
            return False
        for x, y in zip(ra, rb):
            if isinstance(x, float) and isinstance(y, float):
                if abs(x - y) > 0.0101:
                    return False
            elif x != y:
                return False
    return True


def run_sqlite(mem: sqlite3.Connection, sql: str, timeout_s: float = 5.0) -> list[tuple]:
    deadline = time.monotonic() + timeout_s
    mem.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 20_000)
    try:
        return mem.execute(sql).fetchall()
    finally:
        mem.set_progress_handler(None, 0)


def verify(sql: str, duck_con, mem: sqlite3.Connection, max_rows: int = 1000) -> tuple[bool, str]:
    """Same non-empty result on DuckDB and SQLite (multisets, floats to 2 decimals)?"""
    try:
        a = duck_con.execute(sql).fetchall()
    except Exception as exc:
        return False, f"duckdb: {str(exc).splitlines()[0][:120]}"
    try:
        b = run_sqlite(mem, sql)
    except Exception as exc:
        return False, f"sqlite: {exc}"
    if hollow(a):
        return False, "empty, null or zero"
    if len(a) > max_rows:
        return False, "too many rows"
    na = Counter(tuple(map(_norm, r)) for r in a)
    nb = Counter(tuple(map(_norm, r)) for r in b)
    if na != nb and not _close(list(na.elements()), list(nb.elements())):
        return False, "mismatch"
    return True, ""
