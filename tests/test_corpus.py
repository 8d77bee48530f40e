"""The natural corpus: every pair runs on its own schema, none repeats a benchmark question, and
records render the way inference prompts."""

from __future__ import annotations

import json
import random
import sqlite3

import pytest

from t2sql.lab import corpus
from t2sql.retrieval.example_store import normalize_question
from t2sql.settings import ROOT

BENCHMARK_TABLES = ({"artist", "album", "track"}, {"suppliers", "shippers", "territories"})  # Chinook, Northwind


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("natural")
    return {name: corpus.build_database(name, work) for name in corpus.schemas()}


def test_corpus_size_and_spread():
    names = corpus.schemas()
    pairs = {n: corpus.read_pairs(n, timeless=False) for n in names}
    assert len(names) >= 40 and sum(map(len, pairs.values())) >= 5000
    levels = {p.get("level") for ps in pairs.values() for p in ps}
    assert {"easy", "medium", "hard"} <= levels
    for name, ps in pairs.items():
        questions = [normalize_question(p["question"]) for p in ps]
        assert len(set(questions)) == len(questions), name


def test_every_pair_runs_on_its_schema(built):
    for name, path in built.items():
        con = sqlite3.connect(path)
        tables = {r[0].lower() for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not any(bench <= tables for bench in BENCHMARK_TABLES), name
        timeless = {p["question"] for p in corpus.read_pairs(name)}
        for pair in corpus.read_pairs(name, timeless=False):
            for sql in filter(None, [pair["sql"], (pair.get("previous") or {}).get("sql")]):
                assert sql.lstrip().upper().startswith(("SELECT", "WITH")), (name, sql)
                rows = con.execute(sql).fetchall()
                if pair["question"] in timeless:  # answers that depend on today may empty out later
                    assert rows and any(v is not None for r in rows for v in r), (name, pair["question"])
        con.close()


def test_no_pair_repeats_a_benchmark_question():
    held = set()
    for path in [*ROOT.glob("benchmarks/**/*.jsonl"), ROOT.parent / "shared" / "datasets" / "chinook" / "dev_ko.jsonl"]:
        if path.is_file():
            held |= {
                normalize_question(json.loads(line)["question"])
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()
            }
    assert held
    for name in corpus.schemas():
        assert not held & {normalize_question(p["question"]) for p in corpus.read_pairs(name, timeless=False)}, name


def test_held_out_schemas_exist():
    names = set(corpus.schemas())
    assert all(n in names for split in corpus.HELD_OUT.values() for n in split)
    assert corpus.split_of("airline") == "test" and corpus.split_of("shop_orders") == "train"


def test_records_render_like_inference(tmp_path, built):
    from t2sql.db.engine import Database
    from t2sql.onboard.records import tables_read

    bare, catalog, annotations, values = corpus.onboarded(built["card_txn"], tmp_path)
    assert annotations["tables"]["txn"]["columns"]["txn_amt"]["description"] == "거래 금액"
    from t2sql.onboard.records import training_record

    rng = random.Random(0)
    for pair in corpus.read_pairs("card_txn")[:30]:
        for cat, notes, vals in ((bare, {}, None), (catalog, annotations, values)):
            record = training_record(cat, notes, vals, pair["question"], pair["sql"], rng, "card_txn")
            for table in tables_read(pair["sql"], cat):
                assert f"CREATE TABLE {table} (" in record["context"]
            if notes:
                assert " -- " in record["context"]  # Korean names as comments
            db = Database(f"sqlite:///{built['card_txn']}")
            assert db.run(record["answer"]).rows


def test_natural_records_split_by_schema_and_train(monkeypatch, tmp_path, tiny_model_dir):
    """``train --data natural`` renders the corpus once and trains on it (two schemas here, for speed)."""
    from t2sql.settings import Settings
    from t2sql.tuning.training import TrainConfig, train

    monkeypatch.setattr(corpus, "schemas", lambda: ["card_txn", "airline"])
    settings = Settings(data_dir=tmp_path / "data")
    config = TrainConfig(
        data="natural",
        out=str(tmp_path / "adapter"),
        base_model=str(tiny_model_dir),
        limit=16,
        batch_size=4,
        max_steps=2,
        val_limit=4,
        templates=0,
        sections=False,
    )
    card = train(corpus.prepare_training(config, settings, say=lambda message: None), settings, progress=None)
    assert card["train_examples"] == 16 and card["validation_examples"] == 0
    rendered = settings.data_dir / "natural"
    train_rows = [json.loads(line) for line in (rendered / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    test_rows = [json.loads(line) for line in (rendered / "test.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["domain"] for r in train_rows} == {"card_txn"} and {r["domain"] for r in test_rows} == {"airline"}
    assert {r["rendering"] for r in train_rows} == {"bare", "annotated"}
    assert all({"db_id", "context", "question", "answer"} <= r.keys() for r in train_rows + test_rows)


def test_held_out_questions_export_for_eval_spread_over_difficulty(tmp_path):
    exported = corpus.export_eval(tmp_path, "test", per_schema=6)
    assert sorted(db.stem for db, _ in exported) == sorted(corpus.HELD_OUT["test"])
    for db, questions in exported:
        rows = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines()]
        assert len(rows) == 6 and {r["difficulty"] for r in rows} == {"easy", "medium", "hard"}
        con = sqlite3.connect(db)
        try:
            assert all(con.execute(r["sql"]).fetchall() for r in rows)
        finally:
            con.close()


@pytest.mark.parametrize(
    "natural, extra, share, expected",
    [
        (8, 10, 0.2, 2),  # 2 of 10 records are templates
        (8, 10, 0.5, 8),
        (8, 3, 0.5, 3),  # no more than there are
        (8, 10, 0.0, 0),
        (8, 0, 0.2, 0),
    ],
)
def test_template_records_make_up_their_share(natural, extra, share, expected):
    records = [{"question": f"n{i}"} for i in range(natural)]
    templates = [{"question": f"t{i}"} for i in range(extra)]
    mixed = corpus.mix_in(records, templates, share, seed=1)
    assert mixed[:natural] == records and len(mixed) == natural + expected
    assert mixed == corpus.mix_in(records, templates, share, seed=1)  # the same draw every run (resume)
