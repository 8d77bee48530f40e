"""The lab's procedural business databases: 13 domains (HR, logistics, accounting, clinic, academy, SaaS,
retail, hotel, real estate, manufacturing, insurance, food delivery, fitness) described in
``data/domains.yaml`` and realised in variants (alternative table and column names, optional columns and
tables, other category values, column types and row counts) as DuckDB files with Korean annotations in the
``schemas/*.yaml`` format, so the model learns to read schemas it has never seen."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from t2sql.db.korean_names import EMAIL_DOMAINS, EMAIL_WORDS, GIVEN_FIRST, GIVEN_LAST, REGIONS, SURNAMES

DOMAINS_FILE = Path(__file__).resolve().parents[1] / "data" / "domains.yaml"


@dataclass
class ColSpec:
    names: list[str]
    optional: bool
    gen: str
    descs: list[str]
    syns: list[str]
    opts: dict


@dataclass
class TabSpec:
    names: list[str]
    optional: bool
    counter: str
    rows: tuple[int, int]
    descs: list[str]
    syns: list[str]
    cols: list[ColSpec] = field(default_factory=list)


@cache
def load_domains(path: Path = DOMAINS_FILE) -> dict[str, tuple[str, list[TabSpec]]]:
    """``domains.yaml`` -> {domain: (Korean description, [TabSpec])}, in file order; read once, never changed."""
    return {
        key: (d["description"], [_table_spec(t) for t in d["tables"]])
        for key, d in yaml.safe_load(path.read_text(encoding="utf-8")).items()
    }


def _table_spec(t: dict) -> TabSpec:
    cols = [
        ColSpec(
            c["names"],
            c.get("optional", False),
            c["gen"],
            c.get("descriptions", [""]),
            c.get("synonyms", []),
            c.get("options", {}),
        )
        for c in t["columns"]
    ]
    return TabSpec(
        t["names"], t.get("optional", False), t["counter"], tuple(t["rows"]), t["descriptions"], t["synonyms"], cols
    )


@dataclass
class VCol:
    name: str
    spec: ColSpec
    type: str
    ref: str | None = None  # referenced table name for foreign keys
    ref_col: str | None = None
    values: list | None = None  # for cat: the chosen value set


@dataclass
class VTab:
    key: str
    name: str
    spec: TabSpec
    rows: int
    cols: list[VCol]

    @property
    def pk(self) -> VCol:
        return next(c for c in self.cols if c.spec.gen == "pk")


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def realise(domain: str, variant: int, seed: int) -> list[VTab]:
    """One variant of a domain: names, optional parts, value sets, types and row counts."""
    rng = random.Random(f"{seed}:{domain}:{variant}:schema")
    _, specs = load_domains()[domain]
    id_type = "BIGINT" if rng.random() < 0.2 else "INTEGER"
    out: dict[str, VTab] = {}
    used_names: set[str] = set()
    for ts in specs:
        if ts.optional and rng.random() < 0.4:
            continue
        name = ts.names[0] if variant == 0 else rng.choice([n for n in ts.names if n not in used_names] or ts.names)
        used_names.add(name)
        cols: list[VCol] = []
        for cs in ts.cols:
            if cs.optional and rng.random() < 0.4:
                continue
            cname = cs.names[0] if variant == 0 else rng.choice(cs.names)
            kind, _, arg = cs.gen.partition(":")
            col = VCol(cname, cs, "VARCHAR")
            if kind in ("pk", "fk"):
                col.type = id_type
                if kind == "fk":
                    parent = out.get(arg)
                    if parent is None:
                        continue
                    col.ref, col.ref_col = parent.name, parent.pk.name
                    if parent.pk.name != "id" and rng.random() < 0.85:
                        col.name = parent.pk.name
            elif kind in ("int",):
                col.type = "INTEGER"
            elif kind == "money":
                hi = float(arg.split(",")[1])
                col.type = rng.choice((["INTEGER"] if hi < 2e9 else []) + ["BIGINT", "DECIMAL(14,2)"])
            elif kind == "float":
                col.type = "DOUBLE"
            elif kind in ("date", "ts"):
                col.type = "DATE" if kind == "date" else "TIMESTAMP"
            elif kind == "after":
                after = arg.split(",")[0]
                base = next((c for c in cols if c.spec.names[0] == after or c.name == after), None)
                if base is None:
                    continue
                col.type = base.type
            elif kind == "bool":
                col.type = "BOOLEAN"
            elif kind == "cat":
                col.values = rng.choice(arg.split("/")).split(",")
            if any(c.name == col.name for c in cols):
                free = all(c.name != cs.names[0] for c in cols)
                col.name = cs.names[0] if free else f"{ts.names[0][:3]}_{cs.names[0]}"
            cols.append(col)
        lo, hi = ts.rows
        out[ts.names[0]] = VTab(ts.names[0], name, ts, rng.randint(lo, hi), cols)
    return list(out.values())


def _person(rng: random.Random) -> str:
    """Surname by its real frequency, then two given-name syllables (the second by gender)."""
    return _weighted(rng, SURNAMES) + rng.choice(GIVEN_FIRST) + rng.choice(GIVEN_LAST[rng.choice(list(GIVEN_LAST))])


def _gen_column(col: VCol, n: int, rng: random.Random, done: dict, ids: dict) -> list:
    kind, _, arg = col.spec.gen.partition(":")
    a = arg.split(",") if arg else []
    vals: list[object]
    if kind == "pk":
        vals = list(range(1, n + 1))
    elif kind == "fk":
        parent = ids[col.ref]
        weights = [1 / (i + 1) ** 0.6 for i in range(len(parent))]
        rng.shuffle(weights)
        vals = rng.choices(parent, weights, k=n)
    elif kind == "person":
        vals = [_person(rng) for _ in range(n)]
    elif kind == "city":
        vals = [_weighted(rng, REGIONS) for _ in range(n)]
    elif kind == "cat":
        assert col.values is not None  # realise() gives every cat column its value set
        w = sorted((rng.uniform(0.3, 3.0) for _ in col.values), reverse=True)
        vals = rng.choices(col.values, w, k=n)
    elif kind == "pool":
        pool = rng.sample(a, len(a))
        vals = [pool[i] if i < len(pool) else f"{pool[i % len(pool)]} {i // len(pool) + 1}" for i in range(n)]
    elif kind == "combo":
        mods, bases = (p.split(",") for p in arg.split("/"))
        vals = [f"{rng.choice(mods)} {rng.choice(bases)}" for _ in range(n)]
    elif kind == "text":
        vals = [rng.choice(a) for _ in range(n)]
    elif kind == "code":
        vals = [f"{arg}{rng.randint(1, 20):02d}{i:03d}" for i in range(1, n + 1)]
    elif kind == "int":
        vals = [rng.randint(int(a[0]), int(a[1])) for _ in range(n)]
    elif kind == "money":
        lo, hi, step = (float(x) for x in a)
        if lo <= 0:
            draw = lambda: rng.uniform(lo, hi)  # noqa: E731
        else:  # log-uniform: amounts spread over orders of magnitude
            draw = lambda: math.exp(rng.uniform(math.log(lo), math.log(hi)))  # noqa: E731
        vals = [int(round(draw() / step) * step) for _ in range(n)]
    elif kind == "float":
        vals = [round(rng.uniform(float(a[0]), float(a[1])), int(a[2])) for _ in range(n)]
    elif kind in ("date", "ts"):
        start, end = dt.date.fromisoformat(a[0]), dt.date.fromisoformat(a[1])
        days = [start + dt.timedelta(rng.randint(0, (end - start).days)) for _ in range(n)]
        vals = [
            d.isoformat()
            if kind == "date"
            else f"{d} {rng.choice(range(7, 23)):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
            for d in days
        ]
    elif kind == "after":
        base = done[next(c.name for c in done["__cols__"] if c.spec.names[0] == a[0] or c.name == a[0])]
        vals = []
        for b in base:
            if b is None:
                vals.append(None)
                continue
            later, hour = rng.randint(int(a[1]), int(a[2])), rng.randint(0, 8)
            d = dt.datetime.fromisoformat(b) + dt.timedelta(days=later, hours=hour)
            if d.year > 2025:
                vals.append(None)
            else:
                vals.append(d.date().isoformat() if len(b) == 10 else d.strftime("%Y-%m-%d %H:%M:%S"))
    elif kind == "bool":
        vals = [rng.random() < float(arg) for _ in range(n)]
    elif kind == "phone":
        vals = [f"010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}" for _ in range(n)]
    elif kind == "email":
        vals = [f"{rng.choice(EMAIL_WORDS)}{i}@{_weighted(rng, EMAIL_DOMAINS)}" for i in range(1, n + 1)]
    else:
        raise ValueError(f"unknown generator {col.spec.gen}")
    null = float(col.spec.opts.get("null", 0)) * rng.uniform(0.6, 1.3)
    if null and kind != "pk":
        vals = [None if rng.random() < null else v for v in vals]
    return vals


def build_database(path: Path, domain: str, variant: int, seed: int) -> tuple[dict, dict]:
    """Write one variant as a DuckDB file; returns (yaml-style annotations, question hints)."""
    vtabs = realise(domain, variant, seed)
    rng = random.Random(f"{seed}:{domain}:{variant}:data")
    ids: dict[str, list] = {}
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    annotations: dict[str, Any] = {"database": path.stem, "description": load_domains()[domain][0], "tables": {}}
    hints: dict = {}
    try:
        for vt in vtabs:
            data: dict = {"__cols__": vt.cols}
            for col in vt.cols:
                data[col.name] = _gen_column(col, vt.rows, rng, data, ids)
            ids[vt.name] = data[vt.pk.name]
            defs = [f"{c.name} {c.type}" + (" PRIMARY KEY" if c.spec.gen == "pk" else "") for c in vt.cols]
            defs += [f"FOREIGN KEY ({c.name}) REFERENCES {c.ref}({c.ref_col})" for c in vt.cols if c.ref]
            con.execute(f"CREATE TABLE {vt.name} ({', '.join(defs)})")
            frame = pd.DataFrame({c.name: data[c.name] for c in vt.cols}, dtype=object)
            con.register("_frame", frame)
            con.execute(f"INSERT INTO {vt.name} SELECT * FROM _frame")
            con.unregister("_frame")
            cols_note, col_hints = {}, {}
            for c in vt.cols:
                kind = c.spec.gen.split(":")[0]
                desc = rng.choice(c.spec.descs)
                if c.ref and rng.random() < 0.5:
                    desc += f" ({c.ref} 참조)"
                if kind not in ("pk", "fk") and rng.random() < 0.08:
                    desc = ""  # real schemas are never fully documented
                note: dict[str, object] = {"description": desc} if desc else {}
                if c.spec.syns:
                    note["synonyms"] = rng.sample(c.spec.syns, len(c.spec.syns))
                if kind in ("email", "phone"):
                    note["sensitive"] = True
                cols_note[c.name] = note
                col_hints[c.name] = {
                    "nouns": c.spec.syns,
                    "kind": {
                        "person": "label",
                        "pool": "label",
                        "combo": "label",
                        "text": "text",
                        "code": "label",
                        "city": "cat",
                        "cat": "cat",
                    }.get(kind),
                    "person": kind == "person",
                    "unit": c.spec.opts.get("unit", ""),
                    "ev": c.spec.opts.get("ev", ""),
                    "add": c.spec.opts.get("add", "1" if kind == "money" else "0") == "1",
                    "yes": c.spec.opts.get("yes", ""),
                    "no": c.spec.opts.get("no", ""),
                }
            annotations["tables"][vt.name] = {
                "description": rng.choice(vt.spec.descs),
                "synonyms": rng.sample(vt.spec.syns, len(vt.spec.syns)),
                "columns": cols_note,
            }
            hints[vt.name] = {"nouns": vt.spec.syns, "counter": vt.spec.counter, "cols": col_hints}
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return annotations, hints
