"""Fixes of generated SQL that need no model: mistakes a small model makes over and over, mended
from the catalog (and, for values, a read-only look at the database) before the SQL runs.

* ``joins``: a column read from a table the query did not join gets the joins along foreign keys;
* ``values``: a value compared with a column that does not hold it (a name with its key, ``genre_id =
  'Jazz'``, or the wrong text column) is looked up in the nearest column that does.
* ``grouping``: a select list that mixes aggregates with plain columns and has no ``GROUP BY`` (an error
  in PostgreSQL and DuckDB, one arbitrary row in SQLite) is grouped by those columns.

Each returns a ``Fix`` (the new SQL and a Korean note for the user) or None; ``apply_fixes`` applies
them in that order. The pipeline runs them on every draft when ``Settings.fix_sql`` is on.

One mistake has no fix: ``measures`` finds sums and averages of keys or text (the model meant a measure
it did not find, and which one cannot be guessed); the pipeline lets self-correction look for another SQL.
"""

from __future__ import annotations

import logging

from t2sql.db.catalog import Catalog
from t2sql.fixes.base import Find, Fix
from t2sql.fixes.grouping import group_plain_columns
from t2sql.fixes.joins import complete_joins
from t2sql.fixes.measures import misused_measures
from t2sql.fixes.values import finder, lookup_sql, values_where_stored

__all__ = [
    "Find",
    "Fix",
    "apply_fixes",
    "complete_joins",
    "finder",
    "group_plain_columns",
    "lookup_sql",
    "misused_measures",
    "values_where_stored",
]

log = logging.getLogger(__name__)


def apply_fixes(sql: str, catalog: Catalog, find: Find) -> tuple[str, list[Fix]]:
    """``sql`` after every fix that applies, and the fixes made. A fix is an extra: one that breaks on SQL
    nobody foresaw is logged and skipped, so the answer is never lost to it."""
    fixes = []
    for name, attempt in (
        ("joins", lambda s: complete_joins(s, catalog)),
        ("values", lambda s: values_where_stored(s, catalog, find)),
        ("grouping", lambda s: group_plain_columns(s, catalog)),
    ):
        try:
            fixed = attempt(sql)
        except Exception:  # noqa: BLE001 - see the docstring; the SQL goes on as it was
            log.exception("SQL fix %s failed on: %s", name, sql)
            continue
        if fixed is not None:
            fixes.append(fixed)
            sql = fixed.sql
    return sql, fixes
