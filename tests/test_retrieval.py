"""Schema RAG on a real embedded Chroma store with the offline multilingual embedding."""

import sqlite3

import pytest

from t2sql.db.catalog import Catalog, Column, ForeignKey, Table, build_catalog, load_annotations
from t2sql.db.engine import Database
from t2sql.errors import IndexUnavailable
from t2sql.onboard.annotate import name_hints
from t2sql.onboard.vocabulary import load_glossary
from t2sql.pipeline import Pipeline
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
        ("고객 수", {"customers": 0.5, "orders": 0.4}, 1, 6, ["customers", "orders", "reviews"]),
        (
            "상품별 주문 수량",
            {"products": 0.5, "orders": 0.5},
            2,
            6,
            ["orders", "products", "order_items", "customers", "reviews"],
        ),
        (
            "상품별 주문 수량",
            {"products": 0.5, "orders": 0.5, "reviews": 0.6},
            3,
            4,
            ["orders", "products", "reviews", "customers"],
        ),
        ("리뷰", {"reviews": 0.9, "customers": 0.1}, 1, 1, ["reviews"]),
        (
            "주문 내역",
            {"orders": 0.6, "customers": 0.1, "products": 0.05},
            3,
            6,
            ["orders", "customers", "order_items"],
        ),
    ],
    ids=["neighbours-added-best-first", "bridge-added", "capped", "single", "unjoined-tables-cut"],
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
def logistics_db(tmp_path):
    """A bare English schema (no yaml, not onboarded): what a customer connects first."""
    path = tmp_path / "logistics.sqlite"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE Supplier (SupplierId INTEGER PRIMARY KEY, CompanyName TEXT, Country TEXT);
        CREATE TABLE Warehouse (WarehouseId INTEGER PRIMARY KEY, City TEXT, Capacity INTEGER);
        CREATE TABLE Vehicle (VehicleId INTEGER PRIMARY KEY, PlateNo TEXT, WarehouseId INTEGER REFERENCES Warehouse);
        CREATE TABLE ShipmentItem (
            ShipmentItemId INTEGER PRIMARY KEY, SupplierId INTEGER REFERENCES Supplier,
            WarehouseId INTEGER REFERENCES Warehouse, Qty INTEGER, UnitPrice REAL);
        INSERT INTO Supplier VALUES (1, 'Acme', 'Korea');
        INSERT INTO Warehouse VALUES (1, 'Busan', 500);
        """
    )
    con.commit()
    con.close()
    return f"sqlite:///{path}"


@pytest.mark.parametrize(
    "question, first",
    [
        ("공급업체는 모두 몇 곳이야?", "Supplier"),
        ("배송 항목의 평균 단가를 알려줘", "ShipmentItem"),
        ("차량 번호 목록", "Vehicle"),
        ("창고별 용량", "Warehouse"),
        ("운송 수단 대수", "Vehicle"),  # without the glossary's names: Warehouse first
    ],
)
def test_glossary_names_let_a_korean_question_find_a_bare_english_table(settings, logistics_db, question, first):
    pipeline = Pipeline(settings)
    assert pipeline.retrieve(logistics_db, question)[0] == first
    prompt, tables, *_ = pipeline.prompt_for(logistics_db, question)
    bare = Pipeline(settings.replace(name_hints=False)).catalog(logistics_db)
    assert tables[0] == first and bare.ddl(tables) in prompt  # the DDL the model reads is unchanged


def test_name_hints_fill_only_what_nobody_described(settings, logistics_db):
    catalog = Pipeline(settings).catalog(logistics_db)
    assert catalog.tables["Supplier"].synonyms[0] == "공급업체" and catalog.tables["Supplier"].description == ""
    assert "수량" in next(c for c in catalog.tables["ShipmentItem"].columns if c.name == "Qty").synonyms
    described = build_catalog(Database(logistics_db), {"tables": {"Vehicle": {"description": "배송 트럭"}}}, 5)
    name_hints(described, load_glossary())
    assert described.tables["Vehicle"].description == "배송 트럭" and described.tables["Vehicle"].synonyms == []
    off = Pipeline(settings.replace(name_hints=False)).catalog(logistics_db)
    assert all(not t.synonyms for t in off.tables.values())


def test_a_schema_named_in_romanized_korean_is_read_back_for_retrieval(settings, tmp_path):
    path = tmp_path / "webnovel.sqlite"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE dokja (dokja_id INTEGER PRIMARY KEY, nickname TEXT, gaip_il DATE, hoewon_deunggeup TEXT);
        CREATE TABLE jakpum (jakpum_id INTEGER PRIMARY KEY, jemok TEXT, jangreu TEXT);
        CREATE TABLE yeollam (yeollam_id INTEGER PRIMARY KEY, dokja_id INTEGER REFERENCES dokja,
            jakpum_id INTEGER REFERENCES jakpum, yeollam_dt TIMESTAMP);
        CREATE TABLE gyeolje (gyeolje_id INTEGER PRIMARY KEY, dokja_id INTEGER REFERENCES dokja,
            geumaek INTEGER, gyeolje_sudan TEXT);
        """
    )
    con.commit()
    con.close()
    db = f"sqlite:///{path}"
    catalog = Pipeline(settings).catalog(db)
    synonyms = {t.name: t.synonyms[:1] for t in catalog.tables.values()}
    assert synonyms == {"dokja": ["독자"], "jakpum": ["작품"], "yeollam": ["열람"], "gyeolje": ["결제"]}
    assert next(c for c in catalog.tables["gyeolje"].columns if c.name == "gyeolje_sudan").synonyms[0] == "결제 수단"
    assert Pipeline(settings).retrieve(db, "열람 기록은 모두 몇 건이야?")[0] == "yeollam"


def test_a_question_keeps_the_tables_its_table_joins_and_leaves_out_the_rest(settings, logistics_db):
    assert Pipeline(settings).retrieve(logistics_db, "차량 번호 목록") == ["Vehicle", "Warehouse"]  # no Supplier


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
