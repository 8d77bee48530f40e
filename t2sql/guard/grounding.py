"""Value grounding: a filter value that nobody said is a value the model made up.

A small model copies sample values from the schema's comments or from its training data into
WHERE clauses ("고객은 모두 몇 명이야?" -> ``WHERE Company = 'Apple Inc.'``). Such SQL runs and
returns a plausible but wrong number, which no error check catches. Every text value in a
correct query comes from what the user said: the question, the conversation it refines, or a
business definition in the prompt (none of the generator's 10,503 gold SQL has a value outside
its question). Numbers written as text ('1.99', '%123%') must be numbers the user said; dates,
times and format strings are not checked: they are derived ("2024년 3월" -> '2024-03-01').

Pure functions over the sqlglot tree; spacing, case, punctuation and LIKE wildcards are ignored.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

IGNORED = re.compile(r"[\W_]+")  # spaces, punctuation and LIKE wildcards
NUMBER = re.compile(r"\d+(?:\.\d+)?")
NUMERIC = re.compile(r"[%_\s]*[+-]?\d+(?:\.\d+)?[%_\s]*")  # a number written as text, maybe with wildcards
DATE_LIKE = re.compile(r"[\d\s:./T+-]*\d[-/:]\d[\d\s:./T+-]*")  # '2024-03-01', '2024-03', '09:30'
FORMAT = re.compile(r"%[A-Za-z]")  # strftime / to_char patterns such as '%Y-%m'


def _plain(text: str) -> str:
    return IGNORED.sub("", text).lower()


def text_values(sql: str, dialect: str) -> list[str]:
    """The quoted values in the SQL that a user would have to say (none if it does not parse)."""
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except SqlglotError:
        return []
    values = []
    for literal in tree.find_all(exp.Literal, bfs=False):  # in reading order
        value = literal.this
        if literal.is_string and _plain(value) and not DATE_LIKE.fullmatch(value) and not FORMAT.search(value):
            values.append(value)
    return list(dict.fromkeys(values))


def _said(value: str, heard: str, numbers: set[float]) -> bool:
    if NUMERIC.fullmatch(value):
        number = NUMBER.search(value)
        assert number is not None  # a NUMERIC full match always contains a NUMBER
        return float(number.group()) in numbers
    return _plain(value) in heard


def ungrounded_values(sql: str, said: str, dialect: str) -> list[str]:
    """Values in the SQL that do not occur in ``said`` (what the user and the definitions said)."""
    heard, numbers = _plain(said), {float(n) for n in NUMBER.findall(said)}
    return [value for value in text_values(sql, dialect) if not _said(value, heard, numbers)]


def describe(values: list[str]) -> str:
    """The Korean reason shown to the user and fed back to the model."""
    shown = ", ".join(f"'{v}'" for v in values[:3]) + (" 등" if len(values) > 3 else "")
    return f"질문에 없는 값 {shown}(으)로 데이터를 거르고 있습니다."
