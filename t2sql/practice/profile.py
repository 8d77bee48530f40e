"""What practice questions can say about a database: each column's role (category, number, date, label,
flag), its frequent values, quantiles, months and LIKE tokens, and the Korean nouns for it (from hints)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from t2sql.db.catalog import Catalog
from t2sql.generation.grammar import needs_quotes


@dataclass
class PCol:
    name: str
    kind: str  # cat / num / date / label / text / bool / other
    nouns: list[str]
    sensitive: bool = False
    has_null: bool = False
    values: list = field(default_factory=list)  # cat: most frequent first
    quant: list = field(default_factory=list)  # num: 30/50/70 % quantiles
    months: list = field(default_factory=list)  # date: (year, month) with data
    tokens: list = field(default_factory=list)  # label/text: LIKE tokens
    labels: list = field(default_factory=list)  # label: some exact values
    hint: dict = field(default_factory=dict)


@dataclass
class PTab:
    name: str
    nouns: list[str]
    counter: str
    pk: str | None
    fks: list[tuple[str, str, str]]
    cols: list[PCol]
    alias: str


_KOREAN_WORD = re.compile(r"[가-힣_][가-힣a-z0-9_]*")


def writes_bare(name: str, dialect: str) -> bool:
    """The templates write names bare (`FROM {T}`, `total_{A}`), so a table, column or key is used only when its
    bare name means itself: not "Order Details", not a reserved word. Korean words are bare in every engine
    (the grammar's ``needs_quotes`` quotes them only to keep its own vocabulary ASCII)."""
    return not needs_quotes(name, dialect) or bool(_KOREAN_WORD.fullmatch(name))


def profile(catalog: Catalog, con, hints: dict) -> dict[str, PTab]:
    """What the templates need to know about each table: column roles, values, ranges and Korean nouns."""
    out = {}
    for t in catalog.tables.values():
        th = hints.get(t.name) or {}
        if not th.get("nouns") or not writes_bare(t.name, catalog.dialect):
            continue
        n_rows = con.execute(f'SELECT COUNT(*) FROM "{t.name}"').fetchone()[0]
        fk_cols = {c for fk in t.foreign_keys for c in fk.columns}
        pk = next((c.name for c in t.columns if c.primary_key and writes_bare(c.name, catalog.dialect)), None)
        cols = []
        for c in t.columns:
            h = (th.get("cols") or {}).get(c.name) or {}
            nouns = [n for n in h.get("nouns") or [] if n]
            if not nouns or c.primary_key or c.name in fk_cols or c.name.endswith("_id") or c.name == "id":
                continue
            if not writes_bare(c.name, catalog.dialect):
                continue
            typ = c.type.upper()
            q = f'"{c.name}"'
            cnt, distinct = con.execute(f'SELECT COUNT({q}), COUNT(DISTINCT {q}) FROM "{t.name}"').fetchone()
            if cnt == 0:
                continue
            pc = PCol(c.name, "other", nouns, c.sensitive, cnt < n_rows, hint=h)
            if typ == "BOOLEAN":
                pc.kind = "bool" if h.get("yes") else "other"
            elif typ in ("DATE", "TIMESTAMP") or typ.startswith("TIMESTAMP"):
                pc.kind = "date"
                pc.months = [
                    tuple(map(int, r[0].split("-")))
                    for r in con.execute(
                        f"SELECT DISTINCT strftime({q}, '%Y-%m') FROM \"{t.name}\" WHERE {q} IS NOT NULL ORDER BY 1"
                    ).fetchall()
                ]
            elif any(k in typ for k in ("INT", "DOUBLE", "DECIMAL", "FLOAT", "REAL", "NUMERIC")):
                pc.kind = "num"
                pc.quant = [
                    float(x)
                    for x in con.execute(
                        f"SELECT quantile_cont({q}, 0.3), quantile_cont({q}, 0.5), quantile_cont({q}, 0.7) "
                        f'FROM "{t.name}"'
                    ).fetchone()
                ]
            elif c.sensitive:
                pc.kind = "other"
            else:
                kind = h.get("kind")
                if kind is None:
                    kind = (
                        "label"
                        if any(w in c.name for w in ("name", "title")) and distinct > 0.5 * cnt
                        else "cat"
                        if distinct <= 30
                        else "text"
                    )
                pc.kind = kind
                if kind == "cat":
                    pc.values = [
                        r[0]
                        for r in con.execute(
                            f'SELECT {q}, COUNT(*) n FROM "{t.name}" WHERE {q} IS NOT NULL GROUP BY {q} '
                            f"ORDER BY n DESC, {q} LIMIT 12"
                        ).fetchall()
                    ]
                else:
                    vals = [
                        r[0]
                        for r in con.execute(
                            f'SELECT {q} FROM "{t.name}" WHERE {q} IS NOT NULL ORDER BY {q} LIMIT 400'
                        ).fetchall()
                    ]
                    if h.get("person"):
                        counts = Counter(v[0] for v in vals if re.match(r"[가-힣]", v))
                        pc.tokens = [("prefix", s) for s, k in counts.most_common(6) if k >= 2]
                    else:
                        counts = Counter(
                            w for v in vals for w in dict.fromkeys(str(v).split()) if re.fullmatch(r"[가-힣]{2,}", w)
                        )
                        pc.tokens = [("contains", w) for w, k in counts.most_common(8) if k >= 2 and k < len(vals)]
                    if kind == "label":
                        pc.labels = [v for v, k in Counter(vals).most_common(30) if "'" not in str(v)]
            cols.append(pc)
        out[t.name] = PTab(
            t.name,
            th["nouns"],
            th.get("counter") or "건",
            pk,
            [
                (fk.columns[0], fk.ref_table, fk.ref_columns[0])
                for fk in t.foreign_keys
                if len(fk.columns) == 1 and fk.ref_table != t.name and writes_bare(fk.columns[0], catalog.dialect)
            ],
            cols,
            _alias(t.name),
        )
    for tab in out.values():  # joins need the parent profiled too
        tab.fks = [fk for fk in tab.fks if fk[1] in out and out[fk[1]].pk == fk[2]]
    return out


SQL_WORDS = {
    "as",
    "at",
    "by",
    "do",
    "if",
    "in",
    "is",
    "no",
    "of",
    "on",
    "or",
    "to",
    "all",
    "and",
    "asc",
    "end",
    "for",
    "key",
    "not",
    "row",
    "set",
}


def _alias(name: str) -> str:
    initials = "".join(p[0] for p in name.split("_") if p)[:3]
    return next(a for a in (initials, name[:2], name[:3], name) if a and a not in SQL_WORDS)
