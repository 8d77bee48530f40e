"""Schema RAG on a real embedded Chroma store with the offline multilingual embedding."""

import pytest

from t2sql.db.catalog import Catalog, Column, ForeignKey, Table, build_catalog, load_annotations
from t2sql.db.engine import Database
from t2sql.errors import IndexUnavailable
from t2sql.retrieval.embeddings import USEEmbeddingFunction
from t2sql.retrieval.schema_index import SchemaIndex, rank_tables
from t2sql.settings import ROOT


def test_embedding_function_is_multilingual():
    ef = USEEmbeddingFunction()
    a, b, c = ef(["서울에 사는 고객 수", "customers who live in Seoul", "캠페인별 광고비 합계"])
    assert len(a) == 512
    assert float(a @ b) > float(a @ c)


def test_index_builds_once_and_rebuilds_on_schema_change(settings, sqlite_file):
    index = SchemaIndex(settings)
    db = Database(f"sqlite:///{sqlite_file}")
    catalog = build_catalog(db, {}, 5)
    seen = []
    assert index.sync(catalog, lambda frac, msg: seen.append((frac, msg))) is True
    assert seen[-1][0] == 1.0 and "색인" in seen[-1][1]
    assert index.sync(catalog) is False
    # a fresh process (new client on the same folder) reuses the persisted index
    assert SchemaIndex(settings).sync(catalog) is False
    changed = build_catalog(db, {"tables": {"employees": {"description": "직원"}}}, 5)
    assert SchemaIndex(settings).sync(changed) is True


def test_corrupted_index_folder_is_moved_aside_and_rebuilt(settings, sqlite_file):
    folder = settings.data_dir / "chroma"
    folder.mkdir(parents=True)
    (folder / "chroma.sqlite3").write_bytes(b"this is not a sqlite database" * 100)
    catalog = build_catalog(Database(f"sqlite:///{sqlite_file}"), {}, 5)
    index = SchemaIndex(settings)
    assert index.sync(catalog) is True
    assert "employees" in index.retrieve("직원들의 평균 salary", catalog).tables
    broken = [p for p in settings.data_dir.iterdir() if p.name.startswith("chroma.broken-")]
    assert len(broken) == 1 and (broken[0] / "chroma.sqlite3").read_bytes().startswith(b"this is not")


def test_index_store_that_cannot_be_created_gives_korean_message(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(IndexUnavailable) as err:
        SchemaIndex(settings.replace(data_dir=blocker / "data"))
    assert "색인" in str(err.value) and "권한" in str(err.value)


def _table(name, refs=(), synonyms=()):
    return Table(
        name,
        [Column("id", "INTEGER", primary_key=True)],
        [ForeignKey([f"{r}_id"], r, ["id"]) for r in refs],
        synonyms=list(synonyms),
    )


CATALOG = Catalog(
    "t",
    "duckdb",
    {
        t.name: t
        for t in [
            _table("customers", synonyms=["고객"]),
            _table("orders", refs=["customers"], synonyms=["주문"]),
            _table("order_items", refs=["orders", "products"]),
            _table("products", synonyms=["상품"]),
            _table("reviews", refs=["products", "customers"]),
        ]
    },
)


@pytest.mark.parametrize(
    "question, similarity, top_k, max_tables, expected",
    [
        ("고객 수", {"customers": 0.5, "orders": 0.4}, 1, 6, ["customers", "orders"]),
        ("상품별 주문 수량", {"products": 0.5, "orders": 0.5}, 2, 6, ["orders", "products", "order_items"]),
        (
            "상품별 주문 수량",
            {"products": 0.5, "orders": 0.5, "reviews": 0.6},
            3,
            4,
            ["orders", "products", "reviews", "customers"],
        ),
        ("리뷰", {"reviews": 0.9, "customers": 0.1}, 1, 1, ["reviews"]),
        ("주문 내역", {"orders": 0.6, "customers": 0.1, "products": 0.05}, 3, 6, ["orders"]),
    ],
    ids=["close-neighbour-added", "bridge-added", "capped", "single", "far-tables-cut"],
)
def test_rank_tables(question, similarity, top_k, max_tables, expected):
    assert rank_tables(question, CATALOG, similarity, top_k, max_tables).tables == expected


@pytest.mark.parametrize(
    "db, question, must_include",
    [
        ("shop", "서울에 사는 고객은 몇 명이야?", {"customers"}),
        ("shop", "카테고리별 매출 합계를 알려줘", {"categories", "products", "order_items"}),
        ("shop", "평점이 가장 높은 상품 5개", {"reviews", "products"}),
        ("shop", "환불 사유별 건수", {"refunds"}),
        ("marketing", "채널별 광고비 합계", {"channels", "campaigns", "daily_ad_stats"}),
        ("marketing", "지난달 리드 수", {"leads"}),
        ("game", "아이템별 매출 상위 10개", {"items", "purchases"}),
        ("game", "iOS 유저의 평균 플레이 시간", {"players", "sessions"}),
    ],
)
def test_sample_questions_retrieve_the_right_tables(settings, sample_dir, db, question, must_include):
    database = Database(f"duckdb:///{sample_dir / (db + '.duckdb')}")
    catalog = build_catalog(database, load_annotations(ROOT / "schemas", db), 5)
    index = SchemaIndex(settings)
    index.sync(catalog)
    got = index.retrieve(question, catalog)
    assert must_include <= set(got.tables), got
    assert len(got.tables) <= settings.max_prompt_tables


@pytest.fixture
def chroma_server(tmp_path):
    """A real Chroma server (the `chroma` CLI that ships with chromadb) on loopback."""
    import shutil
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path / "srv"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_index_on_a_chroma_server(settings, sqlite_file, chroma_server):
    server_settings = settings.replace(chroma_url=chroma_server)
    catalog = build_catalog(Database(f"sqlite:///{sqlite_file}"), {}, 5)
    assert SchemaIndex(server_settings).sync(catalog) is True
    assert SchemaIndex(server_settings).sync(catalog) is False  # persisted on the server
    assert "employees" in SchemaIndex(server_settings).retrieve("직원들의 평균 salary", catalog).tables
    assert not (settings.data_dir / "chroma").exists()  # nothing written to the embedded store


def test_unreachable_chroma_server_gives_korean_message(settings, sqlite_file):
    catalog = build_catalog(Database(f"sqlite:///{sqlite_file}"), {}, 5)
    with pytest.raises(IndexUnavailable) as err:
        SchemaIndex(settings.replace(chroma_url="http://127.0.0.1:9")).sync(catalog)
    assert "색인" in str(err.value)
