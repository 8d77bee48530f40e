"""Schema-constrained decoding: an xgrammar grammar that only admits SQL over the catalog's schema.

The small local model sometimes invents tables and columns. ``sql_grammar`` turns the catalog into
an EBNF grammar (xgrammar syntax) for a practical read-only SELECT subset in which every table is a
real table and every column a real column, spelled the way the dialect needs (double-quoted when
the name needs quoting). ``GrammarCache`` compiles it once per tokenizer, schema and table set and
hands out a fresh logits processor per ``model.generate(logits_processor=[...])`` call;
``accepts`` checks a whole statement against the same grammar (tests, diagnostics).

What the grammar covers: ``WITH`` (top level only), ``SELECT [DISTINCT]`` with at most
``max_select_items`` items, aggregates (``COUNT(DISTINCT ..)`` too), ``CASE``, arithmetic,
``CAST``/``ROUND``/``COALESCE`` and the dialect's date functions (``strftime``/``date``/``julianday``
for SQLite; ``EXTRACT``/``date_trunc``/``strftime``/``INTERVAL``/``::`` for DuckDB; ``EXTRACT``/
``date_trunc``/``to_char``/``INTERVAL``/``::`` for PostgreSQL), window functions with ``OVER``,
``FROM`` real tables (or CTEs after ``WITH``, or derived tables) with aliases, ``JOIN .. ON``,
``WHERE`` with comparisons, ``AND``/``OR``/``NOT``, ``IN`` (list or subquery), ``BETWEEN``,
``LIKE``, ``IS [NOT] NULL``, ``EXISTS``, ``GROUP BY``, ``HAVING``, ``ORDER BY``, ``LIMIT``,
``UNION``/``INTERSECT``/``EXCEPT``. Keywords are uppercase or lowercase (not mixed within a word).
Whitespace is one space or one line break. The statement ends with ``;`` or at end of text;
after ``;`` only a stop token is allowed.

Runaway output is capped: subqueries nest at most ``max_depth`` levels (the rules are unrolled per
level), select lists, IN lists, joins, AND/OR/arithmetic chains, CASE branches and numbers are
bounded in the grammar; string literals (MAX_STRING_CHARS) and bare words such as aliases
(MAX_WORD_CHARS) are capped by the logits processor, because xgrammar is slow with bounded
repetitions of free text (seconds to compile or ~100 ms per token to mask).

Soundness, and where it is traded for expressiveness:

* ``table.column`` only admits that table's own columns; ``alias.column`` admits any column of
  the allowed tables (the grammar cannot track what an alias stands for). Table aliases, derived
  table and CTE names are free lowercase identifiers, but never an allowed table's name (so
  ``orders.name`` cannot sneak through as an alias) nor a clause keyword (``ALIAS_STOPWORDS``).
  A derived table needs no alias in SQLite and DuckDB (PostgreSQL requires one).
* ``ORDER BY`` and ``GROUP BY`` items may also be such a free lowercase word: the select list's
  aliases (``ORDER BY revenue``); a made-up one there fails when the SQL runs. Without this the
  grammar rejected 31 % of the natural corpus's verified SQL (``benchmarks/grammar_coverage.py``).
* Column aliases can be referenced like columns (``ORDER BY total_amount``, ``WHERE rn = 1`` over a
  derived table), so bare references also admit alias-shaped names: a word from ``ALIAS_WORDS``,
  or a column/table name or such a word with a prefix/suffix from ``ALIAS_AFFIXES``
  (``total_amount``, ``avg_price``, ``order_cnt``). A made-up column that looks like that is
  admitted; any other made-up column is not. ``AS`` may define any lowercase alias, but outside
  ``ORDER BY`` / ``GROUP BY`` only alias-shaped ones can be referenced afterwards.
* After ``WITH``, any free identifier may appear in ``FROM`` (the CTE names); without ``WITH``
  only real tables can.
* Parenthesised expressions and function arguments may nest freely within one query level
  (``max_new_tokens`` bounds them); function names come from per-dialect lists (``FUNCTIONS``).
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from t2sql.db.catalog import Catalog

DIALECTS = ("sqlite", "duckdb", "postgres")
MAX_STRING_CHARS = 80  # characters inside one '...' literal (enforced by the logits processor)
MAX_WORD_CHARS = 64  # characters of one bare word: identifier, alias, number (processor too)
MAX_IN_ITEMS = 20  # values in one IN (...) list
MAX_JOINS = 4
MAX_GROUP_ITEMS = 6
MAX_ORDER_ITEMS = 4
MAX_ARGS = 4  # arguments of one scalar function call
MAX_CHAIN = 8  # operands of one AND / OR / arithmetic chain
MAX_WHEN = 8  # WHEN branches of one CASE
MAX_CTES = 4

# Words that are never bare identifiers: a catalog name equal to one of these is only admitted
# double-quoted, and free aliases may not be one of them (lowercase keywords are admitted too).
RESERVED = frozenset(
    [
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "between",
        "both",
        "by",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "cross",
        "current_catalog",
        "current_date",
        "current_role",
        "current_schema",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "exists",
        "false",
        "fetch",
        "filter",
        "for",
        "foreign",
        "from",
        "full",
        "glob",
        "grant",
        "group",
        "having",
        "ilike",
        "in",
        "initially",
        "inner",
        "intersect",
        "interval",
        "into",
        "is",
        "isnull",
        "join",
        "lateral",
        "leading",
        "left",
        "like",
        "limit",
        "localtime",
        "localtimestamp",
        "natural",
        "not",
        "notnull",
        "null",
        "nulls",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "outer",
        "over",
        "partition",
        "placing",
        "primary",
        "qualify",
        "range",
        "references",
        "regexp",
        "returning",
        "right",
        "rows",
        "select",
        "session_user",
        "similar",
        "some",
        "symmetric",
        "table",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "when",
        "where",
        "window",
        "with",
        "within",
    ]
)

# Words a free alias may not be: they can follow a table in FROM (lowercase keywords are admitted).
ALIAS_STOPWORDS = frozenset(
    [
        "where",
        "group",
        "order",
        "limit",
        "join",
        "inner",
        "left",
        "right",
        "full",
        "cross",
        "on",
        "union",
        "intersect",
        "except",
        "having",
    ]
)

# Column alias vocabulary (see the module docstring): bare words, and affixes that may be put in
# front of (``total_``) or behind (``_cnt``) a column or table name, or one of these words.
ALIAS_WORDS = (
    "cnt",
    "count",
    "n",
    "num",
    "total",
    "sum",
    "avg",
    "average",
    "mean",
    "median",
    "min",
    "max",
    "month",
    "year",
    "day",
    "week",
    "quarter",
    "hour",
    "ym",
    "yr",
    "period",
    "rn",
    "rnk",
    "rank",
    "ranking",
    "row_num",
    "pct",
    "percent",
    "percentage",
    "ratio",
    "rate",
    "share",
    "diff",
    "delta",
    "growth",
    "prev_value",
    "running_total",
    "cumulative",
    "cum_sum",
)
ALIAS_AFFIXES = (
    "total",
    "avg",
    "sum",
    "max",
    "min",
    "cnt",
    "count",
    "num",
    "n",
    "distinct",
    "unique",
    "prev",
    "next",
    "first",
    "last",
    "latest",
    "earliest",
    "pct",
    "ratio",
    "share",
    "rate",
    "rank",
    "rnk",
    "running",
    "cum",
    "monthly",
    "yearly",
    "daily",
    "weekly",
    "median",
    "mean",
    "diff",
    "month",
    "year",
    "day",
)

# Scalar functions per dialect: (name, min args, max args). Date functions are the dialect's own.
_COMMON_FUNCS = [
    ("ROUND", 1, 2),
    ("ABS", 1, 1),
    ("COALESCE", 2, MAX_ARGS),
    ("NULLIF", 2, 2),
    ("LOWER", 1, 1),
    ("UPPER", 1, 1),
    ("LENGTH", 1, 1),
    ("TRIM", 1, 2),
    ("LTRIM", 1, 2),
    ("RTRIM", 1, 2),
    ("REPLACE", 3, 3),
    ("SUBSTR", 2, 3),
    ("SUBSTRING", 2, 3),
]
FUNCTIONS = {
    "sqlite": _COMMON_FUNCS
    + [
        ("IFNULL", 2, 2),
        ("INSTR", 2, 2),
        ("strftime", 2, MAX_ARGS),
        ("date", 1, MAX_ARGS),
        ("datetime", 1, MAX_ARGS),
        ("julianday", 1, MAX_ARGS),
        ("CEIL", 1, 1),
        ("FLOOR", 1, 1),
        ("MAX", 2, MAX_ARGS),
        ("MIN", 2, MAX_ARGS),  # scalar multi-argument forms
    ],
    "duckdb": _COMMON_FUNCS
    + [
        ("IFNULL", 2, 2),
        ("CEIL", 1, 1),
        ("FLOOR", 1, 1),
        ("GREATEST", 2, MAX_ARGS),
        ("LEAST", 2, MAX_ARGS),
        ("CONCAT", 1, MAX_ARGS),
        ("strftime", 2, 2),
        ("strptime", 2, 2),
        ("date_trunc", 2, 2),
        ("date_part", 2, 2),
        ("date_diff", 3, 3),
        ("datediff", 3, 3),
        ("year", 1, 1),
        ("month", 1, 1),
        ("day", 1, 1),
        ("quarter", 1, 1),
        ("dayname", 1, 1),
        ("monthname", 1, 1),
        ("last_day", 1, 1),
        ("today", 0, 0),
    ],
    "postgres": _COMMON_FUNCS
    + [
        ("CEIL", 1, 1),
        ("FLOOR", 1, 1),
        ("GREATEST", 2, MAX_ARGS),
        ("LEAST", 2, MAX_ARGS),
        ("CONCAT", 1, MAX_ARGS),
        ("date_trunc", 2, 2),
        ("date_part", 2, 2),
        ("to_char", 2, 2),
        ("age", 1, 2),
        ("NOW", 0, 0),
    ],
}
AGGREGATES = ("COUNT", "SUM", "AVG", "MIN", "MAX")
EXTRA_AGGREGATES = {  # (name, takes a second separator argument)
    "sqlite": [("GROUP_CONCAT", True), ("TOTAL", False)],
    "duckdb": [("MEDIAN", False), ("STRING_AGG", True), ("STDDEV", False)],
    "postgres": [("STRING_AGG", True), ("STDDEV", False)],
}
RANKING = ("ROW_NUMBER", "RANK", "DENSE_RANK", "PERCENT_RANK", "CUME_DIST")
CAST_TYPES = {
    "sqlite": ["INTEGER", "INT", "REAL", "TEXT", "NUMERIC"],
    "duckdb": [
        "INTEGER",
        "INT",
        "BIGINT",
        "DOUBLE",
        "FLOAT",
        "REAL",
        "DECIMAL",
        "NUMERIC",
        "VARCHAR",
        "TEXT",
        "DATE",
        "TIMESTAMP",
        "BOOLEAN",
    ],
    "postgres": [
        "INTEGER",
        "INT",
        "BIGINT",
        "DOUBLE PRECISION",
        "FLOAT",
        "REAL",
        "DECIMAL",
        "NUMERIC",
        "VARCHAR",
        "TEXT",
        "DATE",
        "TIMESTAMP",
        "BOOLEAN",
    ],
}
DATE_FIELDS = ("YEAR", "MONTH", "DAY", "QUARTER", "WEEK", "DOW", "ISODOW", "DOY", "HOUR", "MINUTE", "SECOND", "EPOCH")
INTERVAL_UNITS = (
    "YEAR",
    "MONTH",
    "DAY",
    "HOUR",
    "MINUTE",
    "SECOND",
    "WEEK",
    "YEARS",
    "MONTHS",
    "DAYS",
    "HOURS",
    "MINUTES",
    "SECONDS",
    "WEEKS",
)

SP, OSP = "ws1", "ows"  # required / optional whitespace (rules)
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ALIAS_FIRST = "abcdefghijklmnopqrstuvwxyz_"
_ALIAS_REST = "abcdefghijklmnopqrstuvwxyz0123456789_"


# --------------------------------------------------------------------------------------- identifiers


def needs_quotes(name: str, dialect: str) -> bool:
    """True when ``name`` can only be written double-quoted in ``dialect``.

    Not a plain ``[A-Za-z_][A-Za-z0-9_]*`` word (Korean, spaces, dashes), a reserved word, or —
    in PostgreSQL, which folds bare names to lowercase — any uppercase letter.
    """
    if not _PLAIN.fullmatch(name) or name.lower() in RESERVED:
        return True
    return dialect == "postgres" and name != name.lower()


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def identifier_forms(name: str, dialect: str) -> list[str]:
    """How ``name`` may appear in SQL: quoted always, bare too when that means the same name."""
    quoted = quote_identifier(name)
    return [quoted] if needs_quotes(name, dialect) else [name, quoted]


# ------------------------------------------------------------------------------------------ grammar


def _lit(text: str) -> str:
    """An EBNF string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _alts(items: Iterable[str]) -> str:
    return " | ".join(items)


def _char_class(chars: str) -> str:
    body = "".join("\\" + c if c in "\\]^-" else c for c in sorted(set(chars)))
    return f"[{body}]"


class _Builder:
    def __init__(self) -> None:
        self.rules: OrderedDict[str, str] = OrderedDict()
        self._kw: set[str] = set()

    def add(self, name: str, body: str) -> str:
        if name in self.rules and self.rules[name] != body:
            raise ValueError(f"grammar rule {name} defined twice")
        self.rules[name] = body
        return name

    def kw(self, words: str) -> str:
        """A keyword (or several, separated by whitespace), uppercase or lowercase."""
        parts = []
        for word in words.split():
            name = "k_" + re.sub(r"\W", "_", word.lower())
            if name not in self._kw:
                self._kw.add(name)
                alts = [word.upper()] + ([word.lower()] if word.lower() != word.upper() else [])
                self.add(name, _alts(_lit(a) for a in alts))
            parts.append(name)
        return "(" + f" {SP} ".join(parts) + ")"

    def text(self) -> str:
        return "\n".join(f"{name} ::= {body}" for name, body in self.rules.items()) + "\n"


def _words_rule(b: _Builder, name: str, words: Iterable[str]) -> str:
    """A rule admitting each word in upper and lower case (function names, type names)."""
    forms: list[str] = []
    for word in words:
        for form in (word.upper(), word.lower()):
            if form not in forms:
                forms.append(form)
    return b.add(name, _alts(f" {SP} ".join(_lit(p) for p in f.split()) for f in forms))


def _excluding_rule(b: _Builder, prefix: str, excluded: Iterable[str]) -> str:
    """Lowercase identifiers ``[a-z_][a-z0-9_]*`` except the ``excluded`` words.

    The complement of a word trie, with equivalent nodes merged (a minimal automaton): xgrammar's
    compile time grows with the number of rules here, about 2 ms each for a 262k vocabulary.
    """
    words = sorted({w for w in excluded if re.fullmatch(r"[a-z_][a-z0-9_]*", w)})
    # Unbounded: a bounded repetition here costs compile time and, worse, mask time at every step
    # where an alias may start. The logits processor caps identifier length instead.
    tail = b.add(f"{prefix}_tail", f"{_char_class(_ALIAS_REST)}*")
    trie: dict[str, set[str]] = {"": set()}
    for word in words:
        for i in range(1, len(word) + 1):
            trie.setdefault(word[:i], set())
            trie[word[: i - 1]].add(word[i - 1])
    wordset = set(words)
    names: dict[tuple, str] = {}

    def rule(node: str) -> str:
        children = sorted(trie[node])
        child_rules = tuple((c, rule(node + c)) for c in children)
        signature = (node == "", node in wordset, child_rules)
        if signature in names:
            return names[signature]
        alphabet = _ALIAS_FIRST if node == "" else _ALIAS_REST
        alts = [] if node == "" or node in wordset else ['""']
        alts += [f"{_lit(c)} {r}" for c, r in child_rules]
        others = "".join(c for c in alphabet if c not in children)
        if others:
            alts.append(f"{_char_class(others)} {tail}")
        name = prefix if node == "" else f"{prefix}_{len(names)}"
        names[signature] = b.add(name, _alts(alts))
        return name

    return rule("")


def _select_tables(catalog: Catalog, tables: Sequence[str] | None) -> list[tuple[str, list[str]]]:
    if tables is None:
        names = list(catalog.tables)
    else:
        known = {n.lower(): n for n in catalog.tables}
        names = []
        for name in tables:
            real = name if name in catalog.tables else known.get(str(name).lower())
            if real and real not in names:
                names.append(real)
        if not names:
            names = list(catalog.tables)
    return [(n, [c.name for c in catalog.tables[n].columns]) for n in names]


def sql_grammar(
    catalog: Catalog, tables: list[str] | None = None, max_select_items: int = 8, max_depth: int = 2
) -> str:
    """EBNF (xgrammar syntax, root rule ``root``) of SELECT statements over ``catalog``'s schema.

    ``tables`` restricts FROM to those tables (the retrieved ones; unknown names are ignored, and
    an empty selection falls back to all tables). ``max_depth`` is how deep subqueries (IN, EXISTS,
    scalar, derived tables, CTE bodies) may nest below the top query.
    """
    dialect = catalog.dialect
    if dialect not in DIALECTS:
        raise ValueError(f"unsupported dialect for the SQL grammar: {dialect}")
    if max_select_items < 1 or max_depth < 0:
        raise ValueError("max_select_items must be >= 1 and max_depth >= 0")
    schema = _select_tables(catalog, tables)
    if not schema:
        raise ValueError("the catalog has no tables")
    b = _Builder()
    kw = b.kw

    # --- Whitespace, literals ----------------------------------------------------------------------
    # One space or one line break between tokens ("\n\n\n" is a stop marker of the generator).
    # Whitespace is a rule of its own: spelling it inline makes xgrammar resolve every word token
    # after every space at compile time (seconds); as a rule those tokens are checked at run time,
    # which is cheap except where an identifier *must* follow, so there the space is put inside
    # the identifier's rule (``sp_talias``). Groups never end in whitespace.
    _, o = SP, OSP
    b.add("root", f'{o} (query_n0 | with_clause {_} query_c0) ({o} ";")?')
    b.add("ws1", '" " | "\\n"')
    b.add("ows", '"" | ws1')
    b.add("number", '[0-9]{1,15} ("." [0-9]{1,8})? | "." [0-9]{1,8}')
    # Unbounded here (a bounded repetition of a rule is slow to mask, of a character class slow to
    # compile); the logits processor caps the length instead (MAX_STRING_CHARS).
    b.add("string", '"\'" str_char* "\'"')
    b.add("str_char", "[^'\\r\\n] | \"''\"")
    b.add("int", "[0-9]{1,9}")
    literal = ["number", "string", kw("NULL"), kw("TRUE"), kw("FALSE"), kw("CURRENT_DATE"), kw("CURRENT_TIMESTAMP")]
    if dialect in ("duckdb", "postgres"):
        literal += [f"{kw('DATE')} {_} string", f"{kw('TIMESTAMP')} {_} string", "interval"]
        units = _words_rule(b, "interval_unit", INTERVAL_UNITS)
        b.add("interval", f"{kw('INTERVAL')} {_} (string | number {_} {units})")
    b.add("literal", _alts(literal))
    b.add("cmp", '"=" | "<>" | "!=" | "<=" | ">=" | "<" | ">"')
    b.add("addop", '"+" | "-" | "||"')
    b.add("mulop", '"*" | "/" | "%"')
    types = _words_rule(b, "type_name", CAST_TYPES[dialect])
    b.add("type", f'{types} ({o} "(" {o} int ({o} "," {o} int)? {o} ")")?')

    # --- Names -------------------------------------------------------------------------------------
    table_rules, col_rules = [], []
    all_cols: list[str] = []
    bare_names: list[str] = []
    for i, (tname, cols) in enumerate(schema):
        table_rules.append(b.add(f"tbl_{i}", _alts(_lit(f) for f in identifier_forms(tname, dialect))))
        forms: list[str] = []
        for col in cols:
            for form in identifier_forms(col, dialect):
                if form not in forms:
                    forms.append(form)
                if form not in all_cols:
                    all_cols.append(form)
            if not needs_quotes(col, dialect) and col not in bare_names:
                bare_names.append(col)
        col_rules.append(b.add(f"cols_{i}", _alts(_lit(f) for f in forms) if forms else '"*"'))
        if not needs_quotes(tname, dialect) and tname not in bare_names:
            bare_names.append(tname)
    b.add("table", _alts(table_rules))
    b.add("column", _alts(_lit(f) for f in all_cols) if all_cols else '"*"')
    # Table aliases / CTE names: free lowercase identifiers that are no allowed table and no clause
    # keyword (``FROM orders where`` must not read ``where`` as an alias).
    excluded = set(ALIAS_STOPWORDS) | {t.lower() for t, _t in schema}
    _excluding_rule(b, "talias", excluded)
    # Column aliases: the alias vocabulary (module docstring), for definitions and references alike.
    words = [w for w in ALIAS_WORDS if w not in RESERVED]
    base = list(dict.fromkeys(words + bare_names))
    b.add("alias_base", _alts(_lit(w) for w in base))
    b.add("alias_affix", _alts(_lit(w) for w in ALIAS_AFFIXES))
    b.add("alias_ref", '(alias_affix "_")? alias_base ("_" alias_affix)?')
    qualified = [f'{t} "." {c}' for t, c in zip(table_rules, col_rules)]
    qualified.append('talias "." (column | alias_ref)')
    b.add("colref", _alts(["column", "alias_ref", *qualified]))
    b.add("star", '"*" | (table | talias) "." "*"')
    # " AS x" / " x" after a table or derived table; the space sits inside the rule (see above).
    b.add("alias_clause", f"({_} {kw('AS')})? sp_talias")
    b.add("sp_talias", '" " talias | "\\n" talias')

    # --- Functions (depth-independent parts) -------------------------------------------------------
    funcs: dict[tuple[int, int], list[str]] = {}
    for name, lo, hi in FUNCTIONS[dialect]:
        funcs.setdefault((lo, hi), []).append(name)
    func_groups = []
    for (lo, hi), names in sorted(funcs.items()):
        func_groups.append((_words_rule(b, f"fn_{lo}_{hi}", names), lo, hi))
    aggs = _words_rule(b, "agg_name", AGGREGATES[1:])
    extra_1 = [n for n, sep in EXTRA_AGGREGATES[dialect] if not sep]
    extra_2 = [n for n, sep in EXTRA_AGGREGATES[dialect] if sep]
    agg1 = _words_rule(b, "agg_extra", extra_1) if extra_1 else None
    agg2 = _words_rule(b, "agg_sep", extra_2) if extra_2 else None
    ranking = _words_rule(b, "rank_fn", RANKING)
    lagfn = _words_rule(b, "lag_fn", ("LAG", "LEAD"))
    valfn = _words_rule(b, "value_fn", ("FIRST_VALUE", "LAST_VALUE"))
    fields = _words_rule(b, "date_field", DATE_FIELDS)
    b.add("setop", f"{kw('UNION')} ({_} {kw('ALL')})? | {kw('INTERSECT')} | {kw('EXCEPT')}")
    outer = f"({_} {kw('OUTER')})?"
    b.add(
        "join_kw",
        _alts(
            [
                kw("JOIN"),
                f"{kw('INNER')} {_} {kw('JOIN')}",
                f"{kw('LEFT')} {outer} {_} {kw('JOIN')}",
                f"{kw('RIGHT')} {outer} {_} {kw('JOIN')}",
                f"{kw('FULL')} {outer} {_} {kw('JOIN')}",
            ]
        ),
    )
    b.add("limit", f"{kw('LIMIT')} {_} int ({_} {kw('OFFSET')} {_} int)?")
    direction = f"({kw('PRECEDING')} | {kw('FOLLOWING')})"
    b.add(
        "frame", f"({kw('ROWS')} | {kw('RANGE')}) {_} {kw('BETWEEN')} {_} frame_bound {_} {kw('AND')} {_} frame_bound"
    )
    b.add("frame_bound", f"{kw('UNBOUNDED')} {_} {direction} | {kw('CURRENT')} {_} {kw('ROW')} | int {_} {direction}")

    as_kw, from_kw, distinct_kw, not_kw = kw("AS"), kw("FROM"), kw("DISTINCT"), kw("NOT")
    comma = f'{o} "," {o}'

    def comma_list(item: str, most: int) -> str:
        return f"{item} ({comma} {item}){{0,{most - 1}}}" if most > 1 else item

    def call(args: str) -> str:
        """``(args)`` right after a function name."""
        return f'{o} "(" {o} {args} {o} ")"'

    def paren(inner: str) -> str:
        return f'"(" {o} {inner} {o} ")"'

    # --- Per level: scope (n: real tables only, c: CTE names too) x subquery depth ----------------
    for scope in ("n", "c"):
        for d in range(max_depth + 1):
            L = f"{scope}{d}"
            sub = f"query_{scope}{d + 1}" if d < max_depth else None
            e = f"expr_{L}"
            b.add(f"query_{L}", f"select_{L} ({_} setop {_} select_{L}){{0,2}} ({_} order_{L})? ({_} limit)?")
            b.add(
                f"select_{L}",
                (
                    f"{kw('SELECT')} ({_} {distinct_kw})? {_} sel_list_{L} {_} {from_kw} from_{L}"
                    f" ({_} {kw('WHERE')} {_} {e})?"
                    f' ({_} {kw("GROUP BY")} by_item_{L} ({o} "," by_next_{L}){{0,{MAX_GROUP_ITEMS - 1}}})?'
                    f" ({_} {kw('HAVING')} {_} {e})?"
                ),
            )
            b.add(f"sel_list_{L}", f"star | {comma_list(f'sel_item_{L}', max_select_items)}")
            b.add(f"sel_item_{L}", f"{e} ({_} {as_kw} (sp_talias | {_} alias_ref))? | star")
            b.add(f"from_{L}", f"sp_source_{L} (join_{L}){{0,{MAX_JOINS}}}")
            b.add(f"sp_source_{L}", f'" " source_{L} | "\\n" source_{L}')  # see "Whitespace" above
            sources = ["table (alias_clause)?"]
            if sub:
                sources.append(f"{paren(sub)} " + ("alias_clause" if dialect == "postgres" else "(alias_clause)?"))
            if scope == "c":
                sources.append("talias (alias_clause)?")
            b.add(f"source_{L}", _alts(sources))
            b.add(
                f"join_{L}",
                _alts(
                    [
                        f"{_} join_kw sp_source_{L} {_} {kw('ON')} {_} {e}",
                        f"{_} {kw('CROSS JOIN')} sp_source_{L}",
                        f'{o} "," (source_{L} | sp_source_{L})',
                    ]
                ),
            )
            # ORDER BY / GROUP BY items may also name an alias of the select list, any lowercase word
            # (``ORDER BY revenue``): a grammar cannot remember which aliases were defined. After the
            # keyword the item carries its whitespace, as ``sp_talias`` does (else masking there costs
            # ~200 ms per token); after a comma the space is optional, as in ``with_clause``.
            b.add(f"by_item_{L}", f"{_} {e} | sp_talias")
            b.add(f"by_next_{L}", f"by_item_{L} | {e} | talias")
            ordering = f"({_} ({kw('ASC')} | {kw('DESC')}))? ({_} {kw('NULLS')} {_} ({kw('FIRST')} | {kw('LAST')}))?"
            b.add(
                f"order_{L}",
                f'{kw("ORDER BY")} by_item_{L} {ordering} ({o} "," by_next_{L} {ordering}){{0,{MAX_ORDER_ITEMS - 1}}}',
            )
            # Boolean and value expressions in one precedence ladder, every chain bounded.
            b.add(e, f"and_{L} ({_} {kw('OR')} {_} and_{L}){{0,{MAX_CHAIN - 1}}}")
            b.add(f"and_{L}", f"not_{L} ({_} {kw('AND')} {_} not_{L}){{0,{MAX_CHAIN - 1}}}")
            b.add(f"not_{L}", f"{not_kw} {_} pred_{L} | pred_{L}")
            neg = f"({_} {not_kw})?"
            in_items = comma_list(f"sum_{L}", MAX_IN_ITEMS) + (f" | {sub}" if sub else "")
            like = kw("LIKE") if dialect == "sqlite" else f"({kw('LIKE')} | {kw('ILIKE')})"
            tails = [
                f"{o} cmp {o} sum_{L}",
                f'{neg} {_} {kw("IN")} {o} "(" {o} ({in_items}) {o} ")"',
                f"{neg} {_} {kw('BETWEEN')} {_} sum_{L} {_} {kw('AND')} {_} sum_{L}",
                f"{neg} {_} {like} {_} sum_{L}",
                f"{_} {kw('IS')} {neg} {_} {kw('NULL')}",
            ]
            b.add(f"pred_tail_{L}", _alts(tails))
            preds = [f"sum_{L} (pred_tail_{L})?"]
            if sub:
                preds.append(f"{kw('EXISTS')} {o} {paren(sub)}")
            b.add(f"pred_{L}", _alts(preds))
            b.add(f"sum_{L}", f"prod_{L} ({o} addop {o} prod_{L}){{0,{MAX_CHAIN - 1}}}")
            b.add(f"prod_{L}", f"unary_{L} ({o} mulop {o} unary_{L}){{0,{MAX_CHAIN - 1}}}")
            pg_cast = ' ("::" type)?' if dialect in ("duckdb", "postgres") else ""
            b.add(f"unary_{L}", f'("-" {o})? atom_{L}{pg_cast}')
            over = f"{_} over_{L}"
            maybe_distinct = f"({distinct_kw} {_} {e} | {e})"
            count_arg = f'("*" | {maybe_distinct})'
            atoms = [
                "literal",
                "colref",
                f"{kw('COUNT')} {call(count_arg)} ({over})?",
                f"{aggs} {call(maybe_distinct)} ({over})?",
                f'{ranking} {o} "(" {o} ")" {over}',
                f"{kw('NTILE')} {call('int')} {over}",
                f"{lagfn} {call(f'{e} ({comma} int ({comma} {e})?)?')} {over}",
                f"{valfn} {call(e)} {over}",
                f"case_{L}",
                f"{kw('CAST')} {call(f'{e} {_} {as_kw} {_} type')}",
                paren(e),
            ]
            if agg1:
                atoms.append(f"{agg1} {call(maybe_distinct)} ({over})?")
            if agg2:
                atoms.append(f"{agg2} {call(f'{e} ({comma} string)?')} ({over})?")
            if dialect in ("duckdb", "postgres"):
                atoms.append(f"{kw('EXTRACT')} {call(f'{fields} {_} {from_kw} {_} {e}')}")
            for rule, lo, hi in func_groups:
                if hi == 0:
                    atoms.append(f'{rule} {o} "(" {o} ")"')
                else:
                    args = e if hi == 1 else f"{e} ({comma} {e}){{{max(lo - 1, 0)},{hi - 1}}}"
                    atoms.append(f"{rule} {call(args)}")
            if sub:
                atoms.append(paren(sub))
            b.add(f"atom_{L}", _alts(atoms))
            b.add(
                f"case_{L}",
                (
                    f"{kw('CASE')} ({_} sum_{L})? ({_} {kw('WHEN')} {_} {e} {_} {kw('THEN')} {_} {e}){{1,{MAX_WHEN}}}"
                    f" ({_} {kw('ELSE')} {_} {e})? {_} {kw('END')}"
                ),
            )
            b.add(f"over_{L}", f'{kw("OVER")} {o} "(" ({o} over_body_{L})? {o} ")"')
            part = f"{kw('PARTITION BY')} {_} {comma_list(e, MAX_GROUP_ITEMS)}"
            b.add(f"over_body_{L}", f"{part} ({_} order_{L})? ({_} frame)? | order_{L} ({_} frame)?")
    cte_depth = min(1, max_depth)
    b.add("with_clause", f'{kw("WITH")} sp_talias cte_body ({o} "," (talias | sp_talias) cte_body){{0,{MAX_CTES - 1}}}')
    b.add("cte_body", f"{_} {as_kw} {o} {paren(f'query_c{cte_depth}')}")
    return b.text()


# ------------------------------------------------------------------------------------ compile + use


def _stop_ids(tokenizer, extra: Iterable[int] = ()) -> list[int]:
    ids = []
    for value in (getattr(tokenizer, "eos_token_id", None), *extra):
        for i in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(i, int) and i >= 0 and i not in ids:
                ids.append(i)
    return ids


def _tail_state(text: str) -> tuple[int | None, int | None, int]:
    """The end of generated SQL text, for the length caps: (characters inside a still-open '...'
    literal or None, length of the literal whose closing quote is the last character or None,
    length of the trailing run of word characters)."""
    in_string = in_ident = False
    string_len = run = 0
    closed_at, closed_len = -1, 0
    i = 0
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "'" and text.startswith("''", i):
                string_len += 1
                i += 2
                continue
            if ch == "'":
                in_string, closed_at, closed_len = False, i, string_len
            else:
                string_len += 1
            run = 0
        elif in_ident:
            in_ident = ch != '"'
            run = 0
        elif ch == "'":
            in_string, string_len, run = True, 0, 0
        elif ch == '"':
            in_ident, run = True, 0
        else:
            run = run + 1 if (ch.isalnum() or ch == "_") else 0
        i += 1
    if in_string:
        return string_len, None, 0
    return None, (closed_len if closed_at == len(text) - 1 else None), run


def within_caps(sql: str) -> bool:
    """True when no string literal is longer than MAX_STRING_CHARS and no bare word longer than
    MAX_WORD_CHARS (the caps the logits processor enforces on top of the grammar)."""
    for literal in re.findall(r"'((?:[^']|'')*)'?", sql):
        if len(literal.replace("''", "'")) > MAX_STRING_CHARS:
            return False
    bare = re.sub(r"'(?:[^']|'')*'?|\"[^\"]*\"?", " ", sql)
    return all(len(w) <= MAX_WORD_CHARS for w in re.findall(r"\w+", bare))


_WORD_PREFIX = re.compile(r"\w*")


def _word_prefix_len(text: str) -> int:
    match = _WORD_PREFIX.match(text)
    assert match is not None  # \w* matches every string, if only emptily
    return len(match.group())


class _TokenTables:
    """Per-tokenizer token classes for the length caps (which tokens close a string, start a word)."""

    def __init__(self, info, vocab: int):
        import torch  # torch: only where a model runs (`sql` never imports it)

        pieces = list(info.decoded_vocab)[:vocab]
        pieces += [b""] * (vocab - len(pieces))
        self.pieces = pieces
        texts = [p.decode("utf-8", errors="ignore") for p in pieces]
        self.starts_quote = torch.tensor([x.startswith("'") for x in texts], dtype=torch.bool)
        self.starts_escape = torch.tensor([x.startswith("''") for x in texts], dtype=torch.bool)
        self.chars_before_quote = torch.tensor([len(x.split("'", 1)[0]) for x in texts], dtype=torch.int32)
        self.word_prefix = torch.tensor([_word_prefix_len(x) for x in texts], dtype=torch.int32)
        self.longest_before_quote = int(self.chars_before_quote.max())
        self.longest_word_prefix = int(self.word_prefix.max())


class GrammarLogitsProcessor:
    """A ``transformers`` logits processor that masks every token the grammar does not allow.

    One per ``generate`` call (it holds the matchers' state). Works for batches and
    ``num_return_sequences``; a row that stopped (padding after its end) is left unconstrained.
    On top of the grammar it caps string literals at MAX_STRING_CHARS characters (then only a
    closing quote may follow) and bare words at MAX_WORD_CHARS (the grammar leaves both unbounded:
    bounded repetitions are slow in xgrammar).
    """

    def __init__(self, compiled, vocab_size: int, tables: _TokenTables | None = None):
        self.compiled = compiled
        self.vocab_size = vocab_size
        self.tables = tables
        self.matchers: list | None = None
        self.alive: list[bool] = []
        self.texts: list[bytearray] = []
        self.start = 0
        self.mask_seconds = 0.0  # time spent here (bitmask fill + apply), for measurements
        self.steps = 0

    def __call__(self, input_ids, scores):
        import torch  # torch: only where a model runs (`sql` never imports it)
        import xgrammar as xgr  # xgrammar: only when decoding under a grammar

        began = time.perf_counter()
        batch = input_ids.shape[0]
        if self.matchers is None:
            self.matchers = [xgr.GrammarMatcher(self.compiled) for _ in range(batch)]
            self.alive = [True] * batch
            self.texts = [bytearray() for _ in range(batch)]
            self.bitmask = xgr.allocate_token_bitmask(batch, self.vocab_size)
            self.start = input_ids.shape[1]
        elif batch != len(self.matchers):
            raise RuntimeError("GrammarLogitsProcessor: the batch size changed during generation")
        elif input_ids.shape[1] > self.start:
            last = input_ids[:, -1].tolist()
            for i, matcher in enumerate(self.matchers):
                if self.alive[i] and not matcher.is_terminated():
                    if matcher.accept_token(last[i]):
                        if self.tables is not None and last[i] < len(self.tables.pieces):
                            self.texts[i] += self.tables.pieces[last[i]]
                    else:
                        self.alive[i] = False  # a finished row getting padding: stop constraining it
        constrained = []
        for i, matcher in enumerate(self.matchers):
            if self.alive[i] and not matcher.is_terminated():
                matcher.fill_next_token_bitmask(self.bitmask, i)
                constrained.append(i)
        if constrained:
            width = scores.shape[-1]
            target = scores if scores.device.type in ("cpu", "cuda") else scores.to("cpu")
            if target.dtype not in (torch.float32, torch.float16, torch.bfloat16):
                target = target.float()
            xgr.apply_token_bitmask_inplace(
                target, self.bitmask.to(target.device), vocab_size=min(width, self.vocab_size), indices=constrained
            )
            if width > self.vocab_size:  # model padding beyond the tokenizer: never a valid token
                target[constrained, self.vocab_size :] = float("-inf")
            if self.tables is not None:
                for i in constrained:
                    self._cap(target, i)
            if target is not scores:
                scores = target.to(scores.device, scores.dtype)
        self.steps += 1
        self.mask_seconds += time.perf_counter() - began
        return scores

    def _cap(self, scores, row: int) -> None:
        """Force the end of an over-long string literal or word, when the grammar allows one."""
        import torch  # torch: only where a model runs (`sql` never imports it)

        open_len, closed_len, run = _tail_state(self.texts[row].decode("utf-8", errors="ignore"))
        t = self.tables  # the common case returns before any vocabulary-sized tensor work
        assert t is not None  # __call__ caps only with token tables
        if open_len is not None:  # inside '...': nothing that would run past the cap
            if open_len + t.longest_before_quote <= MAX_STRING_CHARS:
                return
            banned = t.chars_before_quote > MAX_STRING_CHARS - open_len
            if open_len >= MAX_STRING_CHARS:
                banned = banned | t.starts_escape
        elif closed_len is not None and closed_len >= MAX_STRING_CHARS:
            banned = t.starts_quote  # no '' escape that would reopen it
        elif run + t.longest_word_prefix > MAX_WORD_CHARS:
            banned = t.word_prefix > MAX_WORD_CHARS - run
        else:
            return
        n = min(scores.shape[-1], banned.shape[0])
        banned = banned[:n].to(scores.device)
        row_scores = scores[row, :n]
        if bool((torch.isfinite(row_scores) & ~banned).any()):  # else the grammar needs more: let it
            row_scores.masked_fill_(banned, float("-inf"))


class GrammarCache:
    """Compiled grammars by (tokenizer, catalog fingerprint, tables, dialect, limits); LRU-bounded.

    ``processor`` returns a fresh logits processor each call (one per ``generate``); compiling
    happens only the first time a key is seen. Thread-safe.
    """

    def __init__(self, max_entries: int = 32, max_select_items: int = 8, max_depth: int = 2, max_threads: int = 8):
        self.max_entries = max_entries
        self.max_select_items = max_select_items
        self.max_depth = max_depth
        self.max_threads = max_threads
        self._lock = threading.Lock()
        # (id(tokenizer), vocab size, stop ids) -> (tokenizer, compiler, vocab, token tables)
        self._compilers: dict[tuple[int, int | None, tuple[int, ...]], tuple] = {}
        self._compiled: OrderedDict[tuple, object] = OrderedDict()
        self.last_compile_ms: float | None = None  # wall time of the most recent compile (grammar text + xgrammar)

    def _compiler(self, tokenizer, vocab_size: int | None, stop_token_ids: Sequence[int]):
        import xgrammar as xgr  # xgrammar: only when decoding under a grammar

        key = (id(tokenizer), vocab_size, tuple(stop_token_ids))
        entry = self._compilers.get(key)
        if entry is None or entry[0] is not tokenizer:
            vocab = max(int(vocab_size or 0), len(tokenizer))
            info = xgr.TokenizerInfo.from_huggingface(
                tokenizer, vocab_size=vocab, stop_token_ids=_stop_ids(tokenizer, stop_token_ids) or None
            )
            compiler = xgr.GrammarCompiler(info, max_threads=self.max_threads, cache_enabled=False)
            # The tokenizer is kept so that its id is never reused by another object.
            entry = (tokenizer, compiler, vocab, _TokenTables(info, vocab))
            self._compilers[key] = entry
        return entry

    def prepare(self, tokenizer, *, vocab_size: int | None = None, stop_token_ids: Sequence[int] = ()) -> None:
        """Build the per-tokenizer tables now (about 1-2 s for a 262k vocabulary), e.g. at model load."""
        with self._lock:
            self._compiler(tokenizer, vocab_size, stop_token_ids)

    def compiled(
        self,
        tokenizer,
        catalog: Catalog,
        tables: Sequence[str] | None = None,
        *,
        vocab_size: int | None = None,
        stop_token_ids: Sequence[int] = (),
    ):
        """(CompiledGrammar, vocab size, token tables) for this tokenizer/catalog/table set."""
        import xgrammar as xgr  # xgrammar: only when decoding under a grammar

        table_key = None if tables is None else tuple(sorted(set(tables)))
        key = (
            id(tokenizer),
            catalog.fingerprint,
            table_key,
            catalog.dialect,
            vocab_size,
            tuple(stop_token_ids),
            self.max_select_items,
            self.max_depth,
        )
        with self._lock:
            _, compiler, vocab, token_tables = self._compiler(tokenizer, vocab_size, stop_token_ids)
            hit = self._compiled.get(key)
            if hit is not None:
                self._compiled.move_to_end(key)
                return hit, vocab, token_tables
            began = time.perf_counter()
            text = sql_grammar(
                catalog, list(tables) if tables is not None else None, self.max_select_items, self.max_depth
            )
            result = compiler.compile_grammar(xgr.Grammar.from_ebnf(text))
            self.last_compile_ms = (time.perf_counter() - began) * 1000
            self._compiled[key] = result
            while len(self._compiled) > self.max_entries:
                self._compiled.popitem(last=False)
            return result, vocab, token_tables

    def processor(
        self,
        tokenizer,
        catalog: Catalog,
        tables: Sequence[str] | None = None,
        *,
        vocab_size: int | None = None,
        stop_token_ids: Sequence[int] = (),
    ) -> GrammarLogitsProcessor:
        """A fresh logits processor for one ``model.generate`` call.

        ``vocab_size``: the model's output width (``model.config.vocab_size``) when it exceeds
        the tokenizer's; ``stop_token_ids``: extra ids that end generation (the generation
        config's ``eos_token_id``), allowed once the statement is complete.
        """
        compiled, vocab, token_tables = self.compiled(
            tokenizer, catalog, tables, vocab_size=vocab_size, stop_token_ids=stop_token_ids
        )
        return GrammarLogitsProcessor(compiled, vocab, token_tables)


_DEFAULT_CACHE = GrammarCache()


def default_cache() -> GrammarCache:
    """The process-wide cache (share it: compiling is the expensive part)."""
    return _DEFAULT_CACHE


# ------------------------------------------------------------------------------------------ checking

_TEXT_CACHE: OrderedDict[str, object] = OrderedDict()
_TEXT_LOCK = threading.Lock()


def _text_compiled(grammar_text: str):
    """A grammar compiled without a tokenizer (string matching only), cached by its text."""
    import xgrammar as xgr  # xgrammar: only when decoding under a grammar

    with _TEXT_LOCK:
        hit = _TEXT_CACHE.get(grammar_text)
        if hit is None:
            compiler = xgr.GrammarCompiler(xgr.TokenizerInfo([]), cache_enabled=False)
            hit = compiler.compile_grammar(xgr.Grammar.from_ebnf(grammar_text))
            _TEXT_CACHE[grammar_text] = hit
            while len(_TEXT_CACHE) > 16:
                _TEXT_CACHE.popitem(last=False)
        else:
            _TEXT_CACHE.move_to_end(grammar_text)
        return hit


def grammar_accepts(grammar_text: str, sql: str) -> bool:
    """True when the whole of ``sql`` is a complete sentence of the grammar ``grammar_text``."""
    import xgrammar as xgr  # xgrammar: only when decoding under a grammar

    matcher = xgr.GrammarMatcher(_text_compiled(grammar_text), terminate_without_stop_token=True)
    return bool(matcher.accept_string(sql)) and matcher.is_terminated() and within_caps(sql)


def accepts(
    catalog: Catalog, sql: str, tables: list[str] | None = None, max_select_items: int = 8, max_depth: int = 2
) -> bool:
    """True when the schema grammar for ``catalog`` (and ``tables``) admits the full statement ``sql``."""
    return grammar_accepts(sql_grammar(catalog, tables, max_select_items, max_depth), sql)
