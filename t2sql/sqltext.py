"""SQL as text, before any database is involved: where a statement ends, what it starts with,
and a canonical form for comparing two statements. Shared by intake, prompt, generation and the lab."""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

# SQLAlchemy backend name -> the sqlglot dialect the guard, explainer and comparisons parse in.
DIALECTS = {"duckdb": "duckdb", "sqlite": "sqlite", "postgresql": "postgres"}

# Any statement keyword at a line start; the guard decides later whether it may run.
STATEMENT_START = re.compile(
    r"^\s*\(?\s*(WITH|SELECT|INSERT|UPDATE|DELETE|DROP|CREATE|ALTER|MERGE|REPLACE|PRAGMA|ATTACH|DETACH|COPY|"
    r"EXPORT|IMPORT|INSTALL|LOAD|CALL|SET|RESET|VACUUM|TRUNCATE|GRANT|VALUES|FROM)\b",
    re.I | re.M,
)
READ_STARTS = frozenset({"WITH", "SELECT", "VALUES", "FROM"})


def statement_end(text: str) -> int | None:
    """Index just past the first ``;`` outside quotes and comments, or None if the statement is open."""
    quote = None
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in ("'", '"', "`"):
            quote = ch
        elif text.startswith("--", i):
            nl = text.find("\n", i)
            if nl < 0:
                return None
            i = nl
        elif ch == ";":
            return i + 1
        i += 1
    return None


def starts_non_read(text: str) -> bool:
    """The text opens with a statement keyword the guard will refuse (CREATE, DELETE, PRAGMA …)."""
    match = STATEMENT_START.match(text)
    return match is not None and match.group(1).upper() not in READ_STARTS


def parse(sql: str, dialect: str) -> exp.Expr | None:
    try:
        tree = sqlglot.parse_one(sql, read=dialect) if sql and sql.strip() else None
    except (SqlglotError, ValueError, RecursionError):
        return None
    return tree


def canonical(sql: str, dialect: str) -> str | None:
    """Identifiers lowercased and unquoted, table aliases renamed in order of appearance."""
    tree = parse(sql, dialect)
    if tree is None:
        return None
    for ident in tree.find_all(exp.Identifier):
        ident.set("this", ident.name.lower())
        ident.set("quoted", False)
    aliases: dict[str, str] = {}
    for alias in tree.find_all(exp.TableAlias):
        if isinstance(alias.parent, (exp.Table, exp.Subquery)) and alias.name:
            new = aliases.setdefault(alias.name, f"_t{len(aliases) + 1}")
            alias.set("this", exp.to_identifier(new))
    for column in tree.find_all(exp.Column):
        if column.table in aliases:
            column.set("table", exp.to_identifier(aliases[column.table]))
    try:
        return tree.sql(dialect=dialect, comments=False)
    except (SqlglotError, ValueError):
        return None
