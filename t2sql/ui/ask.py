"""The question page: Korean question -> SQL (editable, explained) -> read-only run -> result and feedback."""

from __future__ import annotations

import time

import streamlit as st

from t2sql.db.catalog import Catalog
from t2sql.errors import T2SQLError
from t2sql.pipeline import Pipeline
from t2sql.present.explain import explain
from t2sql.present.history import remember
from t2sql.present.notices import draft_error, draft_notices, failure_message, repair_note
from t2sql.prompt import Shot
from t2sql.ui import result as result_view
from t2sql.ui.session import CHART_KEYS, clear_question, is_admin, who

HISTORY_SIZE = 20  # questions kept per browser session


def use_example(question: str) -> None:
    clear_question()
    st.session_state.question = question
    st.session_state.pending_generate = True


def render(pipeline: Pipeline, db: str, catalog: Catalog) -> None:
    state = st.session_state
    head, reset = st.columns([6, 1], vertical_alignment="bottom")
    head.title("한국어로 묻는 데이터")
    reset.button(
        "새 질문",
        key="new_question",
        on_click=clear_question,
        width="stretch",
        help="이전 질문과 이어지지 않는 새 대화를 시작합니다",
    )
    if catalog.examples:
        st.caption("예시 질문")
        for col, example in zip(st.columns(len(catalog.examples)), catalog.examples):
            col.button(example, key=f"example_{example}", on_click=use_example, args=(example,), width="stretch")

    question = st.text_area("질문", key="question", height=80, placeholder="예: 서울에 사는 고객은 몇 명이야?")
    turn_note = st.empty()  # filled at the end: a run further down starts or moves the conversation
    if st.button("SQL 생성", key="generate", type="primary") or state.pop("pending_generate", False):
        _generate(pipeline, db, question)

    for notice in state.get("notices", []):
        st.info(notice)
    if state.get("tables"):
        with st.expander(f"참고한 테이블 ({', '.join(state.tables)})"):
            st.code(catalog.ddl(state.tables), language="sql")
    draft = state.get("draft")
    if draft is not None and (note := repair_note(draft)):
        st.warning(note)
        with st.expander(f"실패한 SQL {len(draft.failures)}개 보기"):
            for failure in draft.failures:
                st.code(failure.sql, language="sql")
                st.caption(failure.error)

    editor, explanation = st.columns([3, 2])
    sql = editor.text_area("SQL (실행 전에 확인하고 고칠 수 있습니다)", key="sql_editor", height=220)
    with explanation:
        st.markdown("**이 쿼리가 하는 일**")
        if (sql or "").strip():
            lines = explain(sql, catalog.dialect, catalog.labels())
            st.markdown(
                "\n".join(f"{i}. " + line.replace("*", "\\*").replace("_", "\\_") for i, line in enumerate(lines, 1))
            )
        else:
            st.caption("SQL을 만들거나 입력하면 여기에 한국어 설명이 나옵니다.")

    if st.button("실행", key="run", disabled=not (sql or "").strip()) or state.pop("pending_run", False):
        _run(pipeline, db, question, sql, draft)
    if state.get("error"):
        st.error(state.error)
    if state.get("result"):
        approved, result, asked, _ran = state.result
        result_view.render(approved, result, asked, catalog.labels(), pipeline.settings.max_rows)
        _feedback(pipeline, db)
    if state.get("turn"):
        turn_note.caption(
            f"이어지는 질문으로 해석합니다 (이전 질문: “{state.turn.question}”). 새 주제라면 '새 질문'을 누르세요."
        )


def _generate(pipeline: Pipeline, db: str, question: str) -> None:
    state = st.session_state
    clear_question(keep_question=True, keep_turn=True)
    live = st.empty()
    try:
        with st.status("SQL을 만드는 중…", expanded=True) as status:
            waiting = st.empty()

            def show_text(text: str) -> None:
                live.code(text, language="sql")

            def show_wait(ahead: int) -> None:
                waiting.caption(f"다른 사용자의 질문을 처리하는 중입니다. 앞에 {ahead}명이 기다리고 있습니다…")

            draft = pipeline.solve(
                db,
                question,
                who(),
                progress=status.write,
                on_text=show_text,
                on_wait=show_wait,
                previous=state.get("turn"),
            )
            waiting.empty()
            status.update(label=f"SQL 생성 완료 ({draft.latency_ms / 1000:.1f}초)", state="complete", expanded=False)
        state.notices = draft_notices(draft)
        state.sql_editor, state.tables = draft.sql, draft.tables
        state.draft = draft
        if error := draft_error(draft):
            state.error = error
    except Exception as exc:  # never lose the session to an unexpected failure
        state.error = failure_message(
            exc, "처리하지 않았습니다", "SQL을 만들지 못했습니다. 다시 시도하거나 관리자에게 알려 주세요"
        )
    finally:
        live.empty()


def _run(pipeline: Pipeline, db: str, question: str, sql: str, draft) -> None:
    state = st.session_state
    for key in ("error", "saved", "page", *CHART_KEYS):
        state.pop(key, None)
    try:
        with st.spinner("쿼리를 실행하는 중…"):
            approved, result = pipeline.run(db, sql, session=who())
        asked = draft.turn_question if draft is not None else (question or "")
        state.result = (approved, result, asked, sql)
        state.turn = Shot(asked, sql) if asked else None
        saved = pipeline.correction(
            db, asked, state.pop("correcting", None), sql, who(), admin=is_admin(pipeline.settings)
        )
        if saved:
            state.saved = "고친 SQL: " + saved
        state.history = remember(
            state.history,
            {
                "db": db,
                "question": question or "(직접 입력한 SQL)",
                "sql": sql,
                "rows": len(result.rows),
                "when": time.strftime("%H:%M"),
            },
            HISTORY_SIZE,
        )
    except Exception as exc:  # never lose the session to an unexpected failure
        state.pop("result", None)
        state.error = failure_message(exc, "실행하지 않았습니다", "실행하지 못했습니다")


def _thumbs_up(pipeline: Pipeline, db: str) -> None:
    state = st.session_state
    _approved, _result, asked, ran = state.result
    try:  # run again: the data may have changed since the result was shown
        state.saved = pipeline.keep_pair(db, asked, ran, "feedback", who(), admin=is_admin(pipeline.settings))
    except T2SQLError as exc:
        state.saved = f"저장하지 못했습니다: {exc}"


def _thumbs_down() -> None:
    st.session_state.correcting = st.session_state.result[3]
    st.session_state.saved = "SQL 편집기에서 고친 뒤 '실행'을 누르면 고친 SQL이 검증된 예시로 저장됩니다."


def _feedback(pipeline: Pipeline, db: str) -> None:
    state = st.session_state
    up, down, note = st.columns([1, 1, 4], vertical_alignment="center")
    up.button(
        "정확해요",
        key="feedback_up",
        icon=":material/thumb_up:",
        on_click=_thumbs_up,
        args=(pipeline, db),
        width="stretch",
        disabled=not state.result[2],
    )
    down.button("틀렸어요", key="feedback_down", icon=":material/thumb_down:", on_click=_thumbs_down, width="stretch")
    if state.get("saved"):
        note.success(state.saved)
