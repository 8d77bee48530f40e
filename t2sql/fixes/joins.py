"""Join completion: a column the model used from a table it forgot to join.

A small model often writes the columns a question needs but only the first table's ``FROM``
(``SELECT Email FROM Invoice`` where ``Email`` lives in the customer table, or a date filter on
the customer table that belongs to its orders). The database then refuses the whole query with
"no such column". When every table the ``SELECT`` reads is a real catalog table, a column none
of them (nor an enclosing query) has, but a table a few foreign keys away does, is read from that
table: the joins along the shortest foreign-key path are added and the ``SELECT``'s bare columns
are qualified so the new tables cannot make them ambiguous. The list of an ``IN`` subquery is
read from the subquery's own tables even where an enclosing table has a column of that name
(``customer_id IN (SELECT customer_id FROM tracks …)`` runs, comparing each customer with itself).
A join that fans out (one row to many) keeps what the query counted: ``COUNT(*)`` counts the
first table's distinct keys, and a plain list of the first tables' columns becomes ``DISTINCT``.

Pure functions over the sqlglot tree; a query it cannot read, or with nothing to complete, is
left to the database (None).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import Scope, traverse_scope

from t2sql.db.catalog import Catalog, Table
from t2sql.fixes.base import Fix, own_nodes, table_sources
from t2sql.sqltext import parse

MAX_HOPS = 3  # farther than this a column is more likely a wrong guess than a forgotten join


@dataclass(frozen=True)
class Hop:
    """One foreign key walked from ``source`` to ``target``; ``fans_out`` when ``target`` holds the key
    (one ``source`` row meets many ``target`` rows)."""

    source: str
    source_columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]
    fans_out: bool


def _graph(catalog: Catalog) -> dict[str, list[Hop]]:
    graph: dict[str, list[Hop]] = {name.lower(): [] for name in catalog.tables}
    for name, table in catalog.tables.items():
        for fk in table.foreign_keys:
            ref = fk.ref_table.lower()
            if ref not in graph:
                continue
            here, there = tuple(fk.columns), tuple(fk.ref_columns)
            graph[name.lower()].append(Hop(name.lower(), here, ref, there, fans_out=False))
            graph[ref].append(Hop(ref, there, name.lower(), here, fans_out=True))
    return graph


def _path(graph: dict[str, list[Hop]], starts: list[str], owners: set[str]) -> list[Hop] | None:
    """The shortest foreign-key path from any of ``starts`` to any owner (breadth first, catalog order)."""
    previous: dict[str, Hop | None] = {s: None for s in starts}
    queue = deque((s, 0) for s in starts)
    while queue:
        node, depth = queue.popleft()
        if node in owners:
            path = []
            while (hop := previous[node]) is not None:
                path.append(hop)
                node = hop.source
            return path[::-1]
        if depth == MAX_HOPS:
            continue
        for hop in graph.get(node, []):
            if hop.target not in previous:
                previous[hop.target] = hop
                queue.append((hop.target, depth + 1))
    return None


def _own_columns(select: exp.Select) -> list[exp.Column]:
    """Column references of this SELECT itself, not of the queries nested in it."""
    return [c for c in own_nodes(select, select, exp.Column) if not isinstance(c.this, exp.Star)]


def _outer_tables(scope: Scope, known: dict[str, set[str]]) -> set[str]:
    tables: set[str] = set()
    parent = scope.parent
    while parent is not None:
        tables |= {
            s.name.lower() for s in parent.sources.values() if isinstance(s, exp.Table) and s.name.lower() in known
        }
        parent = parent.parent
    return tables


class _Unreachable(Exception):
    """A column no table within reach holds: completing the joins cannot make the query run."""


def _complete_scope(
    scope: Scope,
    catalog: Catalog,
    known: dict[str, set[str]],
    graph: dict[str, list[Hop]],
    joined: list[str],
    asked: list[str],
) -> bool:
    """Add the joins one SELECT needs (in place); ``joined``/``asked`` collect the tables and columns."""
    select = scope.expression
    if not isinstance(select, exp.Select) or not scope.sources:
        return False
    found = table_sources(scope, catalog)
    if found is None:
        return False
    sources = found  # alias (lowercased) -> catalog table (lowercased); grows with the joins
    by_lower = {name.lower(): table for name, table in catalog.tables.items()}
    spelled = {alias.lower(): alias for alias in scope.sources}  # alias (lowercased) -> as written
    original = list(sources)
    outer = _outer_tables(scope, known)
    outputs = {s.alias.lower() for s in select.selects if isinstance(s, exp.Alias)}  # ORDER BY total
    columns = _own_columns(select)
    projected = {id(c) for s in select.selects for c in s.find_all(exp.Column)}

    def bare(column: exp.Column) -> bool:
        """Unqualified and not a select-list alias (``ORDER BY total``; in the select list it is a column)."""
        return not column.table and (id(column) in projected or column.name.lower() not in outputs)

    # ``x IN (SELECT y FROM t)`` lists y from t: an enclosing query's y there would make it always true
    listed = isinstance(select.parent, exp.Subquery) and isinstance(select.parent.parent, exp.In)

    def reachable(column: exp.Column) -> set[str]:
        return set(sources.values()) if listed and id(column) in projected else {*sources.values(), *outer}

    missing = [c for c in columns if bare(c) and not any(c.name.lower() in known[t] for t in reachable(c))]
    if not missing:
        return False

    plan: list[Hop] = []  # planned first, so a query is changed only when every missing column is found
    for column in missing:
        name = column.name.lower()
        present = [*sources.values(), *(h.target for h in plan)]
        if any(name in known[t] for t in present):
            continue
        path = _path(graph, present, {t for t in known if name in known[t]})
        if path is None:
            raise _Unreachable(column.name)
        plan += path
        asked.append(column.name)

    for hop in plan:
        source_alias = spelled[next(a for a, t in sources.items() if t == hop.source)]
        alias = name = by_lower[hop.target].name
        n = 2
        while alias.lower() in sources:
            alias, n = f"{name}_{n}", n + 1
        on = exp.and_(
            *(
                exp.column(there, table=alias).eq(exp.column(here, table=source_alias))
                for here, there in zip(hop.source_columns, hop.target_columns)
            )
        )
        select.join(exp.table_(name, alias=alias if alias != name else None), on=on, copy=False)
        sources[alias.lower()], spelled[alias.lower()] = hop.target, alias
        joined.append(name)

    for column in columns:  # qualify every bare column so the new tables cannot make it ambiguous
        name = column.name.lower()
        owner = next((a for a, t in sources.items() if name in known[t]), None)
        if bare(column) and owner is not None:
            column.set("table", exp.to_identifier(spelled[owner]))
    if any(hop.fans_out for hop in plan):
        first = by_lower[sources[original[0]]]
        _keep_counting_first(select, [spelled[a] for a in original], first)
    return True


def _keep_counting_first(select: exp.Select, original: list[str], first: Table) -> None:
    """After a join that fans out, count and list what the query counted and listed before it
    (``original``: the aliases it read; ``first``: its table, when it read one)."""
    keys = [c.name for c in first.columns if c.primary_key] if len(original) == 1 else []
    own = own_nodes(select, select, exp.AggFunc)
    for count in own:
        if len(keys) == 1 and isinstance(count, exp.Count) and isinstance(count.this, exp.Star):
            count.replace(exp.Count(this=exp.Distinct(expressions=[exp.column(keys[0], table=original[0])])))
    order = select.args.get("order")
    shown = [*select.selects, *([order] if order else [])]  # DISTINCT needs the ORDER BY columns listed too
    read = {c.table.lower() for s in shown for c in s.find_all(exp.Column)}
    plain = not own and not select.args.get("group") and not select.args.get("distinct")
    if plain and read <= {a.lower() for a in original}:
        select.set("distinct", exp.Distinct())


def complete_joins(sql: str, catalog: Catalog) -> Fix | None:
    """``sql`` with the joins its columns need, or None when nothing is missing (or it does not parse)."""
    tree = parse(sql, catalog.dialect)
    if tree is None:
        return None
    known = {name.lower(): {c.name.lower() for c in t.columns} for name, t in catalog.tables.items()}
    graph = _graph(catalog)
    joined: list[str] = []
    asked: list[str] = []
    try:
        changed = False
        for scope in traverse_scope(tree):
            changed |= _complete_scope(scope, catalog, known, graph, joined, asked)
        if not changed:
            return None
        fixed = tree.sql(dialect=catalog.dialect)
    except (_Unreachable, SqlglotError, ValueError, RecursionError):
        return None
    columns, tables = ", ".join(dict.fromkeys(asked)), ", ".join(joined)
    note = f"모델이 조인하지 않은 테이블의 열({columns})을 읽고 있어 {tables} 테이블을 외래 키로 조인했습니다."
    return Fix("joins", fixed, note)
