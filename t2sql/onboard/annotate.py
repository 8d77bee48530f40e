"""Korean annotations for a database nobody annotated: column roles, Korean names and synonyms.

The result has the shape of ``schemas/<db>.yaml`` (so the catalog reads it unchanged) plus a
``role`` per column; a human-written yaml always wins over it, field by field (``merge``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from t2sql.db.catalog import Catalog
from t2sql.onboard.snapshot import duck_type
from t2sql.onboard.vocabulary import Glossary, expand, romanized_readings, split_identifier, translate

ROLES = ("key", "foreign_key", "date", "flag", "measure", "category", "name", "text")
PERSON_WORDS = {
    "customer",
    "client",
    "employee",
    "user",
    "member",
    "student",
    "patient",
    "artist",
    "person",
    "people",
    "staff",
    "player",
    "driver",
    "agent",
    "author",
    "teacher",
    "doctor",
    "manager",
    "candidate",
    "buyer",
    "guest",
    "passenger",
    "traveler",
    "worker",
    "contact",
    "lead",
    "subscriber",
    "owner",
    "tenant",
    "rep",
    "salesperson",
    "instructor",
    "professor",
    "writer",
    "reader",
    "farmer",
    "rider",
    "seller",
}
ID_SUFFIXES = ("id", "no", "key", "cd", "code", "num", "seq", "sn")
NAME_WORDS = {"name", "title", "nm", "label"}
SUFFIX_WORDS = ("at", "on", "by", "yn", "flag")  # untranslated tails that add nothing to a Korean name
FLAG_PREFIXES = ("is", "has", "can")  # is_free -> 무료 여부, hasCoupon -> 쿠폰 여부
ADDITIVE = {
    "amount",
    "total",
    "price",
    "cost",
    "qty",
    "quantity",
    "revenue",
    "sales",
    "bytes",
    "size",
    "fee",
    "count",
    "cnt",
    "sum",
    "spend",
    "budget",
    "balance",
    "payment",
    "units",
    "duration",
    "milliseconds",
    "weight",
    "length",
    "volume",
    "salary",
    "tax",
    "discount",
}


@dataclass
class ColumnStats:
    rows: int
    non_null: int
    distinct: int
    avg_len: float
    duck_type: str


def column_stats(con, table: str, column: str, duck_type: str) -> ColumnStats:
    """Row, non-null and distinct counts (and average text length) from the DuckDB snapshot."""
    t, c = '"' + table.replace('"', '""') + '"', '"' + column.replace('"', '""') + '"'
    length = f"AVG(LENGTH(CAST({c} AS VARCHAR)))"
    rows, non_null, distinct, avg_len = con.execute(
        f"SELECT COUNT(*), COUNT({c}), COUNT(DISTINCT {c}), {length} FROM {t}"
    ).fetchone()
    return ColumnStats(rows, non_null, distinct, float(avg_len or 0), duck_type)


def column_role(name: str, primary_key: bool, foreign_key: bool, stats: ColumnStats) -> str:
    """One of ROLES from the column's type, name, cardinality and keys."""
    words = split_identifier(name)
    last = words[-1] if words else name.lower()
    if primary_key:
        return "key"
    if foreign_key:
        return "foreign_key"
    typ = stats.duck_type
    if typ == "BOOLEAN" or (stats.distinct <= 2 and (last in ("yn", "flag") or words[:1] in (["is"], ["has"]))):
        return "flag"
    if typ in ("DATE", "TIMESTAMP"):
        return "date"
    id_like = last in ID_SUFFIXES and stats.non_null and stats.distinct >= 0.9 * stats.non_null
    if typ in ("BIGINT", "DOUBLE") or typ.startswith("DECIMAL"):
        if last in ("id", "key", "seq"):  # a number named as an identifier is never a measure
            return "key" if id_like else "foreign_key"  # repeated: it refers to something (an undeclared key)
        return "measure"
    if id_like:
        return "key"
    if stats.avg_len > 60:
        return "text"
    if (stats.distinct <= 40 and stats.distinct <= 0.5 * stats.non_null) or stats.distinct <= 0.05 * stats.non_null:
        return "category"  # few values that repeat (a small table's unique phone numbers are not categories)
    if set(words) & NAME_WORDS or stats.distinct > 0.5 * max(1, stats.non_null):
        return "name"
    return "text"


def korean_names(
    identifier: str,
    glossary: Glossary,
    fallback: dict[str, list[str]] | None = None,
    readings: dict[str, str] | None = None,
) -> list[str]:
    """Korean renderings of an identifier, best first: ``BillingCountry`` -> ['청구 국가', '청구 나라', …].
    ``readings``: the schema's romanized Korean words read back (``schema_readings``).

    Empty when no word of it is known (a name made only of English words is no help)."""
    words = [w for w in expand(split_identifier(identifier), glossary) if w not in ("tbl", "t", "tb", "v")]
    if not words:
        return []
    phrases = translate(words, glossary, readings)
    fallback = fallback or {}
    phrases = [fallback.get(p[0], p) if len(p) == 1 and p[0] in words else p for p in phrases]
    untranslated = [len(p) == 1 and p[0] in words for p in phrases]
    if all(untranslated):
        return []
    if untranslated[-1] and phrases[-1][0] in SUFFIX_WORDS:  # enrolledAt -> 등록됨, not 등록됨 at
        phrases = phrases[:-1]
    if len(phrases) > 1 and untranslated[0] and phrases[0][0] in FLAG_PREFIXES:
        phrases = [*phrases[1:], ["여부"]]
    names = [" ".join(combo) for combo in itertools.islice(itertools.product(*(p[:3] for p in phrases)), 6)]
    return list(dict.fromkeys(names))


def _identifiers(catalog: Catalog) -> Iterator[str]:
    for table in catalog.tables.values():
        yield table.name
        yield from (c.name for c in table.columns)


def schema_readings(catalog: Catalog, glossary: Glossary) -> dict[str, str]:
    """The catalog's identifier words read back into Hangul when it is named in romanized Korean, else {}."""
    words = {w for name in _identifiers(catalog) for w in expand(split_identifier(name), glossary)}
    return romanized_readings(words, glossary)


def unknown_words(catalog: Catalog, glossary: Glossary, readings: dict[str, str] | None = None) -> set[str]:
    """Identifier words the glossary does not know (candidates for the embedding fallback)."""
    out = set()
    for name in _identifiers(catalog):
        for phrase in translate(expand(split_identifier(name), glossary), glossary, readings):
            if len(phrase) == 1 and phrase[0].isascii() and len(phrase[0]) >= 3:
                out.add(phrase[0])
    return out


def embedding_fallback(
    words: set[str], glossary: Glossary, embedder, min_similarity: float = 0.75
) -> dict[str, list[str]]:
    """English word -> Korean terms of the most similar glossary word (multilingual embedding)."""
    import numpy as np  # numpy: kept off the start-up path of `sql`

    keys = [k for k in glossary.words if " " not in k]
    if not words or not keys:
        return {}
    ask = sorted(words)
    a = np.asarray(embedder(ask), dtype=np.float32)
    b = np.asarray(embedder(keys), dtype=np.float32)
    a /= np.linalg.norm(a, axis=1, keepdims=True) + 1e-9
    b /= np.linalg.norm(b, axis=1, keepdims=True) + 1e-9
    sims = a @ b.T
    out = {}
    for i, word in enumerate(ask):
        j = int(sims[i].argmax())
        if sims[i, j] >= min_similarity:
            out[word] = glossary.words[keys[j]]
    return out


def annotate(catalog: Catalog, con, glossary: Glossary, embedder=None) -> dict:
    """The annotation dict (yaml shape, plus ``role`` per column) for ``catalog``; stats from ``con``
    (the DuckDB snapshot)."""

    readings = schema_readings(catalog, glossary)
    fallback = embedding_fallback(unknown_words(catalog, glossary, readings), glossary, embedder) if embedder else {}
    tables = {}
    for table in catalog.tables.values():
        fk_cols = {c for fk in table.foreign_keys for c in fk.columns}
        t_names = korean_names(table.name, glossary, fallback, readings)
        english = " ".join(split_identifier(table.name))
        columns = {}
        for col in table.columns:
            stats = column_stats(con, table.name, col.name, duck_type(col.type))
            role = column_role(col.name, col.primary_key, col.name in fk_cols, stats)
            names = korean_names(col.name, glossary, fallback, readings)
            last = (split_identifier(col.name) or [""])[-1]
            if role in ("key", "foreign_key") and names and last not in ID_SUFFIXES:
                names = [f"{names[0]} ID", *names]
            note: dict[str, object] = {"role": role}
            if names:
                note["description"] = names[0]
                note["synonyms"] = names[1:4]
            columns[col.name] = note
        entry = {"description": t_names[0] if t_names else "", "synonyms": [*t_names[1:4], english], "columns": columns}
        tables[table.name] = entry
    return {"generated": True, "tables": tables}


def merge(generated: dict, human: dict) -> dict:
    """``human`` (schemas/<db>.yaml) over ``generated``, key by key; lists and texts are replaced."""
    if not generated:
        return human
    out = dict(generated)
    for key, value in (human or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def hints(annotations: dict) -> dict:
    """What the question generator needs to talk about each table (``datagen.profile`` hints)."""
    out = {}
    for tname, note in (annotations.get("tables") or {}).items():
        nouns = [n for n in [note.get("description", ""), *(note.get("synonyms") or [])] if n and not n.isascii()]
        if not nouns:
            continue
        words = set(split_identifier(tname))
        cols = {}
        for cname, cnote in (note.get("columns") or {}).items():
            role = cnote.get("role", "")
            cn = [n for n in [cnote.get("description", ""), *(cnote.get("synonyms") or [])] if n and not n.isascii()]
            if role in ("key", "foreign_key") or not cn:
                continue
            cwords = set(split_identifier(cname))
            kind = {"category": "cat", "name": "label", "text": "text"}.get(role)
            yes, no = (f"{cn[0]}인", f"{cn[0]}이 아닌") if role == "flag" else ("", "")
            cols[cname] = {
                "nouns": cn[:2],
                "kind": kind,
                "person": False,
                "unit": "",
                "ev": "",
                "add": role == "measure" and bool(cwords & ADDITIVE),
                "yes": yes,
                "no": no,
            }
        out[tname] = {"nouns": nouns[:2], "counter": "명" if words & PERSON_WORDS else "개", "cols": cols}
    return out


def name_hints(catalog: Catalog, glossary: Glossary) -> None:
    """Korean synonyms from the glossary for every table and column nobody described, so retrieval
    can match a Korean question to a bare English schema before (or without) onboarding. Synonyms
    only: the prompt's DDL shows descriptions, never synonyms, so what the model reads is unchanged."""
    readings = schema_readings(catalog, glossary)
    for table in catalog.tables.values():
        if not table.description and not table.synonyms:
            table.synonyms = korean_names(table.name, glossary, readings=readings)[:4]
        for col in table.columns:
            if not col.description and not col.synonyms:
                col.synonyms = korean_names(col.name, glossary, readings=readings)[:3]


def quiet_samples(catalog: Catalog, annotations: dict) -> None:
    """Keep example values in the DDL only where they teach the value format (categories, names);
    phone numbers and free text in a prompt are copied into filters nobody asked for."""
    notes = annotations.get("tables") or {}
    for table in catalog.tables.values():
        cnotes = (notes.get(table.name) or {}).get("columns") or {}
        for col in table.columns:
            role = (cnotes.get(col.name) or {}).get("role")
            if role and role not in ("category", "name"):
                col.samples = []
            col.samples = [v for v in col.samples if sum(ch.isdigit() for ch in v) < 5]
