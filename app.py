"""t2sql web app: pick a database, ask in Korean, check/edit the SQL, run it read-only.

UI wiring only; everything else lives in the ``t2sql`` package.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from t2sql.errors import GuardRefusal, T2SQLError
from t2sql.pipeline import Pipeline
from t2sql.samples import SAMPLE_NAMES
from t2sql.settings import Settings

CUSTOM = "직접 입력 (SQLAlchemy URL)"
SAMPLE_LABELS = {"shop": "shop · 온라인 쇼핑몰", "marketing": "marketing · 마케팅 캠페인", "game": "game · 모바일 게임"}

st.set_page_config(page_title="t2sql · 한국어로 묻는 데이터", page_icon="🔎", layout="wide")


@st.cache_resource(show_spinner=False)
def get_pipeline() -> Pipeline:
    """One pipeline (model, index, connections) shared by every browser session."""
    return Pipeline(Settings.from_env())


pipeline = get_pipeline()
state = st.session_state

# --- sidebar: database and model --------------------------------------------------------------
with st.sidebar:
    st.header("데이터베이스")
    choice = st.selectbox(
        "조회할 데이터베이스", [*SAMPLE_NAMES, CUSTOM], key="db_choice",
        format_func=lambda n: SAMPLE_LABELS.get(n, n),
    )
    db = choice
    if choice == CUSTOM:
        db = st.text_input("SQLAlchemy URL", key="db_url", placeholder="sqlite:///data/company.sqlite").strip()
    st.divider()
    st.header("모델")
    s = pipeline.settings
    if s.backend == "openai":
        st.caption(f"OpenAI 호환 서버 · `{s.openai_model}` @ {s.openai_base_url}")
    else:
        st.caption(f"내장 모델 · `{s.model or 'Gemma 3 270M (기본)'}`" + (f" + LoRA `{Path(s.adapter_path).name}`" if s.adapter_path else ""))
    st.caption(f"쿼리 제한: {s.query_timeout_s:g}초 · 최대 {s.max_rows:,}행 · 읽기 전용")

if not db:
    st.info("왼쪽에서 데이터베이스를 고르거나 URL을 입력하세요.")
    st.stop()

# A new database means a fresh question/SQL/result.
if state.get("active_db") != db:
    for key in ("sql_editor", "tables", "result", "error", "notice"):
        state.pop(key, None)
    state.active_db = db

preparing = st.empty()
try:
    with st.spinner("데이터베이스를 준비하는 중… (처음에는 샘플 생성과 색인에 시간이 걸립니다)"):
        catalog = pipeline.prepare(db, progress=preparing.caption)
    preparing.empty()
except T2SQLError as exc:
    preparing.empty()
    st.error(str(exc))
    st.stop()

st.sidebar.success(f"{catalog.database}: 테이블 {len(catalog.tables)}개")
if catalog.description:
    st.sidebar.caption(catalog.description)

# --- question -> SQL --------------------------------------------------------------------------
st.title("🔎 한국어로 묻는 데이터")
question = st.text_area("질문", key="question", height=80, placeholder="예: 서울에 사는 고객은 몇 명이야?")

if st.button("SQL 생성", key="generate", type="primary"):
    for key in ("result", "error", "notice"):
        state.pop(key, None)
    live = st.empty()
    try:
        with st.status("SQL을 만드는 중…", expanded=True) as status:
            draft = pipeline.generate(
                db, question, progress=status.write, on_text=lambda text: live.code(text, language="sql")
            )
            status.update(label=f"SQL 생성 완료 ({draft.latency_ms / 1000:.1f}초)", state="complete", expanded=False)
        live.empty()
        if draft.resolved_question != draft.question:
            state.notice = f"기간을 이렇게 해석했습니다: {draft.resolved_question}"
        state.sql_editor = draft.sql
        state.tables = draft.tables
        if not draft.sql:
            state.error = "모델이 SQL을 만들지 못했습니다. 질문을 더 구체적으로 바꿔 보거나 SQL을 직접 입력하세요."
    except T2SQLError as exc:
        live.empty()
        state.error = str(exc)
    except Exception as exc:  # never lose the session to an unexpected failure
        live.empty()
        state.error = f"예상하지 못한 오류로 SQL을 만들지 못했습니다. 다시 시도하거나 관리자에게 알려 주세요: {exc}"

if state.get("notice"):
    st.info(state.notice)

if state.get("tables"):
    with st.expander(f"참고한 테이블 ({', '.join(state.tables)})"):
        st.code(catalog.ddl(state.tables), language="sql")

sql = st.text_area("SQL (실행 전에 확인하고 고칠 수 있습니다)", key="sql_editor", height=160)

if st.button("실행", key="run", disabled=not (sql or "").strip()):
    state.pop("error", None)
    try:
        with st.spinner("쿼리를 실행하는 중…"):
            approved, result = pipeline.run(db, sql)
        state.result = (approved, result)
    except GuardRefusal as exc:
        state.pop("result", None)
        state.error = f"실행하지 않았습니다: {exc}"
    except T2SQLError as exc:
        state.pop("result", None)
        state.error = str(exc)
    except Exception as exc:
        state.pop("result", None)
        state.error = f"예상하지 못한 오류로 실행하지 못했습니다: {exc}"

if state.get("error"):
    st.error(state.error)

if state.get("result"):
    approved, result = state.result
    notes = [f"{len(result.rows):,}행", f"{result.elapsed_ms:,.0f} ms"]
    if approved.limit_added:
        notes.append(f"LIMIT {pipeline.settings.max_rows:,} 자동 추가")
    if result.truncated:
        notes.append(f"최대 {pipeline.settings.max_rows:,}행까지만 표시")
    st.caption(" · ".join(notes))
    if result.rows:
        st.dataframe(result.to_frame(), width="stretch", hide_index=True)
    else:
        st.info("조건에 맞는 데이터가 없습니다 (결과 0행).")
    with st.expander("실행한 SQL"):
        st.code(approved.sql, language="sql")
