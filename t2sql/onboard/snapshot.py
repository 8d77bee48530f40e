"""A DuckDB copy of any connected database, so onboarding profiles every engine with one dialect.

Only the data is copied (row-capped, read through the app's read-only connection); keys and
foreign keys stay in the source catalog, which onboarding keeps using for everything it writes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from t2sql.db.catalog import Catalog
from t2sql.db.engine import Database

TYPE_MAP = (  # first fragment found in the source type name wins
    (("bool",), "BOOLEAN"),
    (("timestamp", "datetime"), "TIMESTAMP"),
    (("date",), "DATE"),
    (("int", "serial"), "BIGINT"),
    (("numeric", "decimal", "money"), "DECIMAL(18,4)"),
    (("real", "double", "float"), "DOUBLE"),
)


def duck_type(type_name: str) -> str:
    low = type_name.lower()
    for fragments, duck in TYPE_MAP:
        if any(f in low for f in fragments):
            return duck
    return "VARCHAR"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def snapshot(database: Database, catalog: Catalog, path: Path, max_rows: int = 50_000) -> Path:
    """Write ``path`` (a DuckDB file) with the first ``max_rows`` rows of every table, typed."""
    import pandas as pd  # pandas: kept off the start-up path of `sql`

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.duckdb")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        for table in catalog.tables.values():
            cols = ", ".join(f"{_q(c.name)} {duck_type(c.type)}" for c in table.columns)
            con.execute(f"CREATE TABLE {_q(table.name)} ({cols})")
            select = f"SELECT {', '.join(_q(c.name) for c in table.columns)} FROM {_q(table.name)}"
            result = database.run(select, max_rows, max(30.0, database.timeout_s), max_result_mb=500)
            if not result.rows:
                continue
            frame = pd.DataFrame(
                [tuple(str(v) if v is not None else None for v in r) for r in result.rows],
                columns=[f"c{i}" for i in range(len(table.columns))],
                dtype=object,
            )
            con.register("src", frame)
            casts = ", ".join(f"TRY_CAST(c{i} AS {duck_type(c.type)})" for i, c in enumerate(table.columns))
            con.execute(f"INSERT INTO {_q(table.name)} SELECT {casts} FROM src")
            con.unregister("src")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tmp.replace(path)
    return path
