"""Arithmetic over what is no measure: a sum or average of a key or text, or text in a calculation.

``SUM(invoice_id)``, ``AVG(state)`` or ``first_name + total`` runs (SQLite reads text as 0) and returns a
plausible number, but no business question asks for the sum of an identifier; the model meant a measure
it did not find. Which measure it meant cannot be guessed, so this is no fix: the pipeline treats such
SQL like SQL that failed and lets self-correction look for an alternative.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import traverse_scope

from t2sql.db.catalog import Catalog, Column, Table, is_text
from t2sql.fixes.base import column_owner, table_sources
from t2sql.sqltext import parse

AGGREGATES = (exp.Sum, exp.Avg)  # a key or text in them is no measure
ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div)  # text in them is no number (keys may be offset)


def _no_measure(table: Table, column: Column, keys_too: bool) -> bool:
    """The column is text (or, with ``keys_too``, a primary or foreign key of its table)."""
    keys = {c.lower() for fk in table.foreign_keys for c in fk.columns}
    return is_text(column.type) or (keys_too and (column.primary_key or column.name.lower() in keys))


def misused_measures(sql: str, catalog: Catalog) -> list[str]:
    """The columns the SQL sums or averages that are keys or text, or calculates with that are text, in
    reading order."""
    tree = parse(sql, catalog.dialect)
    if tree is None:
        return []
    found: list[str] = []
    try:
        scopes = traverse_scope(tree)
    except SqlglotError:
        return []
    for scope in scopes:
        sources = table_sources(scope, catalog)
        if not sources:
            continue
        for column in scope.columns:
            if not isinstance(column.parent, AGGREGATES + ARITHMETIC):
                continue
            owner = column_owner(column, sources, catalog)
            keys_too = isinstance(column.parent, AGGREGATES)
            if owner and _no_measure(owner[1], owner[2], keys_too) and column.name not in found:
                found.append(column.name)
    return found
