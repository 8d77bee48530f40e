"""The natural corpus: Korean questions people would ask, with verified SQL, over 42 schemas the
project designed (``t2sql/data/natural/<schema>/``: ``schema.sql``, ``pairs.jsonl``).

``build_database`` turns a schema into a SQLite file; ``natural_records`` renders every pair as
training records the way inference prompts for them (``onboard.records``): bare English
identifiers, or annotated by onboarding's own vocabulary with pruned columns and linked values,
sometimes with few-shot examples. Some schemas are held out (``HELD_OUT``) to measure on.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from itertools import zip_longest
from pathlib import Path

import duckdb

from t2sql.db.catalog import build_catalog
from t2sql.db.engine import Database
from t2sql.fileio import read_jsonl, write_text_atomic
from t2sql.lab.datagen import generate_dataset
from t2sql.onboard.annotate import annotate, merge, quiet_samples
from t2sql.onboard.linking import ValueIndex
from t2sql.onboard.records import tables_read, training_record
from t2sql.onboard.snapshot import snapshot
from t2sql.onboard.vocabulary import load_glossary
from t2sql.tuning.data import load_records

NATURAL_DIR = Path(__file__).resolve().parents[1] / "data" / "natural"
HELD_OUT = {"test": ("airline", "hagwon", "energy_meter", "crm_sales"), "validation": ("webtoon",)}
TIME_DEPENDENT = ("'now'", "current_date", "current_timestamp")  # answers change with the clock


def schemas() -> list[str]:
    return sorted(p.name for p in NATURAL_DIR.iterdir() if (p / "pairs.jsonl").is_file())


def split_of(schema: str) -> str:
    return next((split for split, names in HELD_OUT.items() if schema in names), "train")


def read_pairs(schema: str, timeless: bool = True) -> list[dict]:
    """The schema's pairs; ``timeless`` leaves out those whose answer depends on today's date."""
    pairs = read_jsonl(NATURAL_DIR / schema / "pairs.jsonl")
    if timeless:
        pairs = [
            p
            for p in pairs
            if not any(t in (p["sql"] + (p.get("previous") or {}).get("sql", "")).lower() for t in TIME_DEPENDENT)
        ]
    return pairs


def build_database(schema: str, out_dir: Path) -> Path:
    """``<out_dir>/<schema>.sqlite`` from ``schema.sql`` (rebuilt when the script changes)."""
    script = (NATURAL_DIR / schema / "schema.sql").read_text(encoding="utf-8")
    digest = hashlib.sha256(script.encode()).hexdigest()[:12]
    path = Path(out_dir) / f"{schema}.sqlite"
    stamp = path.with_suffix(".sha")
    if path.is_file() and stamp.is_file() and stamp.read_text() == digest:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.executescript(script)
        con.commit()
    finally:
        con.close()
    tmp.replace(path)
    stamp.write_text(digest)
    return path


def onboarded(path: Path, work: Path):
    """(catalog, annotations, value index) of a built database, annotated by onboarding's vocabulary."""

    db = Database(f"sqlite:///{path}")
    bare = build_catalog(db, {}, 5)
    snap = snapshot(db, bare, work / f"{path.stem}.duckdb")
    con = duckdb.connect(str(snap), read_only=True)
    try:
        annotations = annotate(bare, con, load_glossary())
        values = ValueIndex.build(con, annotations, bare)
    finally:
        con.close()
    catalog = build_catalog(db, merge(annotations, {}), 5)
    quiet_samples(catalog, annotations)
    db.dispose()
    return bare, catalog, annotations, values


def natural_records(
    work: Path,
    seed: int = 0,
    annotated_share: float = 0.6,
    examples_share: float = 0.3,
    progress: Callable[[str], None] | None = None,
) -> dict[str, list[dict]]:
    """Training records per split (``train`` / ``validation`` / ``test``) for every natural pair."""

    rng = random.Random(seed)
    out: dict[str, list[dict]] = {"train": [], "validation": [], "test": []}
    for schema in schemas():
        path = build_database(schema, work)
        bare, catalog, annotations, values = onboarded(path, work)
        pairs = read_pairs(schema)
        by_table: dict[str, list[dict]] = {}
        for p in pairs:
            for t in tables_read(p["sql"], bare):
                by_table.setdefault(t, []).append(p)
        split = split_of(schema)
        for p in pairs:
            annotated = rng.random() < annotated_share
            examples = []
            if split == "train" and rng.random() < examples_share:
                pool = [q for t in tables_read(p["sql"], bare) for q in by_table.get(t, []) if q is not p]
                examples = rng.sample(pool, min(len(pool), rng.choice([1, 2, 3])))
            record = training_record(
                catalog if annotated else bare,
                annotations if annotated else {},
                values if annotated else None,
                p["question"],
                p["sql"],
                rng,
                schema,
                examples,
                p.get("previous"),
            )
            record.update(
                split=split, domain=schema, level=p.get("level", ""), rendering="annotated" if annotated else "bare"
            )
            out[split].append(record)
        if progress:
            progress(f"{schema}: {len(pairs)}개")
    return out


def write_records(out_dir: Path, records: dict[str, list[dict]]) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for split, rows in records.items():
        paths[split] = out_dir / f"{split}.jsonl"
        write_text_atomic(paths[split], "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return paths


def export_eval(work: Path, split: str = "test", per_schema: int = 10, seed: int = 0) -> list[tuple[Path, Path]]:
    """(database, questions file) per schema of a held-out split, for ``python -m t2sql eval``:
    ``per_schema`` stand-alone pairs drawn evenly across difficulty levels (0 = all)."""
    out = []
    for schema in (s for s in schemas() if split_of(s) == split):
        pairs = [p for p in read_pairs(schema) if not p.get("previous")]
        if per_schema:
            random.Random(seed).shuffle(pairs)
            by_level: dict[str, list[dict]] = {}
            for p in pairs:
                by_level.setdefault(p.get("level", ""), []).append(p)
            rounds = zip_longest(*(by_level[level] for level in sorted(by_level)))
            pairs = [p for group in rounds for p in group if p][:per_schema]
        rows = [
            {
                "id": f"{schema}-{n:03d}",
                "db_id": schema,
                "question": p["question"],
                "sql": p["sql"],
                "difficulty": p.get("level", "medium"),
                "order_matters": "ORDER BY" in p["sql"].upper() and "LIMIT" in p["sql"].upper(),
            }
            for n, p in enumerate(pairs)
        ]
        questions = Path(work) / f"{schema}.eval.jsonl"
        questions.parent.mkdir(parents=True, exist_ok=True)
        questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        out.append((build_database(schema, work), questions))
    return out


def template_corpus(settings, say: Callable[[str], None]) -> Path:
    """The template corpus folder (``gen-data``), generated on first use."""

    folder = settings.data_dir / "data"
    if not (folder / "train.jsonl").is_file():
        say("템플릿 학습 데이터가 없어 생성합니다 (python -m t2sql gen-data)…")
        generate_dataset(folder, progress=say)
    return folder


def mix_in(records: list[dict], extra: list[dict], share: float, seed: int) -> list[dict]:
    """``records`` plus enough of ``extra`` (drawn the same way every run) to make up ``share`` of the result."""
    if not extra or share <= 0:
        return records
    wanted = round(len(records) * share / (1 - share)) if share < 1 else len(extra)
    return records + random.Random(seed).sample(extra, min(wanted, len(extra)))


def prepare_training(config, settings, say: Callable[[str], None]):
    """``config`` with ``data="natural"`` turned into a folder ``train`` can read: the natural corpus,
    rendered once, plus the ``templates`` share of template-corpus records (the shared model's recipe)."""

    if config.data != "natural":
        return config
    rendered = settings.data_dir / "natural"
    if not (rendered / "train.jsonl").is_file():
        say("자연어 말뭉치를 학습 레코드로 만드는 중 (42개 스키마)…")
        write_records(rendered, natural_records(settings.data_dir / "natural_dbs", config.seed, progress=say))
    if config.templates <= 0:
        return replace(config, data=str(rendered))
    mixed = settings.data_dir / f"natural_templates_{config.templates:g}_{config.seed}"
    if not (mixed / "train.jsonl").is_file():
        train = mix_in(
            load_records(rendered, "train"),
            load_records(template_corpus(settings, say), "train"),
            config.templates,
            config.seed,
        )
        write_records(mixed, {"train": train, "validation": load_records(rendered, "validation")})
    return replace(config, data=str(mixed))
