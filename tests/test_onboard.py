"""Onboarding a database nobody annotated: vocabulary, value linking, practice pairs, adapter, CLI."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from t2sql.onboard import Onboarding, stages
from t2sql.onboard.annotate import ColumnStats, column_role, korean_names
from t2sql.onboard.linking import ValueIndex
from t2sql.onboard.vocabulary import (
    load_glossary,
    read_romanized,
    romanize,
    romanized_readings,
    sounds_like,
    split_identifier,
)
from t2sql.pipeline import Pipeline
from t2sql.retrieval.example_store import GENERATED
from t2sql.settings import ROOT, Settings

COUNTRIES = ["Brazil", "Canada", "Germany", "France", "USA"]
STATUSES = ["Shipped", "Pending", "Cancelled"]


def build_store(path: Path) -> Path:
    """A small English-named store (PascalCase and abbreviations), the kind a customer connects."""
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE Client (ClientId INTEGER PRIMARY KEY, FirstName TEXT, LastName TEXT, Country TEXT,
            Email TEXT, Fax TEXT, Company TEXT, City TEXT);
        CREATE TABLE SalesOrder (OrderId INTEGER PRIMARY KEY, ClientId INTEGER REFERENCES Client(ClientId),
            order_dt DATE, total_amt NUMERIC(10,2), Status TEXT);
        CREATE TABLE OrderLine (LineId INTEGER PRIMARY KEY, OrderId INTEGER REFERENCES SalesOrder(OrderId),
            product_nm TEXT, qty INTEGER, UnitPrice NUMERIC(10,2));
    """)
    for i in range(1, 41):
        row = [
            i,
            f"Name{i}",
            f"Family{i % 17}",
            COUNTRIES[i % 5],
            f"c{i}@example.com",
            f"+1 555 {1000 + i}",
            f"Company {i}",
            f"City{i % 7}",
        ]
        con.execute(f"INSERT INTO Client VALUES ({', '.join('?' * len(row))})", row)
    for i in range(1, 121):
        con.execute(
            "INSERT INTO SalesOrder VALUES (?, ?, ?, ?, ?)",
            (i, 1 + i % 40, f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}", 10 + (i * 7) % 90, STATUSES[i % 3]),
        )
        for j in range(2):
            con.execute(
                "INSERT INTO OrderLine VALUES (?, ?, ?, ?, ?)",
                (
                    2 * i + j,
                    i,
                    ["Laptop", "Monitor", "Keyboard", "Mouse"][(i + j) % 4],
                    1 + (i + j) % 5,
                    [900, 200, 50, 20][(i + j) % 4],
                ),
            )
    con.commit()
    con.close()
    return path


@pytest.fixture
def store(tmp_path) -> Path:
    return build_store(tmp_path / "store.sqlite")


@pytest.fixture
def onboard_settings(tmp_path) -> Settings:
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    return Settings(
        data_dir=tmp_path / "data",
        schema_dir=schemas,
        sample_dir=ROOT / "sample_dbs",
        practice_pairs=60,
        adapter="none",
    )


@pytest.mark.parametrize(
    "name, words",
    [
        ("BillingCountry", ["billing", "country"]),
        ("cust_nm", ["cust", "nm"]),
        ("CUST_NO", ["cust", "no"]),
        ("HTTPRequestId", ["http", "request", "id"]),
        ("orderLines", ["order", "lines"]),
        ("tbl_sale_item2", ["tbl", "sale", "item"]),
    ],
)
def test_identifiers_split_into_words(name, words):
    assert split_identifier(name) == words


@pytest.mark.parametrize(
    "hangul, english, same",
    [
        ("팩스", "Fax", True),
        ("이메일", "Email", True),
        ("인보이스", "Invoice", True),
        ("플레이리스트", "Playlist", True),
        ("브라질", "Brazil", True),
        ("메탈리카", "Metallica", True),
        ("얼마", "Rome", False),
        ("고객", "Customer", False),
        ("장르", "Genre", False),
    ],
)
def test_hangul_loanwords_sound_like_their_english_word(hangul, english, same):
    assert (sounds_like(hangul, english) >= 0.9) is same


@pytest.mark.parametrize(
    "identifier, korean",
    [
        ("UnitPrice", "단가"),
        ("cust_nm", "고객"),
        ("order_dt", "주문"),
        ("total_amt", "총액"),
        ("gogaek", "고객"),
        ("bohumryo", "보험료"),
        ("baesong_sangtae", "배송 상태"),
        ("HireDate", "입사"),
        ("is_free", "무료 여부"),  # a flag's is_/has_ prefix becomes 여부
        ("hasCoupon", "쿠폰 여부"),
    ],
)
def test_identifiers_get_korean_names(identifier, korean):
    names = korean_names(identifier, load_glossary())
    assert names and korean in names[0]


@pytest.mark.parametrize(
    "hangul, letters, pronounced",
    [
        ("열람", "yeolram", "yeollam"),
        ("학년", "haknyeon", "hangnyeon"),
        ("종료", "jongryo", "jongnyo"),
        ("설날", "seolnal", "seollal"),
        ("고객", "gogaek", "gogaek"),
    ],
)
def test_romanization_letter_by_letter_and_as_pronounced(hangul, letters, pronounced):
    assert romanize(hangul) == letters and romanize(hangul, pronounced=True) == pronounced


@pytest.mark.parametrize(
    "word, hangul",
    [
        ("pilmyeong", "필명"),
        ("yeollam", "열람"),
        ("nyeon", "년"),
        ("il", "일"),
        ("gongyong", "공용"),  # ng before a vowel is a final ㅇ
        ("hoewongwon", "회원권"),  # but n + g where the syllables say so
        ("track", None),  # "tr" starts no syllable
        ("", None),
    ],
)
def test_romanized_words_read_back_into_hangul(word, hangul):
    assert read_romanized(word, load_glossary().syllables) == hangul


ROMANIZED_SCHEMA = ["dokja", "nickname", "gaip", "il", "yeollam", "dt", "hoewon", "deunggeup", "geumaek", "jakpum"]
ENGLISH_SCHEMA = ["customer", "first", "name", "invoice", "total", "billing", "country", "milliseconds", "bytes"]


def test_a_romanized_schema_is_read_back_and_an_english_one_is_left_alone():
    glossary = load_glossary()
    readings = romanized_readings(set(ROMANIZED_SCHEMA), glossary)
    assert {w: readings.get(w) for w in ("gaip", "il", "yeollam", "deunggeup", "dokja")} == {
        "gaip": "가입",
        "il": "일",
        "yeollam": "열람",
        "deunggeup": "등급",
        "dokja": "독자",
    }
    assert "nickname" not in readings  # an English word the glossary knows stays English
    assert korean_names("gaip_il", glossary, readings=readings)[0] == "가입 일"
    assert korean_names("gaip_il", glossary)[0] == "가입 il"  # without the schema's readings
    assert romanized_readings(set(ENGLISH_SCHEMA) | {"sudan", "ilsan"}, glossary) == {}


@pytest.mark.parametrize(
    "name, pk, fk, stats, role",
    [
        ("ClientId", True, False, ColumnStats(40, 40, 40, 2, "BIGINT"), "key"),
        ("ClientId", False, True, ColumnStats(120, 120, 40, 2, "BIGINT"), "foreign_key"),
        ("OrderID", False, False, ColumnStats(2155, 2155, 830, 5, "BIGINT"), "foreign_key"),  # a view's, undeclared
        ("line_seq", False, False, ColumnStats(120, 120, 120, 1, "BIGINT"), "key"),
        ("Quantity", False, False, ColumnStats(120, 120, 30, 2, "BIGINT"), "measure"),
        ("order_dt", False, False, ColumnStats(120, 120, 90, 10, "DATE"), "date"),
        ("total_amt", False, False, ColumnStats(120, 120, 80, 4, "DECIMAL(18,4)"), "measure"),
        ("Status", False, False, ColumnStats(120, 120, 3, 7, "VARCHAR"), "category"),
        ("FirstName", False, False, ColumnStats(40, 40, 40, 6, "VARCHAR"), "name"),
        ("Fax", False, False, ColumnStats(40, 12, 12, 14, "VARCHAR"), "name"),
        ("aprv_yn", False, False, ColumnStats(120, 120, 2, 1, "VARCHAR"), "flag"),
        ("is_active", False, False, ColumnStats(120, 120, 2, 1, "BOOLEAN"), "flag"),
        ("Notes", False, False, ColumnStats(120, 120, 110, 140, "VARCHAR"), "text"),
    ],
)
def test_column_roles(name, pk, fk, stats, role):
    assert column_role(name, pk, fk, stats) == role


def test_onboarding_annotates_links_values_and_stores_practice_pairs(store, onboard_settings):
    pipeline = Pipeline(onboard_settings)
    db = str(store)
    pipeline.save_example(db, "고객은 모두 몇 명이야?", "SELECT COUNT(*) FROM Client", "feedback")
    seen = []
    state = Onboarding(pipeline, db).run(train_minutes=0, practice_pairs=60, progress=seen.append)

    assert [state[s]["status"] for s in ("schema", "values", "practice", "adapter")] == [
        "done",
        "done",
        "done",
        "skipped",
    ]
    assert seen[-1].fraction == 1.0 and all(0 <= p.fraction <= 1 for p in seen)
    assert state["practice"]["kept"] >= 20
    folder = onboard_settings.data_dir / "onboard" / "store"
    generated = yaml.safe_load((folder / "annotations.yaml").read_text(encoding="utf-8"))
    assert generated["tables"]["OrderLine"]["columns"]["qty"]["description"] == "수량"
    assert generated["tables"]["SalesOrder"]["columns"]["Status"]["role"] == "category"

    # the catalog reads the generated Korean names; practice pairs are generated examples, the human one stays
    catalog = pipeline.catalog(db)
    assert catalog.tables["Client"].description == "고객"
    stored = pipeline.examples.store.list("store")
    assert {e.source for e in stored} == {GENERATED, "feedback"}
    assert any(e.question == "고객은 모두 몇 명이야?" and e.source == "feedback" for e in stored)
    for record in map(json.loads, (folder / "practice.jsonl").read_text(encoding="utf-8").splitlines()):
        assert pipeline.run(db, record["answer"])[1].rows  # every practice pair runs read-only and returns rows

    # value linking: a Korean proper noun and a case-insensitive English value reach the prompt
    prompt, tables, *_ = pipeline.prompt_for(db, "브라질 고객의 이메일을 보여줘")
    assert "- Client.Country = 'Brazil'" in prompt and "Client" in tables
    prompt, *_ = pipeline.prompt_for(db, "status가 pending인 주문 수")
    assert "SalesOrder.Status = 'Pending'" in prompt
    prompt, *_ = pipeline.prompt_for(db, "주문 총 몇 건이야?")
    assert "### 질문 속 값:" not in prompt


def test_onboarding_a_romanized_schema_names_it_in_hangul(tmp_path, onboard_settings):
    path = tmp_path / "gym.sqlite"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE hoewon (hoewon_id INTEGER PRIMARY KEY, ireum TEXT, gaip_il DATE, seongbyeol TEXT);
        CREATE TABLE gyeolje (gyeolje_id INTEGER PRIMARY KEY, hoewon_id INTEGER REFERENCES hoewon(hoewon_id),
            geumaek INTEGER, gyeolje_sudan TEXT, gyeolje_il DATE);
        """
    )
    for i in range(1, 31):
        con.execute("INSERT INTO hoewon VALUES (?, ?, ?, ?)", (i, f"회원{i}", f"2025-0{1 + i % 9}-01", "MF"[i % 2]))
        con.execute(
            "INSERT INTO gyeolje VALUES (?, ?, ?, ?, ?)",
            (i, 1 + i % 12, 10000 * (1 + i % 5), ["카드", "현금", "계좌이체"][i % 3], f"2025-0{1 + i % 9}-15"),
        )
    con.commit()
    con.close()
    state = Onboarding(Pipeline(onboard_settings), str(path)).run(train_minutes=0, practice_pairs=60)
    assert state["practice"]["kept"] >= 10
    folder = onboard_settings.data_dir / "onboard" / "gym"
    tables = yaml.safe_load((folder / "annotations.yaml").read_text(encoding="utf-8"))["tables"]
    assert tables["hoewon"]["description"] == "회원"
    assert tables["hoewon"]["columns"]["gaip_il"]["description"] == "가입 일"
    assert tables["gyeolje"]["columns"]["gyeolje_sudan"]["description"] == "결제 수단"
    practice = [json.loads(line) for line in (folder / "practice.jsonl").read_text(encoding="utf-8").splitlines()]
    assert not [p["question"] for p in practice if re.search(r"gaip|sudan|geumaek", p["question"])]


def test_pruned_prompt_keeps_keys_and_named_columns(store, onboard_settings):
    pipeline = Pipeline(onboard_settings)
    Onboarding(pipeline, str(store)).run(train_minutes=0, practice_pairs=30)
    prompt, *_ = pipeline.prompt_for(str(store), "캐나다 고객들의 팩스 번호")
    ddl = prompt.split("### DDL:")[1].split("###")[0]
    client = ddl.split("CREATE TABLE Client")[1].split(");")[0]
    assert "ClientId" in client and "Fax" in client and "Country" in client
    assert "Email" not in client  # wide table, column nobody asked about
    off = Pipeline(Settings(**{**onboard_settings.__dict__, "prune_columns": False}))
    prompt, *_ = off.prompt_for(str(store), "캐나다 고객들의 팩스 번호")
    assert "Email" in prompt.split("CREATE TABLE Client")[1].split(");")[0]


def test_pruned_prompt_keeps_the_columns_its_examples_read(store, onboard_settings):
    """An example whose SQL reads a column the pruned DDL would hide would teach a column the model cannot see."""
    pipeline = Pipeline(onboard_settings)
    db = str(store)
    Onboarding(pipeline, db).run(train_minutes=0, practice_pairs=30)
    question = "캐나다 고객 목록 뽑아줘"
    prompt, *_ = pipeline.prompt_for(db, question)
    assert "City" not in prompt.split("CREATE TABLE Client")[1].split(");")[0]
    pipeline.save_example(db, question, "SELECT FirstName, City FROM Client WHERE Country = 'Canada'", "feedback")
    prompt, _tables, examples, *_ = pipeline.prompt_for(db, question)
    assert any("City" in e.sql for e in examples)
    assert "City" in prompt.split("CREATE TABLE Client")[1].split(");")[0]


LINKED_VALUES = {"t.weekday": ["수", "목"], "t.channel": ["카카오 연동", "앱", "웹"], "t.grade": ["가", "나"]}


@pytest.mark.parametrize(
    "question, linked",
    [
        ("카카오 연동으로 가입한 독자 수", ["카카오 연동"]),
        ("독자 수", []),  # the counter 수, not Wednesday
        ("각 채널별 수량", []),  # 각 starts with the letters of 가; 수량 with those of 수
        ("목요일 연재 작품", []),  # one syllable is too ambiguous to link; the DDL's samples still show it
        ("카카오 연동 아닌 독자", ["카카오 연동"]),
    ],
)
def test_values_link_by_whole_syllables(question, linked):
    index = ValueIndex(LINKED_VALUES)
    assert [v.value for v in index.link(question, load_glossary())] == linked


def test_human_yaml_wins_over_the_generated_annotations(store, onboard_settings):
    (onboard_settings.schema_dir / "store.yaml").write_text(
        "tables:\n  Client:\n    description: 거래 고객사\n", encoding="utf-8"
    )
    pipeline = Pipeline(onboard_settings)
    Onboarding(pipeline, str(store)).run(train_minutes=0, practice_pairs=20)
    catalog = pipeline.catalog(str(store))
    assert catalog.tables["Client"].description == "거래 고객사"
    assert catalog.tables["OrderLine"].columns[3].description == "수량"  # still generated where the human said nothing


def test_running_again_reuses_and_a_schema_change_redoes(store, onboard_settings, tmp_path, monkeypatch):
    pipeline = Pipeline(onboard_settings)
    first = Onboarding(pipeline, str(store)).run(train_minutes=0, practice_pairs=20)
    messages = []
    again = Onboarding(pipeline, str(store)).run(
        train_minutes=0, practice_pairs=20, progress=lambda p: messages.append(p.message)
    )
    assert again["practice"]["finished_at"] == first["practice"]["finished_at"]
    assert sum("이전 결과" in m for m in messages) == 3

    # a newer vocabulary or question generator redoes what they wrote
    monkeypatch.setattr(stages, "GENERATOR_VERSION", stages.GENERATOR_VERSION + 1)
    newer = Onboarding(pipeline, str(store)).run(train_minutes=0, practice_pairs=20)
    assert newer["schema"]["inputs"] != first["schema"]["inputs"]
    assert newer["practice"]["inputs"] != first["practice"]["inputs"]
    first = newer
    monkeypatch.setattr(stages, "templates_hash", lambda: "edited")  # edited templates redo only the practice
    edited_templates = Onboarding(pipeline, str(store)).run(train_minutes=0, practice_pairs=20)
    assert edited_templates["practice"]["inputs"] != first["practice"]["inputs"]
    assert edited_templates["schema"]["finished_at"] == first["schema"]["finished_at"]
    first = edited_templates

    # an admin edit of the generated yaml is kept and redoes values and practice, not the vocabulary
    path = onboard_settings.data_dir / "onboard" / "store" / "annotations.yaml"
    edited = yaml.safe_load(path.read_text(encoding="utf-8"))
    edited["tables"]["Client"]["description"] = "단골 고객"
    path.write_text(yaml.safe_dump(edited, allow_unicode=True), encoding="utf-8")
    third = Onboarding(pipeline, str(store)).run(train_minutes=0, practice_pairs=20)
    assert third["schema"]["finished_at"] == first["schema"]["finished_at"]
    assert third["values"]["inputs"] != first["values"]["inputs"]
    assert pipeline.catalog(str(store)).tables["Client"].description == "단골 고객"

    con = sqlite3.connect(store)
    con.execute("ALTER TABLE Client ADD COLUMN Segment TEXT")
    con.commit()
    con.close()
    pipeline.refresh(str(store))
    fourth = Onboarding(pipeline, str(store)).run(train_minutes=0, practice_pairs=20)
    assert fourth["schema"]["inputs"] != first["schema"]["inputs"]
    generated = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "Segment" in generated["tables"]["Client"]["columns"]
    assert generated["tables"]["Client"]["description"] == "단골 고객"  # the admin's edit survives the redo


@pytest.mark.parametrize("kind", ["duckdb", "postgres"])
def test_onboarding_other_engines(kind, tmp_path, onboard_settings, request):
    if kind == "duckdb":
        import duckdb

        path = tmp_path / "store.duckdb"
        src = build_store(tmp_path / "src.sqlite")
        con = duckdb.connect(str(path))
        lite = sqlite3.connect(src)
        for table, ddl in lite.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
            con.execute(ddl.replace("REFERENCES Client(ClientId)", "").replace("REFERENCES SalesOrder(OrderId)", ""))
            rows = lite.execute(f"SELECT * FROM {table}").fetchall()
            con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        con.close()
        db = str(path)
    else:
        db = request.getfixturevalue("postgres_url")  # departments / employees
    pipeline = Pipeline(onboard_settings)
    state = Onboarding(pipeline, db).run(train_minutes=0, practice_pairs=20)
    assert state["schema"]["status"] == "done" and state["practice"]["status"] == "done"
    assert state["practice"]["kept"] >= 1
    assert pipeline.catalog(db).tables  # the catalog still reads
    for example in pipeline.examples.store.list(pipeline.catalog(db).database):
        assert pipeline.run(db, example.sql)[1].rows


def test_names_that_need_quotes_are_left_out_of_practice_pairs(tmp_path, onboard_settings):
    """A table, a view and a column whose names have spaces (as in many real databases) and a column named by a
    reserved word: onboarding finishes, and practice SQL, which writes names bare, only uses names that mean
    themselves bare (a Korean column name does, so it stays available)."""
    path = build_store(tmp_path / "store.sqlite")
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE "Order Details" ("Order ID" INTEGER REFERENCES SalesOrder(OrderId), Quantity INTEGER,
            "Unit Price" NUMERIC(10,2));
        INSERT INTO "Order Details" SELECT OrderId, 1 + OrderId % 4, 9.5 FROM SalesOrder;
        CREATE VIEW "Order Details Extended" AS
            SELECT "Order ID", Quantity * "Unit Price" AS Amount FROM "Order Details";
        ALTER TABLE Client ADD COLUMN "Contact Title" TEXT;
        UPDATE Client SET "Contact Title" = CASE ClientId % 3 WHEN 0 THEN 'Owner' ELSE 'Sales Agent' END;
        ALTER TABLE Client ADD COLUMN "Group" TEXT;
        UPDATE Client SET "Group" = CASE ClientId % 2 WHEN 0 THEN 'Retail' ELSE 'Wholesale' END;
        ALTER TABLE Client ADD COLUMN 등급 TEXT;
        UPDATE Client SET 등급 = CASE ClientId % 3 WHEN 0 THEN 'VIP' ELSE '일반' END;
    """)
    con.commit()
    con.close()
    pipeline = Pipeline(onboard_settings)
    state = Onboarding(pipeline, str(path)).run(train_minutes=0, practice_pairs=60)
    assert state["practice"]["status"] == "done" and state["practice"]["kept"] >= 10
    sqls = [e.sql for e in pipeline.examples.store.list(pipeline.catalog(str(path)).database)]
    assert sqls and not any("Order Details" in sql or "Contact Title" in sql or "Unit Price" in sql for sql in sqls)
    assert not any(re.search(r"\bGroup\b", sql) for sql in sqls)  # a reserved word, written bare, would not run


def test_adapter_stage_trains_and_switches_the_pipeline(store, onboard_settings, tiny_model_dir):
    settings = Settings(**{**onboard_settings.__dict__, "model": str(tiny_model_dir), "max_new_tokens": 8})
    pipeline = Pipeline(settings)
    state = Onboarding(pipeline, str(store)).run(train_minutes=0.02, practice_pairs=20)
    adapter = settings.data_dir / "onboard" / "store" / "adapter"
    assert state["adapter"]["status"] in ("done", "partial") and (adapter / "adapter_config.json").is_file()
    assert pipeline.artifacts(str(store)).adapter == str(adapter)
    assert str(adapter) in pipeline.generator(db=str(store)).name
    assert str(adapter) not in pipeline.generator().name  # other databases keep the shared model
    answer = pipeline.ask(str(store), "고객 수")
    assert answer.sql or answer.error  # the tiny model writes something; the pipeline reports it either way
    off = Pipeline(Settings(**{**settings.__dict__, "onboard_adapter": False}))
    assert str(adapter) not in off.generator(db=str(store)).name


def test_cli_onboard_and_status(store, tmp_path):
    env = {"T2SQL_DATA_DIR": str(tmp_path / "data"), "T2SQL_ADAPTER": "none", "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "t2sql",
            "onboard",
            "--db",
            str(store),
            "--train-minutes",
            "0",
            "--practice-pairs",
            "20",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    assert "스키마 어휘 익히기\tdone" in run.stdout and "모델 적응 학습\tskipped" in run.stdout
    assert "100.0%" in run.stderr
    status = subprocess.run(
        [sys.executable, "-m", "t2sql", "onboard", "--db", str(store), "--status"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert status.returncode == 0 and "연습 문제 만들기\tdone" in status.stdout


def test_onboarding_a_missing_database_is_a_korean_error(tmp_path):
    env = {"T2SQL_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "t2sql", "onboard", "--db", str(tmp_path / "nope.sqlite")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert run.returncode == 1 and "오류:" in run.stderr


def test_a_linked_value_counts_as_said(store, onboard_settings, prompt_model):
    """브라질 -> 'Brazil' is the user's own value once linked: no made-up-filter notice, no repair."""
    from conftest import PromptModel

    PromptModel.reply = staticmethod(lambda prompt, i: "SELECT COUNT(*) FROM Client WHERE Country = 'Brazil';")
    settings = Settings(
        **{
            **onboard_settings.__dict__,
            "backend": "openai",
            "openai_base_url": prompt_model,
            "openai_model": "scripted",
        }
    )
    pipeline = Pipeline(settings)
    Onboarding(pipeline, str(store)).run(train_minutes=0, practice_pairs=20)
    answer = pipeline.ask(str(store), "브라질 고객은 몇 명이야?")
    assert answer.error is None and answer.rows == [(8,)]
    assert not answer.notices and answer.repairs == 0
    assert "- Client.Country = 'Brazil'" in PromptModel.prompts[0]


def test_overlap_with_an_eval_file_is_counted(store, onboard_settings, tmp_path):
    pipeline = Pipeline(onboard_settings)
    Onboarding(pipeline, str(store)).run(train_minutes=0, practice_pairs=30)
    practice = pipeline.examples.store.list("store")[0]
    eval_file = tmp_path / "dev.jsonl"
    eval_file.write_text(
        json.dumps(
            {"id": "q1", "db_id": "store", "question": "완전히 다른 질문입니다", "sql": practice.sql},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    found = pipeline.example_overlaps(str(store), eval_file)
    assert [e.id for e, _ in found][:1] == [practice.id] and "q1" in found[0][1]


def test_a_failing_stage_is_named_in_korean_and_the_next_run_resumes(store, onboard_settings, monkeypatch):
    from t2sql.errors import T2SQLError

    pipeline = Pipeline(onboard_settings)
    monkeypatch.setattr(Onboarding, "_values", lambda self, *a, **k: (_ for _ in ()).throw(ValueError("disk full")))
    with pytest.raises(T2SQLError, match="'값 색인' 단계가 실패했습니다.*disk full"):
        Onboarding(pipeline, str(store)).run(train_minutes=0, practice_pairs=20)
    monkeypatch.undo()
    state = Onboarding(pipeline, str(store)).run(train_minutes=0, practice_pairs=20)
    assert state["values"]["status"] == "done" and state["practice"]["status"] == "done"
