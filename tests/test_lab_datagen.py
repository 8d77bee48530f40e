"""The lab's template corpus: generated databases, verified answers, retriever-like context, splits by
database, loading and eval export."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict

import duckdb
import pandas as pd
import pytest
import sqlglot
from sqlglot import exp

from t2sql.db.engine import Database
from t2sql.errors import T2SQLError
from t2sql.guard.grounding import text_values, ungrounded_values
from t2sql.lab.datagen import HELD_OUT, export_eval_questions, generate_dataset
from t2sql.lab.domains import load_domains
from t2sql.practice.generate import EngineConnection
from t2sql.practice.templates import SKILLS
from t2sql.practice.verify import sqlite_copy, verify
from t2sql.settings import Settings
from t2sql.tuning.data import load_records

SMALL = dict(seed=0, variants_per_domain=1, questions_per_db=15)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("datagen")
    paths = generate_dataset(out, **SMALL)
    records = {
        split: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for split, path in paths.items()
    }
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    return out, paths, records, stats


def _all(records):
    return [r for split in records.values() for r in split]


def _answer_tables(sql: str) -> set[str]:
    return {t.name for t in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Table)}


def test_files_records_and_stats(dataset):
    out, paths, records, stats = dataset
    assert set(paths) == {"train", "validation", "test"}
    for split, path in paths.items():
        assert path == out / f"{split}.jsonl" and records[split], split
        assert stats["splits"][split]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert stats["splits"][split]["examples"] == len(records[split])
        for r in records[split]:
            assert {"db_id", "context", "question", "answer", "skill", "domain", "split"} <= set(r)
            assert r["split"] == split and isinstance(r["db_id"], str)
            assert r["skill"] in SKILLS or r["skill"].startswith(("followup_", "repair_")), r["skill"]


def test_every_answer_runs_on_its_database_and_matches_sqlite(dataset):
    _, _, records, stats = dataset
    by_db = defaultdict(list)
    for r in _all(records):
        by_db[r["db_id"]].append(r)
    for db_id, recs in by_db.items():
        con = EngineConnection(Database(f"duckdb:///{stats['databases'][db_id]['path']}"))
        mem = sqlite_copy(con)
        try:
            for r in recs:
                assert con.execute(r["answer"]).fetchall(), r
                ok, why = verify(r["answer"], con, mem)
                assert ok, (why, r["answer"])
        finally:
            mem.close()
            con.close()


def test_splits_are_disjoint_by_database_and_hold_out_domains(dataset):
    _, _, records, _ = dataset
    dbs = {split: {r["db_id"] for r in recs} for split, recs in records.items()}
    assert (
        not dbs["train"] & dbs["validation"] and not dbs["train"] & dbs["test"] and not dbs["validation"] & dbs["test"]
    )
    domains = {split: {r["domain"] for r in recs} for split, recs in records.items()}
    assert domains["test"] == set(HELD_OUT["test"]) and domains["validation"] == set(HELD_OUT["validation"])
    assert not domains["test"] & domains["train"]
    assert {"sample_shop", "sample_marketing", "sample_game"} <= domains["train"]
    assert len(domains["train"]) >= 10


def test_all_skills_appear(dataset):
    _, _, records, _ = dataset
    assert {r["skill"] for r in _all(records) if not r["skill"].startswith(("followup_", "repair_"))} == set(SKILLS)


def test_followups_refine_a_verified_pair_of_the_same_database(dataset):
    _, _, records, _ = dataset
    assert not any(
        r.get("previous") or r.get("failed") or r.get("examples") for r in records["test"]
    )  # test stays plain
    pairs = {
        (r["db_id"], r["question"], r["answer"]) for r in _all(records) if not r.get("previous") and not r.get("failed")
    }
    followups = [r for r in records["train"] if r.get("previous")]
    kinds = {r["skill"] for r in followups}
    assert {"followup_filter", "followup_unrelated"} <= kinds and len(kinds) >= 3, kinds
    for r in followups:
        assert (r["db_id"], r["previous"]["question"], r["previous"]["sql"]) in pairs  # builds on a real earlier turn
        if r["skill"] == "followup_unrelated":
            assert r["previous"]["sql"] != r["answer"]
        else:
            assert r["answer"] != r["previous"]["sql"] and r["previous"]["sql"].split(" FROM ")[0][:20] in r["answer"]
            assert re.search(r"[가-힣]", r["question"]) and "<" not in r["question"]


def test_repairs_carry_real_engine_errors_and_the_gold_answer(dataset):
    _, _, records, _ = dataset
    repairs = [r for r in records["train"] if r.get("failed")]
    assert {"repair_wrong_column", "repair_wrong_table", "repair_double_where"} <= {r["skill"] for r in repairs}
    engines = set()
    for r in repairs:
        assert r["failed"]["sql"] != r["answer"]
        error = r["failed"]["error"]
        assert error.startswith(("데이터베이스가 쿼리를 실행하지 못했습니다:", "SQL을 해석할 수 없습니다")), error
        engines.add("duckdb" if "Error:" in error else "sqlite" if "no such" in error else "guard")
    assert {"duckdb", "sqlite"} <= engines  # both engines' wording, like the databases users connect


def test_examples_come_from_the_same_database_and_are_similar(dataset):
    _, _, records, _ = dataset
    by_db = defaultdict(dict)
    for r in records["train"]:
        by_db[r["db_id"]][r["question"]] = r["answer"]
    with_examples = [r for r in records["train"] if r.get("examples")]
    assert 0.2 < len(with_examples) / len(records["train"]) < 0.8
    for r in with_examples:
        assert 1 <= len(r["examples"]) <= 3
        sqls = [e["sql"] for e in r["examples"]]
        assert len(set(sqls)) == len(sqls)
        for e in r["examples"]:
            assert by_db[r["db_id"]].get(e["question"]) == e["sql"]  # a verified pair of the same database


def test_questions_are_korean_without_english_column_names(dataset):
    _, _, records, stats = dataset
    columns = {}
    for db_id, info in stats["databases"].items():
        con = EngineConnection(Database(f"duckdb:///{info['path']}"))
        columns[db_id] = {
            c for (c,) in con.execute("SELECT DISTINCT column_name FROM duckdb_columns() WHERE NOT internal").fetchall()
        }
        con.close()
    for r in _all(records):
        q = r["question"]
        assert re.search(r"[가-힣]", q), q
        assert "<" not in q and "{" not in q, q  # no unresolved particle markers or slots
        leaked = [c for c in columns[r["db_id"]] if re.search(rf"(?<![A-Za-z_]){re.escape(c)}(?![A-Za-z_])", q)]
        assert not leaked, (leaked, q)


def test_answers_use_only_values_their_question_says(dataset):
    """The rule value grounding rests on (t2sql.grounding), held by the project's own data: a gold
    SQL never filters on a text value its question (or the turn it follows up on) did not say."""
    _, _, records, _ = dataset

    def said(r):
        return " ".join([r["question"], (r.get("previous") or {}).get("question", ""), *(r.get("docs") or [])])

    unsaid = [(said(r), r["answer"]) for r in _all(records) if ungrounded_values(r["answer"], said(r), "duckdb")]
    assert unsaid == []
    assert sum(bool(text_values(r["answer"], "duckdb")) for r in _all(records)) > 50  # many answers do filter on values


def test_context_holds_every_table_the_answer_uses(dataset):
    _, _, records, _ = dataset
    for r in _all(records):
        shown = re.findall(r"^CREATE TABLE (\w+) \(", r["context"], re.M)
        assert 1 <= len(shown) <= Settings().max_prompt_tables
        assert _answer_tables(r["answer"]) <= set(shown), (r["answer"], shown)
        assert "--" in r["context"]  # Korean comments from the annotations


def test_same_seed_gives_identical_files(dataset, tmp_path):
    _, _, _, stats = dataset
    generate_dataset(tmp_path, **SMALL)
    again = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))
    assert {s: v["sha256"] for s, v in again["splits"].items()} == {s: v["sha256"] for s, v in stats["splits"].items()}


def test_load_records_reads_jsonl_csv_parquet_and_folders(dataset, tmp_path):
    out, paths, records, _ = dataset
    assert load_records(out, "train") == load_records(paths["train"]) == records["train"]
    assert len(load_records(out, "test")) == len(records["test"])
    rows = [
        {
            "db_id": 7,
            "context": "CREATE TABLE t (id INTEGER);",
            "question": "t는 몇 개야?",
            "answer": "SELECT COUNT(*) FROM t",
        }
    ]
    csv = tmp_path / "ko.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    got = load_records(csv)
    assert got == [{**rows[0], "db_id": "7"}]
    parquet = tmp_path / "ko.parquet"
    con = duckdb.connect()
    con.register("rows", pd.DataFrame(rows))
    con.execute(f"COPY (SELECT * FROM rows) TO '{parquet}' (FORMAT parquet)")
    con.close()
    assert load_records(parquet) == got
    (tmp_path / "ko.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    assert load_records(tmp_path / "ko.json") == got
    with pytest.raises(T2SQLError):
        load_records(tmp_path / "missing.jsonl")
    with pytest.raises(T2SQLError):
        load_records(tmp_path, "validation")  # a folder without validation.jsonl


def test_load_records_hugging_face_id_needs_datasets(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_datasets(name, *args, **kwargs):
        if name == "datasets":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_datasets)
    with pytest.raises(T2SQLError, match="datasets"):
        load_records("someone/ko_text2sql", "train")


def test_export_eval_questions_feeds_the_eval_format(dataset, tmp_path):
    out, _, records, stats = dataset
    paths = export_eval_questions(out, "test", tmp_path / "eval")
    assert set(paths) == {r["db_id"] for r in records["test"]}
    db_id, path = next(iter(paths.items()))
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert {"id", "db_id", "question", "sql", "difficulty", "order_matters"} <= set(rows[0])
    assert {r["difficulty"] for r in rows} <= {"easy", "medium", "hard"}
    db = Database(f"duckdb:///{stats['databases'][db_id]['path']}")
    assert all(db.run(r["sql"]).rows for r in rows)  # every gold answer runs on its held-out database


def test_domains_yaml_loads_into_table_specs():
    kinds = {
        "pk",
        "fk",
        "person",
        "city",
        "cat",
        "pool",
        "combo",
        "text",
        "code",
        "int",
        "money",
        "float",
        "date",
        "ts",
        "after",
        "bool",
        "phone",
        "email",
    }
    domains = load_domains()
    assert len(domains) == 13 and set(HELD_OUT["test"]) | set(HELD_OUT["validation"]) <= set(domains)
    for domain, (description, tables) in domains.items():
        assert description and tables, domain
        seen = set()
        for t in tables:
            assert t.names and t.counter and t.rows[0] <= t.rows[1] and t.descs and t.syns, (domain, t.names)
            assert [c.gen for c in t.cols].count("pk") == 1 and t.cols[0].gen == "pk", (domain, t.names)
            for c in t.cols:
                kind, _, arg = c.gen.partition(":")
                assert kind in kinds and c.names and isinstance(c.optional, bool), (domain, c.names, c.gen)
                assert all(isinstance(k, str) and isinstance(v, str) for k, v in c.opts.items()), c.opts
                assert set(c.opts) <= {"unit", "ev", "add", "yes", "no", "null"}, c.opts
                if kind == "fk":
                    assert arg in seen, (domain, c.names, arg)  # parents come first
            seen.add(t.names[0])
