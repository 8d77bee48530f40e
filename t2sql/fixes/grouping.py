"""Grouping: a select list that mixes aggregates with plain columns but has no ``GROUP BY``.

``SELECT country, COUNT(*) FROM customers`` is an error in PostgreSQL and DuckDB ("must appear in the
GROUP BY clause"); SQLite runs it and returns one row with an arbitrary country next to the total, a
plausible wrong answer. The select list already says what the SQL means, one row per country, so the
plain columns become the ``GROUP BY`` (what the standard requires, and what every engine runs the same).

Each ``SELECT`` of the statement is read on its own: an aggregate inside a window (``COUNT(*) OVER ()``)
or inside a subquery does not count for it, a constant or an uncorrelated subquery needs no grouping,
and a ``*`` in the select list leaves it alone. So does a lone ``MIN`` or ``MAX``: SQLite documents that
the plain columns then come from the row holding the extreme (``SELECT name, MAX(price)``: the dearest
item's name), an answer grouping would turn into a list (other engines refuse it, and self-correction
looks for another SQL). A pure function over the sqlglot tree; None when there is
nothing to group.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import SqlglotError

from t2sql.db.catalog import Catalog
from t2sql.fixes.base import Fix, own_nodes
from t2sql.sqltext import parse


def group_plain_columns(sql: str, catalog: Catalog) -> Fix | None:
    """``sql`` with a ``GROUP BY`` of the plain columns of every select list that aggregates without one."""
    tree = parse(sql, catalog.dialect)
    if tree is None:
        return None
    grouped: list[str] = []
    try:
        for select in list(tree.find_all(exp.Select)):
            items = select.expressions
            if select.args.get("group") or any(i.is_star for i in items):
                continue
            aggregates = [own_nodes(i, select, exp.AggFunc, windows=False) for i in items]
            found = [a for each in aggregates for a in each]
            if not found or (len(found) == 1 and isinstance(found[0], (exp.Min, exp.Max))):
                continue
            plain = [i.unalias() for i, a in zip(items, aggregates) if not a and own_nodes(i, select, exp.Column)]
            if not plain:
                continue
            select.group_by(*[p.copy() for p in plain], copy=False)
            grouped += [p.sql(dialect=catalog.dialect) for p in plain]
        if not grouped:
            return None
        fixed = tree.sql(dialect=catalog.dialect)
    except (SqlglotError, ValueError, RecursionError):
        return None
    return Fix(
        "grouping",
        fixed,
        f"모델이 쓴 SQL에 GROUP BY {', '.join(grouped)}을(를) 추가했습니다 "
        "(집계와 함께 고른 열을 묶지 않으면 임의의 한 행만 나옵니다).",
    )
