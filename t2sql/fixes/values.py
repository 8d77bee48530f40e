"""Values compared where they are not stored: ``WHERE genre_id = 'Jazz'``, ``WHERE title = 'Sting'``.

A small model puts a value the question names into the comparison of a nearby column: a name into
a key (the database answers nothing, or refuses the comparison in PostgreSQL and DuckDB), a value
into the wrong text column of the table, or of the table next to the one that holds it. Such a
filter matches no row, so the answer is empty or wrong. For each text value compared (``=`` or
``IN``) with a column that does not hold it, the values are looked up (read-only, any case) in
the nearest text column that holds them all:

1. the same table's other text columns (for a key: when it is the table's own primary key);
2. the table a foreign key points to (for a key: only the table that key points to), compared
   through the key: ``genre_id IN (SELECT genre_id FROM genres WHERE name = 'Jazz')``;
3. a table whose foreign key points here: ``artist_id IN (SELECT artist_id FROM albums WHERE …)``.

A value the column holds in another case gets the stored spelling. Numbers and dates written as
text are left alone, and sensitive columns are never searched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import traverse_scope

from t2sql.db.catalog import Catalog, Column, Table, is_text
from t2sql.errors import T2SQLError
from t2sql.fixes.base import Find, Fix, column_owner, own_nodes, table_named, table_sources
from t2sql.guard.grounding import DATE_LIKE, NUMERIC
from t2sql.sqltext import parse


@dataclass(frozen=True)
class Place:
    """Where to look for the values: ``table``'s text columns, reached from the compared column's table
    through ``outer`` = ``inner`` (``inner`` in ``table``); no ``inner``: the same table."""

    table: Table
    outer: str = ""
    inner: str = ""


def _compared(node: exp.Expr) -> tuple[exp.Column, list[exp.Literal]] | None:
    """The column and the text literals of ``col = 'x'`` (either side) or ``col IN ('x', 'y')``."""
    if isinstance(node, exp.EQ):
        for column, literal in ((node.this, node.expression), (node.expression, node.this)):
            if isinstance(column, exp.Column) and isinstance(literal, exp.Literal) and literal.is_string:
                return column, [literal]
    elif isinstance(node, exp.In) and isinstance(node.this, exp.Column) and not node.args.get("query"):
        literals = node.expressions
        if literals and all(isinstance(v, exp.Literal) and v.is_string for v in literals):
            return node.this, literals
    return None


def _is_text(column: Column) -> bool:
    return is_text(column.type)


def _names(values: list[str]) -> bool:
    """Values that name something: not blank, not a number or a date written as text (a key may take those),
    as value grounding tells them apart."""
    return all(v.strip() and not NUMERIC.fullmatch(v) and not DATE_LIKE.fullmatch(v) for v in values)


def _text_columns(table: Table, but: str = "") -> list[str]:
    return [c.name for c in table.columns if _is_text(c) and not c.sensitive and c.name != but]


def _places(table: Table, column: Column, catalog: Catalog) -> list[Place]:
    """Where the values may be, nearest first."""
    single = [fk for fk in table.foreign_keys if len(fk.columns) == 1]
    if not _is_text(column):  # a key: only where it leads
        ref = next((fk for fk in single if fk.columns[0].lower() == column.name.lower()), None)
        if ref is not None:
            target = table_named(catalog, ref.ref_table)
            return [Place(target, column.name, ref.ref_columns[0])] if target else []
        own_key = column.primary_key and sum(c.primary_key for c in table.columns) == 1
        return [Place(table)] if own_key else []
    places = [Place(table)]
    for fk in single:  # the tables this one points to
        if (target := table_named(catalog, fk.ref_table)) is not None and target is not table:
            places.append(Place(target, fk.columns[0], fk.ref_columns[0]))
    for other in catalog.tables.values():  # the tables pointing here
        for fk in other.foreign_keys:
            if other is not table and len(fk.columns) == 1 and fk.ref_table.lower() == table.name.lower():
                places.append(Place(other, fk.ref_columns[0], fk.columns[0]))
    return places


def _locate(values: list[str], place: Place, but: str, find: Find) -> tuple[str, list[str]] | None:
    """The one text column of ``place`` holding every value, with the values as stored."""
    hits = [hit for value in values if (hit := find(place.table.name, value, _text_columns(place.table, but)))]
    if len(hits) != len(values) or len({column for column, _ in hits}) != 1:
        return None
    return hits[0][0], [stored for _, stored in hits]


def _matches(column: exp.Column, values: list[str]) -> exp.Expr:
    literals = [exp.Literal.string(v) for v in values]
    return column.eq(literals[0]) if len(literals) == 1 else exp.In(this=column, expressions=literals)


def _rewrite(
    node: exp.Expr,
    values: list[str],
    owner: tuple[Table, Column],
    qualifier: str | None,
    catalog: Catalog,
    find: Find,
) -> str | None:
    """Replace ``node`` (in place) by a comparison with the column that holds ``values``: a note, or None.
    ``qualifier``: the alias new column references need (None where the SELECT reads one table)."""
    table, compared = owner
    shown = ", ".join(f"'{v}'" for v in values)
    if _is_text(compared):
        held = [hit for value in values if (hit := find(table.name, value, [compared.name]))]
        if len(held) == len(values):  # the column holds them: at most the spelling differs
            stored = [s for _, s in held]
            if stored == values:
                return None
            node.replace(_matches(exp.column(compared.name, table=qualifier), stored))
            spelled = ", ".join(f"'{v}'" for v in stored)
            return f"값 {shown}을(를) 저장된 표기 {spelled}(으)로 고쳤습니다"
    for place in _places(table, compared, catalog):
        located = _locate(values, place, compared.name if place.table is table else "", find)
        if located is None:
            continue
        holder, stored = located
        if not place.inner:  # the same table: compare the column that holds them
            node.replace(_matches(exp.column(holder, table=qualifier), stored))
        else:
            lookup = exp.select(exp.column(place.inner)).from_(exp.table_(place.table.name))
            outer = exp.column(place.outer, table=qualifier)
            node.replace(
                exp.In(this=outer, query=exp.Subquery(this=lookup.where(_matches(exp.column(holder), stored))))
            )
        return f"{compared.name} 열에 없는 값 {shown}을(를) {place.table.name}.{holder}에서 찾도록 고쳤습니다"
    return None


def lookup_sql(table: str, columns: list[str], value: str, dialect: str) -> str:
    """One query per table: a row holding ``value`` (any case) in one of ``columns``, the earliest column first."""
    same = [exp.func("LOWER", exp.column(c)).eq(exp.func("LOWER", exp.Literal.string(value))) for c in columns]
    first = exp.Case(ifs=[exp.If(this=s, true=exp.Literal.number(i)) for i, s in enumerate(same)])
    query = exp.select(*(exp.column(c) for c in columns)).from_(exp.table_(table)).where(exp.or_(*same))
    return query.order_by(first).limit(1).sql(dialect=dialect)


def finder(run: Callable[[str], list[tuple]], dialect: str) -> Find:
    """The ``Find`` the fixes use, over ``run`` (a read query -> its rows; the pipeline's query workers)."""

    def find(table: str, value: str, columns: list[str]) -> tuple[str, str] | None:
        if not columns:
            return None
        try:
            rows = run(lookup_sql(table, columns, value, dialect))
        except T2SQLError:  # a lookup that fails finds nothing: the SQL stays as the model wrote it
            return None
        for column, cell in zip(columns, rows[0] if rows else ()):
            if isinstance(cell, str) and cell.lower() == value.lower():
                return column, cell
        return None

    return find


def values_where_stored(sql: str, catalog: Catalog, find: Find) -> Fix | None:
    """``sql`` with values compared where they are stored, or None when every compared value is in place."""
    tree = parse(sql, catalog.dialect)
    if tree is None:
        return None
    notes = []
    try:
        for scope in traverse_scope(tree):
            select = scope.expression
            sources = table_sources(scope, catalog) if isinstance(select, exp.Select) else None
            if not sources:
                continue
            spelled = {alias.lower(): alias for alias in scope.sources}
            for node in own_nodes(select, select, exp.EQ, exp.In):
                found = _compared(node)
                if found is None or not _names([v.this for v in found[1]]):
                    continue
                owner = column_owner(found[0], sources, catalog)
                if owner is None or not (_is_text(owner[2]) or "int" in owner[2].type.lower()):
                    continue
                alias, table, compared = owner
                qualifier = found[0].table or (spelled[alias] if len(sources) > 1 else None)
                values = [v.this for v in found[1]]
                if note := _rewrite(node, values, (table, compared), qualifier, catalog, find):
                    notes.append(note)
        if not notes:
            return None
        fixed = tree.sql(dialect=catalog.dialect)
    except (SqlglotError, ValueError, RecursionError):
        return None
    return Fix("values", fixed, "모델이 쓴 SQL에서 " + "; ".join(notes) + ".")
