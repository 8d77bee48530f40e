"""Practice question -> SQL pairs over one database (what onboarding runs over a customer's database):
templates filled from a profile of the data, each SQL verified on DuckDB and SQLite, with the prompt
context the retriever would show."""

from __future__ import annotations

import random
import sqlite3
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from t2sql.db.catalog import Catalog
from t2sql.db.engine import MSG_FAILED
from t2sql.errors import T2SQLError
from t2sql.guard import statement as guard
from t2sql.practice import augment
from t2sql.practice.korean import josa
from t2sql.practice.profile import profile
from t2sql.practice.templates import SKILLS, TEMPLATES, instantiate
from t2sql.practice.verify import verify
from t2sql.retrieval.example_store import normalize_question, normalize_sql
from t2sql.settings import Settings


def choose_tables(
    catalog: Catalog, gold: list[str], rng: random.Random, limit: int = Settings().max_prompt_tables
) -> list[str]:
    """Tables shown in the prompt, as the retriever would pick them: gold + FK neighbours + some noise."""
    gold = list(dict.fromkeys(gold))
    neighbours = sorted(set().union(*(catalog.neighbours(g) for g in gold)) - set(gold))
    rng.shuffle(neighbours)
    if neighbours and rng.random() < 0.25:
        neighbours.pop()
    others = sorted(set(catalog.tables) - set(gold) - set(neighbours))
    extra = rng.sample(others, min(len(others), rng.choice([0, 0, 1, 1, 2])))
    rest = (neighbours + extra)[: max(0, limit - len(gold))]
    if rng.random() < 0.8:
        rng.shuffle(gold)
        rng.shuffle(rest)
        return gold + rest
    tables = gold + rest
    rng.shuffle(tables)
    return tables


class EngineConnection:
    """The small part of DuckDB's connection API the generator uses, over a SQLAlchemy connection."""

    def __init__(self, db):
        self._db = db
        self._conn = db.engine.connect()
        self._rows: list[tuple] = []

    def execute(self, sql: str, params=()):
        try:
            self._rows = [tuple(r) for r in self._conn.exec_driver_sql(sql, tuple(params)).fetchall()]
        except Exception:
            self._conn.rollback()  # a failed statement aborts the transaction; the next query needs a fresh one
            raise
        return self

    def fetchall(self) -> list[tuple]:
        return self._rows

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def close(self) -> None:
        self._conn.close()
        self._db.dispose()


def generate_records(
    db_id: str,
    catalog: Catalog,
    con,
    mem: sqlite3.Connection,
    hints: dict,
    n_questions: int,
    rng: random.Random,
    domain: str = "",
    split: str = "train",
    on_record: Callable[[int], None] | None = None,
) -> list[dict]:
    """Template questions over ``catalog``, each verified on the DuckDB connection ``con`` and its
    SQLite copy ``mem`` (the SQL must give the same rows on both), deduplicated by question and SQL."""
    tabs = profile(catalog, con, hints)
    by_skill = {s: [t for t in TEMPLATES if t.skill == s] for s in SKILLS}
    records: list[dict] = []
    seen_q: set[tuple[str, str]] = set()
    seen_sql: set[tuple[str, str]] = set()
    failures: defaultdict[str, float] = defaultdict(float)  # a repeat counts a fifth of a failure
    attempts = 0
    while len(records) < n_questions and attempts < n_questions * 8:
        attempts += 1
        live = [s for s in SKILLS if failures[s] < 25]
        if not live:
            break
        skill = live[attempts % len(live)] if rng.random() < 0.7 else rng.choice(live)
        ex = instantiate(rng.choice(by_skill[skill]), tabs, rng, lambda s: con.execute(s).fetchall())
        if ex is None:
            failures[skill] += 1
            continue
        kq, ks = (db_id, normalize_question(ex["question"])), (db_id, normalize_sql(ex["answer"]))
        if kq in seen_q or ks in seen_sql:
            failures[skill] += 0.2
            continue
        ok, _why = verify(ex["answer"], con, mem)
        if not ok:
            failures[skill] += 1
            continue
        seen_q.add(kq)
        seen_sql.add(ks)
        context = catalog.ddl(choose_tables(catalog, ex["tables"], rng))
        records.append(
            {
                "db_id": db_id,
                "context": context,
                "question": ex["question"],
                "answer": ex["answer"],
                "skill": ex["skill"],
                "domain": domain,
                "split": split,
            }
        )
        if on_record:
            on_record(len(records))
    return records


def augmented(
    records: list[dict], catalog: Catalog, db, con, mem: sqlite3.Connection, rng: random.Random
) -> list[dict]:
    """Follow-up and repair records (``augment``), verified and failed on the real engines."""

    def duckdb_error(sql: str) -> str | None:
        try:
            db.run(guard.check(sql, "duckdb", 1000).sql, 1000, 5.0)
        except T2SQLError as exc:
            return str(exc)
        return None

    def sqlite_error(sql: str) -> str | None:  # the same failure as a SQLite database reports it
        try:
            guard.check(sql, "sqlite", 1000)
            mem.execute(sql).fetchmany(1)
        except T2SQLError as exc:
            return str(exc)
        except sqlite3.Error as exc:
            return MSG_FAILED.format(exc)
        return None

    return augment.followups(records, catalog, lambda sql: verify(sql, con, mem)[0], rng, josa) + augment.repairs(
        records, catalog, (duckdb_error, sqlite_error), rng
    )


def embed_questions(texts: list[str]):
    """Question vectors with the embedding model the example index uses (unit length)."""
    from t2sql.retrieval.embeddings import USEEmbeddingFunction  # chromadb: loaded only when examples are attached

    return np.stack(USEEmbeddingFunction()(texts))
