"""Link the words of a Korean question to the schema and to stored values.

* ``ValueIndex``: the distinct values of low-cardinality text columns; a question span links to a
  value by exact or case-insensitive match, by the glossary's Korean name of a proper noun
  (브라질 -> Brazil) or by transliteration (a Hangul loanword that sounds like the value).
* ``schema_links``: the tables and columns a question talks about, through the Korean names and
  synonyms in the annotations and Hangul loanwords that sound like identifier words (팩스 -> Fax).

Both feed the prompt: linked values become a section, linked columns decide the pruned DDL.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from t2sql.db.catalog import Catalog
from t2sql.fileio import write_text_atomic
from t2sql.guard.statement import tables_read
from t2sql.onboard.vocabulary import HANGUL, Glossary, hangul_words, phonetic_key, sounds_like, split_identifier, stems

MAX_VALUES_PER_COLUMN = 1000
MAX_VALUE_LENGTH = 60
LINKED_VALUE_ROLES = ("category", "name")
SOUND_MATCH = 0.95  # same consonant skeleton and similar vowels (sounds_like)


def fold(text: str) -> str:
    """Lowercase without accents (São Paulo ~ sao paulo). Hangul is composed again: decomposed into
    letters, a one-syllable value such as '수' (Wednesday) would be two characters long and match inside
    any word that starts with those letters (숙소, 수량) or the counter in "독자 수"."""
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare)


@dataclass(frozen=True)
class ValueLink:
    table: str
    column: str
    value: str
    how: str  # exact / case / korean / sound
    span: str  # the words of the question it came from

    def render(self) -> str:
        return f"{self.table}.{self.column} = '{self.value}'"


class ValueIndex:
    """Distinct values per ``table.column``, saved as JSON in the database's onboarding folder."""

    def __init__(self, values: dict[str, list[str]]):
        self.values = values
        self._by_lower: dict[str, list[tuple[str, str, str]]] = {}
        self._words: dict[str, list[tuple[str, str, str]]] = {}
        self._by_sound: dict[str, list[str]] = {}  # phonetic key -> value words (a sound match needs the same key)
        for key, vals in values.items():
            table, column = key.split(".", 1)
            for v in vals:
                self._by_lower.setdefault(fold(v), []).append((table, column, v))
                for w in re.findall(r"[A-Za-z][A-Za-z'\-]{2,}", fold(v)):
                    self._words.setdefault(w.lower(), []).append((table, column, v))
        for w in self._words:
            if len(w) >= 4:
                self._by_sound.setdefault(phonetic_key(w), []).append(w)

    @classmethod
    def build(cls, con, annotations: dict, catalog: Catalog) -> ValueIndex:
        """From the DuckDB snapshot: every category/name column with at most MAX_VALUES_PER_COLUMN
        values; never a sensitive column (its values must not reach a prompt)."""
        values = {}
        for tname, note in (annotations.get("tables") or {}).items():
            table = catalog.tables.get(tname)
            sensitive = {c.name for c in table.columns if c.sensitive} if table else set()
            for cname, cnote in (note.get("columns") or {}).items():
                if cnote.get("role") not in LINKED_VALUE_ROLES or cname in sensitive:
                    continue
                t, c = '"' + tname.replace('"', '""') + '"', '"' + cname.replace('"', '""') + '"'
                rows = con.execute(
                    f"SELECT DISTINCT CAST({c} AS VARCHAR) FROM {t} WHERE {c} IS NOT NULL "
                    f"LIMIT {MAX_VALUES_PER_COLUMN + 1}"
                ).fetchall()
                vals = sorted(str(r[0]) for r in rows if r[0] is not None and 0 < len(str(r[0])) <= MAX_VALUE_LENGTH)
                if 0 < len(rows) <= MAX_VALUES_PER_COLUMN:
                    values[f"{tname}.{cname}"] = vals
        return cls(values)

    def save(self, path: Path) -> None:
        write_text_atomic(path, json.dumps(self.values, ensure_ascii=False))  # read by the app while onboarding

    @classmethod
    def load(cls, path: Path) -> ValueIndex | None:
        return cls(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else None

    def link(self, question: str, glossary: Glossary, limit: int = 6) -> list[ValueLink]:
        """Values the question names, longest span first, at most ``limit``; never a value the
        question does not contain in some form."""
        found: dict[tuple[str, str, str], ValueLink] = {}
        low = fold(question)
        for value_low, targets in self._by_lower.items():
            if len(value_low) < 2 or value_low.isdigit():
                continue  # one letter or syllable ('M', '수', '남') is too ambiguous to link from a question
            pattern = r"(?<![0-9A-Za-z])" + re.escape(value_low) + r"(?![0-9A-Za-z])"
            if value_low.isascii() and not re.search(pattern, low):
                continue
            if not value_low.isascii() and (len(value_low) < 2 or value_low not in low):
                continue
            for table, column, value in targets:
                how = "exact" if value in question else "case"
                found.setdefault((table, column, value), ValueLink(table, column, value, how, value))
        proper = glossary.korean_to_proper
        native = glossary.korean_terms
        for token in HANGUL.findall(question):
            words = stems(token)
            named = [proper[w] for w in words if w in proper]
            if named:  # a known proper noun (브라질 -> Brazil): no guessing by sound
                for table, column, value in self._by_lower.get(fold(named[0]), []):
                    found.setdefault((table, column, value), ValueLink(table, column, value, "korean", token))
                continue
            for word in words:
                if word in native or len(phonetic_key(word)) < 3:
                    continue  # short skeletons collide with native words (얼마 ~ Rome)
                for eng_word in self._by_sound.get(phonetic_key(word), []):
                    if sounds_like(word, eng_word) >= SOUND_MATCH:
                        for table, column, value in self._words[eng_word]:
                            if len(value.split()) <= 3:
                                found.setdefault(
                                    (table, column, value), ValueLink(table, column, value, "sound", token)
                                )
        ranked = sorted(found.values(), key=lambda v: (v.how not in ("exact", "case"), -len(v.span), v.value))
        return ranked[:limit]


def place(links: list[ValueLink], tables: list[str], max_tables: int) -> list[ValueLink]:
    """The links to show: for each question span, its columns in tables already shown, else the first
    one, whose table then joins ``tables`` (in place) while there is room."""
    chosen: list[ValueLink] = []
    for span in dict.fromkeys(v.span for v in links):
        options = [v for v in links if v.span == span]
        shown = [v for v in options if v.table in tables]
        if not shown and len(tables) < max_tables:
            tables.append(options[0].table)
            shown = options[:1]
        chosen += shown
    return chosen


def schema_links(question: str, catalog: Catalog, annotations: dict, glossary: Glossary) -> dict[str, set[str]]:
    """``{table: {columns}}`` the question names (an empty set = the table itself)."""
    native = glossary.korean_terms
    low = question.lower()
    words = hangul_words(question)
    ascii_words = {w.lower() for w in re.findall(r"[A-Za-z]{2,}", question)}
    out: dict[str, set[str]] = {}
    notes = annotations.get("tables") or {}

    def mentioned(identifier: str, names: list[str]) -> bool:
        if any(n and len(n) >= 2 and n.lower() in low for n in names):
            return True
        parts = split_identifier(identifier)
        if parts and all(p in ascii_words for p in parts):
            return True
        return any(
            len(phonetic_key(w)) >= 3 and any(sounds_like(w, p) >= 0.9 for p in parts if len(p) >= 4)
            for w in words
            if HANGUL.fullmatch(w) and w not in native
        )

    for table in catalog.tables.values():
        note = notes.get(table.name) or {}
        if mentioned(table.name, [table.description, *table.synonyms]):
            out.setdefault(table.name, set())
        cnotes = note.get("columns") or {}
        for col in table.columns:
            if (cnotes.get(col.name) or {}).get("role") in ("key", "foreign_key"):
                continue
            if mentioned(col.name, [col.description, *col.synonyms]):
                out.setdefault(table.name, set()).add(col.name)
    return out


def name_sql_columns(named: dict[str, set[str]], sqls: Iterable[str], catalog: Catalog) -> None:
    """Add the tables and columns the SQL shown in the prompt reads (an answer, the examples, the previous
    turn) to ``named`` (in place), so the pruned DDL never hides a column the prompt's own SQL reads.
    Columns are found by word match: enough to keep them in a pruned DDL."""
    for sql in sqls:
        words = {w.lower() for w in re.findall(r"[A-Za-z_가-힣][A-Za-z0-9_가-힣]*", sql)}
        for table in tables_read(sql, catalog):
            columns = catalog.tables[table].columns
            named.setdefault(table, set()).update(c.name for c in columns if c.name.lower() in words)


PRUNE_ABOVE = 6  # tables with at most this many columns are shown whole
MIN_KEPT = 3  # non-key columns kept per pruned table even when the question names none
ROLE_ORDER = ("name", "category", "measure", "date", "flag", "text")


def prune(
    catalog: Catalog, annotations: dict, tables: list[str], named: dict[str, set[str]], values: Sequence[ValueLink] = ()
) -> dict[str, set[str]]:
    """Columns to show per wide table: the ones the question names or has values for, then the most
    telling others by role (a table's name column first) up to ``MIN_KEPT``. Keys are always shown
    by ``Table.ddl``."""
    notes = annotations.get("tables") or {}
    keep: dict[str, set[str]] = {}
    for name in tables:
        table = catalog.tables.get(name)
        if table is None or len(table.columns) <= PRUNE_ABOVE:
            continue
        chosen = set(named.get(name, set())) | {v.column for v in values if v.table == name}
        roles = {c: (n or {}).get("role", "") for c, n in ((notes.get(name) or {}).get("columns") or {}).items()}
        ranked = sorted(
            (c.name for c in table.columns if roles.get(c.name) in ROLE_ORDER), key=lambda c: ROLE_ORDER.index(roles[c])
        )
        for col in ranked:
            if len(chosen) >= MIN_KEPT:
                break
            chosen.add(col)
        keep[name] = chosen
    return keep
