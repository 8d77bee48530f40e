"""Practice pairs (what onboarding writes over a customer's database): portable-SQL verification, Korean
particles and the question templates."""

from __future__ import annotations

import string

import duckdb

from t2sql.practice.korean import josa
from t2sql.practice.templates import SKILLS, TEMPLATES, load_templates
from t2sql.practice.verify import sqlite_copy, verify


def test_verify_rejects_unportable_or_empty_sql(tmp_path):
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    con.execute("CREATE TABLE t (id INTEGER, city VARCHAR, d DATE)")
    con.execute("INSERT INTO t VALUES (1, '서울', '2024-03-05'), (2, '부산', '2024-04-01')")
    mem = sqlite_copy(con)
    assert verify("SELECT COUNT(*) FROM t WHERE d >= '2024-03-01' AND d < '2024-04-01'", con, mem) == (True, "")
    assert verify("SELECT strftime('%Y-%m', d) AS month, COUNT(*) FROM t GROUP BY month", con, mem)[0]
    assert not verify("SELECT id::VARCHAR FROM t", con, mem)[0]  # DuckDB-only cast
    assert not verify("SELECT SUM(id) / 2 FROM t", con, mem)[0]  # integer division differs
    assert not verify("SELECT * FROM t WHERE city = '대구'", con, mem)[0]  # empty answer
    con.close()


def test_josa_follows_the_last_syllable():
    assert josa("직급<이> 과장<이에요>") == "직급이 과장이에요"
    assert josa("부서<을> 서울<으로> 대리<이에요> 5<이야>") == "부서를 서울로 대리예요 5야"
    assert josa("'완료'<과> 30%<이>") == "'완료'와 30%가"


def test_question_templates_load_from_their_yaml_file():
    assert load_templates() == TEMPLATES  # nothing is changed after loading
    assert SKILLS == (
        "select_filter",
        "count",
        "count_distinct",
        "aggregate",
        "group_by",
        "having",
        "order_limit",
        "join",
        "join3",
        "date_range",
        "month_group",
        "ratio",
        "avg_compare",
        "in_subquery",
        "null_handling",
        "like",
        "window",
    )  # generate_records walks the skills in this order
    for t in TEMPLATES:
        assert t.sql.startswith("SELECT ") and t.questions and all(isinstance(q, str) and q for q in t.questions), t
        slots = {f for text in (t.sql, *t.questions) for _, f, _, _ in string.Formatter().parse(text) if f}
        assert slots & {"T", "P"}, t
        if t.probe:
            assert t.skill == "having" and "{H}" in t.sql and t.probe[1] in (None, "Nu", "Au"), t
