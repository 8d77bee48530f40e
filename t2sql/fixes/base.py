"""What the fixes share: the ``Fix`` they return, the nodes that belong to one SELECT, the catalog tables a
SELECT reads and the column a reference means."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from t2sql.db.catalog import Catalog, Column, Table

# (table, value, the table's text columns) -> (the column holding the value, the value as stored), or None
Find = Callable[[str, str, list[str]], tuple[str, str] | None]


@dataclass(frozen=True)
class Fix:
    kind: str  # "joins", "values" or "grouping"
    sql: str
    note: str  # what was changed, in Korean, for the user


def own_nodes(node: exp.Expr, select: exp.Expr, *kinds: type[exp.Expr], windows: bool = True) -> list:
    """The nodes of ``kinds`` in ``node`` that belong to ``select`` itself, not to a query nested in it (nor,
    with ``windows=False``, to a window function: ``COUNT(*) OVER ()`` aggregates no rows of the query)."""
    stops = (exp.Select,) if windows else (exp.Select, exp.Window)
    return [n for n in node.find_all(*kinds) if n.find_ancestor(*stops) is select]


def table_named(catalog: Catalog, name: str) -> Table | None:
    """The catalog table of that name in any case (SQL names are case-insensitive; the catalog keeps one)."""
    return next((t for n, t in catalog.tables.items() if n.lower() == name.lower()), None)


def table_sources(scope: Scope, catalog: Catalog) -> dict[str, str] | None:
    """The SELECT's aliases (lowercased) -> catalog tables (lowercased); None when it also reads a derived
    table, a CTE or an unknown table, whose columns are not the catalog's."""
    known = {name.lower() for name in catalog.tables}
    sources = {}
    for alias, source in scope.sources.items():
        if not isinstance(source, exp.Table) or source.name.lower() not in known:
            return None
        sources[alias.lower()] = source.name.lower()
    return sources


def column_owner(column: exp.Column, sources: dict[str, str], catalog: Catalog) -> tuple[str, Table, Column] | None:
    """The alias, catalog table and column a reference means (unqualified: the one table of the SELECT
    that has it)."""
    name, alias = column.name.lower(), column.table.lower()
    if alias and alias not in sources:
        return None  # an enclosing query's table
    aliases = [alias] if alias else list(sources)
    found = [
        (a, t, c)
        for a in aliases
        if (t := table_named(catalog, sources[a]))
        for c in t.columns
        if c.name.lower() == name
    ]
    return found[0] if len(found) == 1 else None
