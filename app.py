"""t2sql web app: pick a database, ask in Korean, check/edit the SQL, run it read-only.

The `streamlit run` entry point only; the pages live in ``t2sql.ui`` and render only.
"""

from __future__ import annotations

import uuid

import streamlit as st

from t2sql.db.registry import served_databases
from t2sql.errors import T2SQLError
from t2sql.ui import admin, ask, onboarding, sidebar
from t2sql.ui.session import clear_question, get_pipeline, is_admin

st.set_page_config(page_title="t2sql · 한국어로 묻는 데이터", page_icon="🔎", layout="wide")

try:
    pipeline = get_pipeline()
    served = served_databases(pipeline.settings.databases_file)
except T2SQLError as exc:  # e.g. a T2SQL_* value of the wrong type: say which, keep the page up
    st.error(f"설정을 읽지 못했습니다: {exc}")
    st.stop()
st.session_state.setdefault("session_id", uuid.uuid4().hex[:12])
st.session_state.setdefault("history", [])

choice = sidebar.render(pipeline, served)
db = choice.db
if not db:
    st.info("왼쪽에서 데이터베이스를 고르거나 URL을 입력하세요.")
    st.stop()
if st.session_state.get("active_db") != db:  # a new database: a fresh question/SQL/result and conversation
    clear_question()
    st.session_state.active_db = db

preparing = st.empty()
try:
    with st.spinner("데이터베이스를 준비하는 중… (처음에는 샘플 생성과 색인에 시간이 걸립니다)"):
        catalog = pipeline.prepare(db, progress=preparing.caption)
    preparing.empty()
except T2SQLError as exc:
    preparing.empty()
    st.error(str(exc))
    st.stop()

choice.status.success(f"{catalog.database}: 테이블 {len(catalog.tables)}개")
if catalog.description:
    choice.status.caption(catalog.description)
onboarding.start_if_new(pipeline, db)
with choice.status:
    onboarding.status(pipeline, db)

if choice.view == sidebar.ADMIN:
    if is_admin(pipeline.settings):
        admin.render(pipeline, db, catalog)
    else:
        admin.login(pipeline)
    st.stop()

ask.render(pipeline, db, catalog)
sidebar.render_history(choice.history, served, pipeline.settings.allow_custom_url)
