"""The template training corpus: verified Korean question -> SQL pairs over the lab's procedural business
databases (``t2sql.lab.domains``) and the project's sample databases, split by database.

The small model is fine-tuned to read an *unseen* company's schema (DDL with Korean comments) and write
SQL, so the data is built to look like that situation:

* Each domain is realised in several variants; the sample databases (shop, marketing, game) are added to
  the training split.
* Questions come from the practice templates (``t2sql.practice.templates``): filters, counts, aggregates,
  grouping, HAVING, top-N, 2-3 table joins, date ranges, month grouping, ratios, average comparisons, IN
  subqueries, NULL handling, LIKE and window functions, with several polite and casual Korean phrasings,
  using the Korean nouns of tables and columns and values exactly as stored.
* Every SQL is portable and kept only when DuckDB and an in-memory SQLite copy return the same non-empty
  rows (``t2sql.practice.verify``).
* The prompt context is what the retriever would show: the gold tables, their foreign-key neighbours
  (sometimes one dropped), sometimes an unrelated table or two, at most ``Settings().max_prompt_tables``.
* Splits are by database: whole domains are held out for validation and test, so the test split only has
  schemas the model never saw.
* ``t2sql.practice.augment`` adds what the app's prompt can carry besides the schema: similar verified pairs
  as examples, follow-up turns with the previous question and SQL, and repairs of a broken SQL with its real
  error message (train and validation splits only; the test split stays plain).

Relative dates: training questions use absolute dates only ("2024년 3월", "2023년 4분기"); relative phrases
such as 지난달 or 올해 are rewritten to absolute ranges before prompting, so the model never has to know
today's date.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from t2sql.db import demo
from t2sql.db.catalog import build_catalog, load_annotations
from t2sql.db.engine import Database
from t2sql.lab.domains import build_database, load_domains
from t2sql.practice import augment
from t2sql.practice.generate import EngineConnection, augmented, embed_questions, generate_records
from t2sql.practice.verify import sqlite_copy
from t2sql.settings import Settings
from t2sql.tuning.data import load_records

SPLITS = ("train", "validation", "test")
HELD_OUT = {"test": ("hotel", "insurance"), "validation": ("fitness",)}

# Hints for the project's own sample databases (their yaml has no question-side phrases).
SAMPLE_COUNTERS = {
    "customers": "명",
    "players": "명",
    "leads": "명",
    "products": "개",
    "categories": "개",
    "items": "개",
    "channels": "개",
    "campaigns": "개",
    "coupons": "개",
}
SAMPLE_BOOLS = {
    "marketing_opt_in": ("마케팅 수신에 동의한", "마케팅 수신에 동의하지 않은"),
    "is_active": ("판매 중인", "판매가 중지된"),
    "is_banned": ("정지된", "정지되지 않은"),
    "is_refunded": ("환불된", "환불되지 않은"),
}
SAMPLE_EVENTS = {
    ("orders", "order_date"): "주문된",
    ("customers", "signup_date"): "가입한",
    ("players", "signup_at"): "가입한",
    ("purchases", "purchased_at"): "결제된",
    ("reviews", "created_at"): "작성된",
    ("leads", "created_at"): "유입된",
    ("conversions", "converted_at"): "전환된",
    ("refunds", "requested_at"): "요청된",
    ("campaigns", "start_date"): "시작된",
    ("sessions", "started_at"): "시작된",
    ("products", "created_at"): "등록된",
}
SAMPLE_PEOPLE = {("customers", "name"), ("leads", "name")}
ADDITIVE_WORDS = (
    "amount",
    "price",
    "cost",
    "qty",
    "quantity",
    "budget",
    "revenue",
    "spend",
    "click",
    "impression",
    "duration",
    "fee",
    "stock",
    "salary",
    "total",
    "krw",
)


def sample_hints(annotations: dict) -> dict:
    """Question-side hints for a project sample database, from its yaml plus the small tables above."""
    hints = {}
    for tname, note in (annotations.get("tables") or {}).items():
        cols = {}
        for cname, cnote in (note.get("columns") or {}).items():
            nouns = list(cnote.get("synonyms") or [])[:2]
            desc = re.sub(r"\s*\(.*?\)", "", cnote.get("description", "")).split(".")[0].split(":")[0].strip()
            if desc and len(desc) <= 10 and re.fullmatch(r"[가-힣 ]+", desc):
                nouns = [desc] + nouns
            yes, no = SAMPLE_BOOLS.get(cname, ("", ""))
            cols[cname] = {
                "nouns": nouns,
                "kind": None,
                "person": (tname, cname) in SAMPLE_PEOPLE,
                "unit": "원"
                if any(w in cname for w in ("amount", "price", "cost", "budget", "revenue", "spend", "fee", "krw"))
                else "",
                "ev": SAMPLE_EVENTS.get((tname, cname), ""),
                "add": any(w in cname for w in ADDITIVE_WORDS),
                "yes": yes,
                "no": no,
            }
        hints[tname] = {
            "nouns": list(note.get("synonyms") or [])[:2],
            "counter": SAMPLE_COUNTERS.get(tname, "건"),
            "cols": cols,
        }
    return hints


def generate_for_database(
    db_id: str,
    path: Path,
    annotations: dict,
    hints: dict,
    n_questions: int,
    rng: random.Random,
    domain: str,
    split: str,
    augment_rng: random.Random | None = None,
) -> list[dict]:
    """Verified, deduplicated records for one database file.

    With ``augment_rng``, follow-up and repair records are added (``augment``); they draw from
    their own random stream, so the plain records stay the same with or without them.
    """
    db = Database(f"duckdb:///{path}")
    catalog = build_catalog(db, annotations, sample_values=5, sensitive_patterns=Settings().sensitive_patterns)
    # through the app's own read-only engine: DuckDB refuses a second, differently configured
    # connection to a file that is already open in this process (e.g. a sample database)
    con = EngineConnection(db)
    mem = sqlite_copy(con)
    try:
        records = generate_records(db_id, catalog, con, mem, hints, n_questions, rng, domain, split)
        if augment_rng is not None:
            records += augmented(records, catalog, db, con, mem, augment_rng)
        return records
    finally:
        mem.close()
        con.close()


def generate_dataset(
    out_dir: Path,
    seed: int = 0,
    variants_per_domain: int = 5,
    questions_per_db: int = 120,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Build the databases, generate verified pairs, write {train,validation,test}.jsonl and stats.json."""
    say = progress or (lambda _m: None)
    started = time.time()
    out_dir = Path(out_dir)
    db_dir = out_dir / "dbs"
    shutil.rmtree(db_dir, ignore_errors=True)
    db_dir.mkdir(parents=True, exist_ok=True)
    split_of = {d: s for s, ds in HELD_OUT.items() for d in ds}
    jobs = []  # (db_id, path, annotations, hints, domain, split)
    for domain in load_domains():
        for v in range(variants_per_domain):
            db_id = f"{domain}_{v + 1}"
            path = db_dir / f"{db_id}.duckdb"
            annotations, hints = build_database(path, domain, v, seed)
            (db_dir / f"{db_id}.yaml").write_text(
                yaml.safe_dump(annotations, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )
            jobs.append((db_id, path, annotations, hints, domain, split_of.get(domain, "train")))
        say(f"{domain}: 데이터베이스 {variants_per_domain}개 생성")
    settings = Settings()
    for name, path in demo.ensure_samples(settings.sample_dir).items():
        annotations = load_annotations(settings.schema_dir, name)
        if annotations:
            jobs.append((name, Path(path), annotations, sample_hints(annotations), f"sample_{name}", "train"))
    records: dict[str, list[dict]] = {s: [] for s in SPLITS}
    databases = {}
    for db_id, path, annotations, hints, domain, split in jobs:
        rng = random.Random(f"{seed}:{db_id}:questions")
        augment_rng = random.Random(f"{seed}:{db_id}:augment") if split != "test" else None
        recs = generate_for_database(db_id, path, annotations, hints, questions_per_db, rng, domain, split, augment_rng)
        records[split] += recs
        databases[db_id] = {"path": str(path), "domain": domain, "split": split, "examples": len(recs)}
        say(f"{db_id}: 검증된 예제 {len(recs)}개 ({split})")
    say("비슷한 질문을 예시로 붙이는 중…")
    for split in ("train", "validation"):
        augment.attach_examples(records[split], embed_questions, random.Random(f"{seed}:{split}:examples"))
    paths: dict[str, Path] = {}
    stats: dict[str, Any] = {
        "seed": seed,
        "variants_per_domain": variants_per_domain,
        "questions_per_db": questions_per_db,
        "splits": {},
        "databases": databases,
    }
    for split in SPLITS:
        path = out_dir / f"{split}.jsonl"
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[split])
        path.write_text(text, encoding="utf-8")
        paths[split] = path
        stats["splits"][split] = {
            "examples": len(records[split]),
            "databases": len({r["db_id"] for r in records[split]}),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "skills": dict(sorted(Counter(r["skill"] for r in records[split]).items())),
            "with_examples": sum(1 for r in records[split] if r.get("examples")),
            "domains": dict(sorted(Counter(r["domain"] for r in records[split]).items())),
        }
    stats["elapsed_s"] = round(time.time() - started, 1)
    (out_dir / "stats.json").write_text(json.dumps(stats, ensure_ascii=False, indent=2), encoding="utf-8")
    say("완료: " + ", ".join(f"{s} {len(records[s])}개" for s in SPLITS) + f" ({stats['elapsed_s']}초)")
    return paths


DIFFICULTY = {
    "easy": ("select_filter", "count", "count_distinct", "aggregate", "like", "null_handling"),
    "medium": ("group_by", "having", "order_limit", "join", "date_range", "month_group", "ratio"),
    "hard": ("join3", "avg_compare", "in_subquery", "window"),
}


def export_eval_questions(data_dir: Path, split: str, out_dir: Path) -> dict[str, Path]:
    """Write one eval-format JSONL per database of a split (``{id, db_id, question, sql, difficulty,
    order_matters}``), so ``python -m t2sql eval`` can measure generated held-out schemas."""
    level = {skill: name for name, skills in DIFFICULTY.items() for skill in skills}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_db: dict[str, list[dict]] = {}
    for n, rec in enumerate(load_records(Path(data_dir), split)):
        by_db.setdefault(rec["db_id"], []).append(
            {
                "id": f"{rec['db_id']}-{n:05d}",
                "db_id": rec["db_id"],
                "question": rec["question"],
                "sql": rec["answer"],
                "difficulty": level.get(rec.get("skill", ""), "medium"),
                "order_matters": "ORDER BY" in rec["answer"].upper() and "LIMIT" in rec["answer"].upper(),
            }
        )
    paths = {}
    for db_id, rows in sorted(by_db.items()):
        paths[db_id] = out_dir / f"{db_id}.jsonl"
        paths[db_id].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return paths
