"""The Streamlit app through AppTest: real pipeline, real sample database, tiny real model."""

import pytest
from streamlit.testing.v1 import AppTest

from t2sql.settings import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture
def app_env(monkeypatch, tmp_path, tiny_model_dir, sample_dir):
    monkeypatch.setenv("T2SQL_MODEL", str(tiny_model_dir))
    monkeypatch.setenv("T2SQL_ADAPTER", "none")
    monkeypatch.setenv("T2SQL_MAX_NEW_TOKENS", "8")
    monkeypatch.setenv("T2SQL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("T2SQL_SAMPLE_DIR", str(sample_dir))
    from streamlit.runtime.caching import cache_resource

    cache_resource.clear()  # a fresh pipeline that reads this test's environment
    yield


def start(db="shop") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300).run()
    if db != "shop":
        at.selectbox(key="db_choice").select(db).run()
    return at


def test_ask_generate_edit_and_run(app_env):
    at = start()
    assert not at.exception
    assert "shop" in at.sidebar.success[0].value
    at.text_area(key="question").input("서울에 사는 고객은 몇 명이야?").run()
    at.button(key="generate").click().run()
    assert not at.exception
    assert at.expander[0].label.startswith("참고한 테이블") and "customers" in at.expander[0].label
    # the analyst replaces the model's SQL and runs it
    at.text_area(key="sql_editor").input("SELECT city, count(*) AS n FROM customers GROUP BY city ORDER BY n DESC").run()
    at.button(key="run").click().run()
    assert not at.error
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["city", "n"] and frame.iloc[0]["city"] == "서울"
    assert "LIMIT 1,000 자동 추가" in at.caption[-1].value or any("자동 추가" in c.value for c in at.caption)


def test_unsafe_sql_is_refused_with_reason_and_app_stays_up(app_env):
    at = start()
    at.text_area(key="sql_editor").input("DROP TABLE customers").run()
    at.button(key="run").click().run()
    assert at.error[0].value.startswith("실행하지 않았습니다:")
    at.text_area(key="sql_editor").input("SELECT count(*) AS n FROM customers").run()
    at.button(key="run").click().run()
    assert not at.error and at.dataframe[0].value.iloc[0]["n"] > 0


def test_empty_question_gets_korean_message(app_env):
    at = start()
    at.button(key="generate").click().run()
    assert at.error[0].value == "질문을 입력하세요."


def test_custom_url_that_does_not_exist(app_env, sqlite_file):
    at = start()
    at.selectbox(key="db_choice").select("직접 입력 (SQLAlchemy URL)").run()
    at.text_input(key="db_url").input("sqlite:////no/such/file.sqlite").run()
    assert "찾을 수 없습니다" in at.error[0].value
    at.text_input(key="db_url").input(f"sqlite:///{sqlite_file}").run()
    assert not at.error and "company" in at.sidebar.success[0].value


def test_switching_sample_databases(app_env):
    at = start("marketing")
    assert "marketing" in at.sidebar.success[0].value
    at.text_area(key="sql_editor").input("SELECT count(*) AS n FROM campaigns").run()
    at.button(key="run").click().run()
    assert at.dataframe[0].value.iloc[0]["n"] > 0
