"""Sensitive columns: find which output columns of a query carry personal data, then mask or refuse.

Columns flagged ``sensitive`` in the catalog (``schemas/<db>.yaml``) must never leave the
database raw. ``analyse`` traces every output column of the final statement back to the table
columns it is computed from (column-level lineage over the sqlglot tree) and reports the output
positions that a sensitive column reaches; ``enforce`` applies the database's policy:

* ``mask``  - the query runs and ``mask_rows`` replaces the values at those positions with hints
  (``ab***@example.com``, ``010-****-5678``, ``김***``, ``***``).
* ``block`` - the query is refused with a Korean ``GuardRefusal`` naming the column(s).

How lineage is decided:

* The statement is qualified with ``sqlglot.optimizer.qualify`` against the database schema, so
  ``*`` / ``t.*`` / ``* EXCLUDE`` / ``* REPLACE`` / ``USING`` / ``NATURAL`` are expanded in the
  order the database returns them, and every column names the source it comes from.
* An output column is sensitive when its expression references a sensitive column anywhere:
  plain, aliased, inside any function, operator, ``CASE``, ``COALESCE``, concatenation, cast,
  aggregate (``MIN``/``MAX``/``STRING_AGG``/``ARRAY_AGG``/``LIST``/``ANY_VALUE``/``FIRST`` ...) or a
  window function's argument. References go through derived tables, CTEs (chains and recursive
  ones, computed to a fixed point), scalar and correlated subqueries in the SELECT list, and set
  operations (an output position is sensitive when any branch's is; ``UNION BY NAME`` by name).
* Only the expression that produces a value counts. Use in ``WHERE``, ``JOIN ... ON``/``USING``,
  ``GROUP BY``, ``HAVING``, ``QUALIFY``, ``ORDER BY``, ``DISTINCT ON``, a window's ``PARTITION BY`` /
  ``ORDER BY`` and an aggregate's ``FILTER (WHERE ...)`` is allowed: filtering and grouping on
  a sensitive column is how questions like "how many customers use gmail?" are answered, and
  the values themselves never leave. (Such a filter can still confirm a guessed value, e.g.
  ``WHERE email = 'x@y.z'``; that is accepted by design.)
* With ``allow_counts`` (default) ``COUNT(col)``, ``COUNT(DISTINCT col)``, ``COUNT_IF`` and
  ``APPROX_COUNT_DISTINCT`` reveal no values and are not sensitive; without it they are.
* Names are compared case-insensitively; joins only taint the column of the sensitive table
  (``products.name`` is not ``customers.name``).

Fail closed: when the statement references a table that has sensitive columns and the
analysis cannot finish (parse error, a column sqlglot cannot resolve such as DuckDB's row-as-
struct ``SELECT c FROM customers c``, ``COLUMNS(...)``, ``PIVOT``, a star that cannot be
expanded, a table missing from the schema), every output column is treated as sensitive
(``Exposure.all_columns``) and ``block`` refuses the query. ``Exposure.positions(width)`` also
masks everything when the number of output columns the database returned differs from the
number the analysis saw, so a lineage mistake about ``*`` can never shift the mask off a column.

Limitations (chosen, documented):

* A view is only as sensitive as its own catalog flags: a view over ``customers.email`` must
  flag its own column (the catalog does this for names matching ``sensitive_patterns``).
* Identifiers are folded to lower case; a table whose column names differ only by case
  (possible in PostgreSQL with quoted names) cannot be analysed and fails closed.
* Tables are matched by name without their schema (``main.customers`` = ``customers``), which
  can only over-mask.
* ``EXISTS``/``IN (subquery)`` in the SELECT list are treated like any expression (conservative).

Use (on the guard's normalised SQL)::

    exposure = analyse(approved.sql, dialect, catalog_schema(catalog), sensitive_columns(catalog), allow_counts)
    enforce(exposure, policy)                      # "block" raises GuardRefusal here
    result = db.run(approved.sql, ...)
    rows = mask_rows(result.rows, exposure.positions(len(result.columns)))

The module imports only the standard library, sqlglot and ``errors``: pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify

from t2sql.errors import GuardRefusal, T2SQLError
from t2sql.guard.statement import IMPLICIT_RECURSION_DIALECTS

POLICIES = ("mask", "block")
MASK = "***"

# Aggregates that only count rows or distinct values: with allow_counts they reveal nothing.
COUNT_CLASSES: tuple[type, ...] = tuple(
    cls for cls in (getattr(exp, n, None) for n in ("Count", "CountIf", "ApproxDistinct")) if isinstance(cls, type)
)
# Constructs whose output columns cannot be traced (or which reshape rows into unknown columns).
UNTRACEABLE_CLASSES: tuple[type, ...] = tuple(
    cls
    for cls in (
        getattr(exp, n, None)
        for n in (
            "Columns",
            "Pivot",
            "MatchRecognize",
            "Parameter",
            "Placeholder",
            "PositionalColumn",
            "StarMap",
            "UnpivotColumns",
            "TableFromRows",
        )
    )
    if isinstance(cls, type)
)
MAX_RECURSION_ROUNDS = 64  # a recursive CTE's taint grows monotonically: it settles long before this
MIN_FALLBACK_WIDTH = 256  # when a failed analysis cannot count the outputs, mask at least this many
MAX_NAMED_SOURCES = 5

MSG_BLOCK = "개인정보 열({})은 조회 결과로 내보낼 수 없습니다. 개수 세기(COUNT)나 다른 열을 사용하세요."
MSG_BLOCK_NO_COUNTS = "개인정보 열({})은 조회 결과로 내보낼 수 없습니다. 다른 열을 사용하거나 조건(WHERE)에만 쓰세요."
MSG_BLOCK_UNRESOLVED = (
    "개인정보 열({})이 있는 테이블을 읽는 SQL에서 어떤 열이 결과로 나가는지 확인하지 못해 실행할 수 없습니다. "
    "SELECT 목록에 필요한 열 이름을 직접 적어 주세요."
)
MSG_UNKNOWN_POLICY = (
    "개인정보 정책 '{}'을(를) 알 수 없습니다. T2SQL_SENSITIVE_POLICY 또는 데이터베이스 yaml의 "
    "sensitive_policy를 {} 중 하나로 설정하세요."
)

Taint = frozenset  # of (table, column) pairs
_CLEAN: Taint = frozenset()

_EMAIL = re.compile(r"^([A-Za-z0-9._%+\-]+)@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)$")  # a plausible address only
_PHONE = re.compile(r"^\+?[\d\s().\-]+$")


@dataclass(frozen=True)
class Exposure:
    """Which output columns of one statement carry sensitive values.

    ``columns``: output positions (0-based) whose values must be masked.
    ``sources``: the sensitive ``(table, column)`` pairs that reach the output (messages, audit).
    ``width``: number of output columns the analysis saw; None when it did not analyse.
    ``all_columns``: the analysis failed on a sensitive table: treat every column as sensitive.
    ``counts_allowed``: the ``allow_counts`` the analysis used (picks the refusal's advice).
    ``note``: why the analysis failed, for logs and audit ("" when it did not).
    """

    columns: tuple[int, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()
    width: int | None = None
    all_columns: bool = False
    counts_allowed: bool = True
    note: str = ""

    @property
    def sensitive(self) -> bool:
        """True when anything must be masked or refused."""
        return bool(self.columns) or self.all_columns

    def positions(self, width: int) -> tuple[int, ...]:
        """Positions to mask in a result of ``width`` columns; all of them if the analysis failed
        or saw a different number of output columns than the database returned."""
        if self.all_columns or (self.width is not None and self.width != width):
            return tuple(range(width))
        return tuple(p for p in self.columns if p < width)


class _Unresolved(Exception):
    """The lineage of some output column cannot be established."""


@dataclass
class _Source:
    """A FROM item as seen by column references: names -> taint (a name may repeat)."""

    columns: list[tuple[str, Taint]]
    wildcard: Taint | None = None  # any column name resolves to this (UNNEST, VALUES)

    def lookup(self, name: str) -> Taint:
        if name == "*":
            return _union([t for _, t in self.columns] + [self.wildcard or _CLEAN])
        hits = [t for n, t in self.columns if n == name]
        if hits:
            return _union(hits)
        if self.wildcard is not None:
            return self.wildcard
        raise _Unresolved(f"column {name!r} not found")


Relation = list[tuple[str, Taint]]  # output columns of a query, in order
Scope = dict[str, _Source]  # alias -> source, for one SELECT


# --- Public API --------------------------------------------------------------------------------


def sensitive_columns(catalog) -> dict[str, set[str]]:
    """``{table: {column, ...}}`` (lower case) of the catalog's columns flagged ``sensitive``."""
    out: dict[str, set[str]] = {}
    for table in catalog.tables.values():
        cols = {c.name.lower() for c in table.columns if c.sensitive}
        if cols:
            out.setdefault(table.name.lower(), set()).update(cols)
    return out


def catalog_schema(catalog) -> dict[str, dict[str, str]]:
    """``{table: {column: type}}`` of the catalog, columns in table-definition order (for ``analyse``)."""
    return {t.name: {c.name: c.type for c in t.columns} for t in catalog.tables.values()}


def analyse(
    sql: str,
    dialect: str,
    schema: Mapping[str, Mapping[str, str]],
    sensitive: Mapping[str, Iterable[str]],
    allow_counts: bool = True,
) -> Exposure:
    """Trace the output columns of ``sql`` to sensitive table columns; fails closed, never raises."""
    marked = {str(t).lower(): {str(c).lower() for c in cols} for t, cols in sensitive.items()}
    marked = {t: cols for t, cols in marked.items() if cols}
    if not marked:
        return Exposure(counts_allowed=allow_counts)
    try:
        root = _parse(sql, dialect)
    except Exception as err:  # noqa: BLE001 - any failure means "cannot prove it safe"
        return _fail_closed(None, marked, None, allow_counts, f"parse: {err}")
    referenced = {t.name.lower() for t in root.find_all(exp.Table)} & set(marked)
    if not referenced:
        return Exposure(counts_allowed=allow_counts)
    lowered = _lower_schema(schema)
    implicit = dialect in IMPLICIT_RECURSION_DIALECTS
    try:
        prepared = _lower_identifiers(root.copy())
        if implicit:
            _mark_implicit_recursion(prepared)
        qualified = qualify(
            prepared,
            dialect=dialect,
            schema=cast("dict[str, object]", lowered),  # qualify only reads it (its dict[str, object] is invariant)
            expand_stars=True,
            expand_alias_refs=True,
            validate_qualify_columns=True,
            quote_identifiers=False,
            identify=False,
        )
        relation = _Lineage(lowered, marked, allow_counts, implicit).query(qualified, [], {})
    except Exception as err:  # noqa: BLE001 - fail closed on anything (RecursionError included)
        return _fail_closed(root, marked, lowered, allow_counts, f"{type(err).__name__}: {err}", referenced)
    columns = tuple(i for i, (_, taint) in enumerate(relation) if taint)
    sources = tuple(sorted(_union([t for _, t in relation])))
    return Exposure(columns, sources, len(relation), False, allow_counts)


class UnknownPolicy(T2SQLError, ValueError):
    """A policy name that is neither ``mask`` nor ``block`` (a configuration error, explained in Korean)."""


def enforce(exposure: Exposure, policy: str) -> None:
    """Apply ``policy``: ``block`` refuses an exposing query (Korean GuardRefusal), ``mask`` passes."""
    chosen = (policy or "").strip().lower()
    if chosen not in POLICIES:
        raise UnknownPolicy(MSG_UNKNOWN_POLICY.format(policy, " 또는 ".join(POLICIES)))
    if chosen == "mask" or not exposure.sensitive:
        return
    named = _name_sources(exposure.sources)
    if exposure.all_columns:
        raise GuardRefusal(MSG_BLOCK_UNRESOLVED.format(named))
    raise GuardRefusal((MSG_BLOCK if exposure.counts_allowed else MSG_BLOCK_NO_COUNTS).format(named))


def mask_value(value: object) -> object:
    """A masked stand-in that keeps a hint: e-mail ``ab***@domain``, phone ``010-****-5678``,
    other text its first character + ``***``; None stays None; any other type becomes ``***``."""
    if value is None:
        return None
    if not isinstance(value, str):
        return MASK
    text = value.strip()
    email = _EMAIL.match(text)
    if email:
        local, domain = email.groups()
        return local[: min(2, len(local) // 2)] + MASK + "@" + domain
    digits = re.sub(r"\D", "", text)
    if _PHONE.match(text) and 7 <= len(digits) <= 15:
        return _mask_phone(text, len(digits))
    return (text[:1] + MASK) if len(text) > 1 else MASK


def mask_rows(rows: Sequence[Sequence], columns: Iterable[int]) -> list[tuple]:
    """Rows with the values at ``columns`` masked (positions past a row's end are ignored)."""
    wanted = {int(c) for c in columns if int(c) >= 0}
    if not wanted:
        return [tuple(row) for row in rows]
    return [tuple(mask_value(v) if i in wanted else v for i, v in enumerate(row)) for row in rows]


# --- Masking helpers -----------------------------------------------------------------------------


def _mask_phone(text: str, n_digits: int) -> str:
    """Keep the last 4 digits and the leading group (``010``, ``02``, ``+82``) when it is
    separated from the rest; plain digit strings of 10+ digits keep their first 3."""
    groups = re.findall(r"\d+", text)
    if len(groups) >= 3 and len(groups[0]) <= 3:
        keep_head = len(groups[0])
    else:
        keep_head = 3 if len(groups) == 1 and n_digits >= 10 else 0
    out, seen = [], 0
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep_head or seen > n_digits - 4 else "*")
        else:
            out.append(ch)
    return "".join(out)


def _name_sources(sources: Sequence[tuple[str, str]]) -> str:
    names = [f"{t}.{c}" for t, c in sources] or ["알 수 없음"]
    shown = ", ".join(names[:MAX_NAMED_SOURCES])
    if len(names) > MAX_NAMED_SOURCES:
        shown += f" 외 {len(names) - MAX_NAMED_SOURCES}개"
    return shown


# --- Analysis helpers -----------------------------------------------------------------------------


def _parse(sql: str, dialect: str) -> exp.Expr:
    """Exactly one statement, outer parentheses removed."""
    statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    if len(statements) != 1:
        raise ValueError(f"expected one statement, got {len(statements)}")
    root = statements[0]
    while isinstance(root, exp.Subquery) and not root.alias and isinstance(root.this, exp.Query):
        root = root.this
    return root


def _lower_schema(schema: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Lower-case table and column names; a table whose names collide when folded is left out
    (it cannot be analysed by name, so queries on it fail closed)."""
    out: dict[str, dict[str, str]] = {}
    for table, columns in schema.items():
        cols: dict[str, str] = {}
        for name, type_ in columns.items():
            cols[str(name).lower()] = str(type_ or "TEXT")
        if len(cols) == len(columns):
            out[str(table).lower()] = cols
    return out


def _lower_identifiers(root: exp.Expr) -> exp.Expr:
    for ident in root.find_all(exp.Identifier):
        ident.set("this", str(ident.this).lower())
    return root


def _mark_implicit_recursion(root: exp.Expr) -> None:
    """Flag WITH clauses whose CTEs read themselves as RECURSIVE (how SQLite reads them)."""
    for with_ in root.find_all(exp.With):
        if any(_references(cte.this, cte.alias_or_name.lower()) for cte in with_.expressions):
            with_.set("recursive", True)


def _fail_closed(
    root: exp.Expr | None,
    marked: dict[str, set[str]],
    schema: dict | None,
    allow_counts: bool,
    note: str,
    referenced: set[str] | None = None,
) -> Exposure:
    """Every output column counts as sensitive; sources = all sensitive columns of the tables read."""
    tables = referenced if referenced is not None else set(marked)
    sources = tuple(sorted((t, c) for t in tables for c in marked.get(t, ())))
    width = _width_bound(root, schema or {})
    return Exposure(tuple(range(width)), sources, None, True, allow_counts, note[:300])


def _width_bound(root: exp.Expr | None, schema: dict[str, dict[str, str]]) -> int:
    """A generous upper bound on how many columns the statement can return."""
    if root is None:
        return MIN_FALLBACK_WIDTH
    tables = list(root.find_all(exp.Table))
    widest = max((len(schema.get(t.name.lower(), ())) for t in tables), default=0)
    nodes = sum(1 for _ in root.walk())
    return max(MIN_FALLBACK_WIDTH, (len(tables) + 1) * (widest + nodes))


def _union(taints: Iterable[Taint]) -> Taint:
    out: set = set()
    for t in taints:
        out |= t
    return frozenset(out)


def _renamed(relation: Relation, alias: exp.Expr | None) -> Relation:
    """Apply a ``t(a, b)`` column alias list positionally."""
    names = [c.name.lower() for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
    return [(names[i] if i < len(names) else n, t) for i, (n, t) in enumerate(relation)]


def _references(query: exp.Expr, name: str) -> bool:
    return any(t.name.lower() == name and not t.args.get("db") for t in query.find_all(exp.Table))


def _operands(query: exp.Expr) -> list[exp.Expr]:
    while isinstance(query, exp.Subquery):
        query = query.this
    if isinstance(query, exp.SetOperation):
        return _operands(query.this) + _operands(query.expression)
    return [query]


class _Lineage:
    """Column lineage over a qualified sqlglot tree: each output column -> sensitive sources."""

    def __init__(
        self,
        schema: dict[str, dict[str, str]],
        marked: dict[str, set[str]],
        allow_counts: bool,
        implicit_recursion: bool = False,
    ):
        self.schema = schema
        self.marked = marked
        self.allow_counts = allow_counts
        self.implicit_recursion = implicit_recursion

    # Queries -------------------------------------------------------------------------------------

    def query(self, node: exp.Expr, outer: list[Scope], ctes: dict[str, Relation]) -> Relation:
        """Output columns (name, taint) of a SELECT / set operation / VALUES, in order."""
        if isinstance(node, exp.Subquery):
            ctes = self.with_(node.args.get("with_"), outer, ctes)
            return self.query(node.this, outer, ctes)
        if isinstance(node, UNTRACEABLE_CLASSES):
            raise _Unresolved(type(node).__name__)
        ctes = self.with_(node.args.get("with_"), outer, ctes)
        if isinstance(node, exp.SetOperation):
            return self.set_operation(node, outer, ctes)
        if isinstance(node, exp.Select):
            return self.select(node, outer, ctes)
        if isinstance(node, exp.Values):
            return self.values(node, outer, ctes)
        raise _Unresolved(f"unsupported query {type(node).__name__}")

    def set_operation(self, node: exp.SetOperation, outer: list[Scope], ctes: dict[str, Relation]) -> Relation:
        left = self.query(node.this, outer, ctes)
        right = self.query(node.expression, outer, ctes)
        if node.args.get("by_name"):
            out = list(left)
            for name, taint in right:
                idx = next((i for i, (n, _) in enumerate(out) if n == name), None)
                if idx is None:
                    out.append((name, taint))
                else:
                    out[idx] = (name, out[idx][1] | taint)
            return out
        if len(left) != len(right):
            raise _Unresolved("set operation branches differ in width")
        return [(n, lt | rt) for (n, lt), (_, rt) in zip(left, right)]

    def select(self, node: exp.Select, outer: list[Scope], ctes: dict[str, Relation]) -> Relation:
        scope: Scope = {}
        items: list[exp.Expr] = []
        if node.args.get("from_") is not None:
            items.append(node.args["from_"].this)
        for join in node.args.get("joins") or ():
            items.append(join.this)
        items.extend(node.args.get("laterals") or ())
        for item in items:
            alias, source = self.source(item, [scope, *outer], ctes)
            if alias in scope:
                raise _Unresolved(f"duplicate source alias {alias!r}")
            scope[alias] = source
        scopes = [scope, *outer]
        return [(e.alias_or_name.lower(), self.expr(e, scopes, ctes)) for e in node.expressions]

    def values(self, node: exp.Values, outer: list[Scope], ctes: dict[str, Relation]) -> Relation:
        rows = [r.expressions if isinstance(r, exp.Tuple) else [r] for r in node.expressions]
        width = max((len(r) for r in rows), default=0)
        taints = [_union(self.expr(r[i], outer, ctes) for r in rows if i < len(r)) for i in range(width)]
        return _renamed([(f"col{i}", t) for i, t in enumerate(taints)], node.args.get("alias"))

    def with_(self, with_: exp.With | None, outer: list[Scope], ctes: dict[str, Relation]) -> dict[str, Relation]:
        """CTEs in order, each seeing the ones before it; recursive ones computed to a fixed point."""
        if with_ is None:
            return ctes
        ctes = dict(ctes)
        recursive = bool(with_.args.get("recursive")) or self.implicit_recursion
        for cte in with_.expressions:
            name = cte.alias_or_name.lower()
            alias = cte.args.get("alias")
            body = cte.this
            if not (recursive and _references(body, name)):  # its own name is the outer table/CTE
                ctes[name] = _renamed(self.query(body, outer, ctes), alias)
                continue
            anchor = _operands(body)[0]
            if _references(anchor, name):
                raise _Unresolved(f"recursive CTE {name!r} without an anchor")
            current = _renamed(self.query(anchor, outer, {**ctes, name: []}), alias)
            for _ in range(MAX_RECURSION_ROUNDS):
                ctes[name] = current
                step = _renamed(self.query(body, outer, ctes), alias)
                if len(step) != len(current):
                    raise _Unresolved(f"recursive CTE {name!r} changes width")
                merged = [(n, t | s) for (n, t), (_, s) in zip(current, step)]
                if merged == current:
                    break
                current = merged
            else:
                raise _Unresolved(f"recursive CTE {name!r} did not settle")
            ctes[name] = current
        return ctes

    def source(self, item: exp.Expr, scopes: list[Scope], ctes: dict[str, Relation]) -> tuple[str, _Source]:
        """One FROM / JOIN / LATERAL item -> (alias, columns)."""
        if item.args.get("pivots"):
            raise _Unresolved("PIVOT")
        alias = item.args.get("alias")
        if isinstance(item, exp.Table):
            alias_name = item.alias_or_name.lower()
        else:
            alias_name = alias.name.lower() if alias else ""
        if isinstance(item, exp.Table) and isinstance(item.this, exp.Identifier):
            name = item.name.lower()
            if not item.args.get("db") and name in ctes:
                relation = ctes[name]
            elif name in self.schema:
                relation = [
                    (c, frozenset({(name, c)}) if c in self.marked.get(name, ()) else _CLEAN) for c in self.schema[name]
                ]
            else:
                raise _Unresolved(f"table {name!r} is not in the schema")
            return alias_name, _Source(_renamed(relation, alias))
        if isinstance(item, exp.Table) and isinstance(item.this, exp.Unnest):
            return alias_name, self.value_source(item.this, scopes, ctes, alias)
        if isinstance(item, exp.Subquery):
            return alias_name, _Source(_renamed(self.query(item.this, scopes, ctes), alias))
        if isinstance(item, exp.Lateral) and isinstance(item.this, exp.Subquery):
            return alias_name, _Source(_renamed(self.query(item.this.this, scopes, ctes), alias))
        if isinstance(item, (exp.Unnest, exp.Lateral)):
            return alias_name, self.value_source(item, scopes, ctes, alias)
        if isinstance(item, exp.Values):
            return alias_name, _Source(self.values(item, scopes, ctes))
        raise _Unresolved(f"unsupported FROM item {type(item).__name__}")

    def value_source(
        self, item: exp.Expr, scopes: list[Scope], ctes: dict[str, Relation], alias: exp.Expr | None
    ) -> _Source:
        """UNNEST(...) and similar: every column carries the taint of the expressions unnested."""
        taint = _union(self.expr(e, scopes, ctes) for e in item.iter_expressions() if not isinstance(e, exp.TableAlias))
        names = [c.name.lower() for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
        return _Source([(n, taint) for n in names], wildcard=taint)

    # Expressions ---------------------------------------------------------------------------------

    def expr(self, node: exp.Expr, scopes: list[Scope], ctes: dict[str, Relation]) -> Taint:
        """Sensitive sources whose values can reach the value of ``node``."""
        if isinstance(node, UNTRACEABLE_CLASSES):
            raise _Unresolved(type(node).__name__)
        if isinstance(node, COUNT_CLASSES) and self.allow_counts:
            self.check(node)
            return _CLEAN
        if isinstance(node, exp.Window):
            return self.expr(node.this, scopes, ctes)  # PARTITION BY / ORDER BY only arrange rows
        if isinstance(node, exp.Filter):
            return self.expr(node.this, scopes, ctes)  # FILTER (WHERE ...) only picks rows
        if isinstance(node, exp.Star):
            if isinstance(node.parent, COUNT_CLASSES):
                return _CLEAN  # COUNT(*)
            raise _Unresolved("unexpanded *")
        if isinstance(node, exp.Column):
            return self.column(node, scopes)
        if isinstance(node, exp.Alias):
            return self.expr(node.this, scopes, ctes)
        if isinstance(node, exp.TableColumn):
            return self.whole_row(node.name.lower(), scopes, strict=True)
        if isinstance(node, exp.Identifier):
            # A bare name in an expression (lambda parameter, struct field): if it names a source
            # it may be that source's whole row (DuckDB/PostgreSQL), so count it as one.
            return self.whole_row(node.name.lower(), scopes, strict=False)
        if isinstance(node, exp.Query):
            return _union(t for _, t in self.query(node, scopes, ctes))
        return _union(self.expr(child, scopes, ctes) for child in node.iter_expressions())

    def check(self, node: exp.Expr) -> None:
        """Even an allowed aggregate must not hide an untraceable construct."""
        if any(isinstance(n, UNTRACEABLE_CLASSES) for n in node.walk()):
            raise _Unresolved("untraceable construct inside an aggregate")

    def whole_row(self, alias: str, scopes: list[Scope], strict: bool) -> Taint:
        """Every column of source ``alias`` (a row used as a value: ``SELECT c FROM customers c``)."""
        for scope in scopes:
            if alias in scope:
                return scope[alias].lookup("*")
        if strict:
            raise _Unresolved(f"source {alias!r} not found")
        return _CLEAN

    def column(self, col: exp.Column, scopes: list[Scope]) -> Taint:
        table = col.table.lower()
        if not table:
            raise _Unresolved(f"column {col.name!r} has no source")
        for scope in scopes:
            if table in scope:
                return scope[table].lookup(col.name.lower())
        raise _Unresolved(f"source {table!r} not found")
