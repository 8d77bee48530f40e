"""The admin view: the review queue, verified examples and business definitions of one database."""

from __future__ import annotations

import streamlit as st

from t2sql.access import AccessLocked
from t2sql.db.catalog import Catalog
from t2sql.errors import T2SQLError
from t2sql.pipeline import Pipeline
from t2sql.retrieval.example_store import GENERATED, SOURCES
from t2sql.ui.session import gate, login_configured, who

TITLE = "검증된 예시와 업무 정의"


def login(pipeline: Pipeline) -> None:
    """The way in for an admin: the operator's OIDC login, else the admin password, else closed."""
    st.title(TITLE)
    if login_configured():
        if st.user.is_logged_in:
            st.warning(
                f"{st.user.get('email') or '이 계정'}은(는) 관리자로 등록되어 있지 않습니다 (T2SQL_ADMIN_EMAILS)."
            )
            st.button("로그아웃", key="logout", on_click=st.logout)
        else:
            st.button("관리자 로그인", key="login", on_click=st.login)
        return
    if not gate(pipeline.settings).configured:
        st.warning(
            "관리 화면이 닫혀 있습니다. 운영자가 T2SQL_ADMIN_PASSWORD(또는 secrets.toml의 admin_password)나 "
            "로그인(OIDC)을 설정하면 열립니다."
        )
        return
    with st.form("admin_login"):
        attempt = st.text_input("관리자 비밀번호", type="password", key="admin_password")
        if st.form_submit_button("로그인"):
            try:
                if gate(pipeline.settings).check(attempt):
                    st.session_state.admin = True
                    st.rerun()
                st.error("비밀번호가 맞지 않습니다.")
            except AccessLocked as exc:
                st.error(str(exc))


def _done(message: str) -> None:
    st.session_state.admin_notice = message
    st.rerun()


def render(pipeline: Pipeline, db: str, catalog: Catalog) -> None:
    """List, add, edit and delete the pairs and definitions that go into prompts for this database."""
    st.title(TITLE)
    st.caption(f"{catalog.database}: 여기 저장된 질문-SQL 예시와 정의가 비슷한 질문의 프롬프트에 들어갑니다.")
    if st.session_state.get("admin_notice"):
        st.success(st.session_state.pop("admin_notice"))
    _review_queue(pipeline, db)
    _examples(pipeline, db, catalog)
    _definitions(pipeline, db, catalog)


def _review_queue(pipeline: Pipeline, db: str) -> None:
    proposals = pipeline.proposals(db)
    if not proposals:
        return
    st.subheader(f"검토 대기 ({len(proposals)}개)")
    st.caption("사용자가 '정확해요'를 누르거나 고친 SQL입니다. 승인해야 프롬프트에 들어갑니다.")
    for p in proposals:
        text_col, yes, no = st.columns([6, 1, 1], vertical_alignment="center")
        text_col.markdown(f"**{p.question}** · {SOURCES.get(p.source, p.source)} · {p.author}")
        text_col.code(p.sql, language="sql")
        for col, approve, label in ((yes, True, "승인"), (no, False, "거절")):
            if col.button(label, key=f"review_{'ok' if approve else 'no'}_{p.id}"):
                try:
                    pipeline.review_example(db, p.id, approve, who())
                    _done("승인해 검증된 예시로 저장했습니다." if approve else "거절했습니다.")
                except T2SQLError as exc:
                    st.error(str(exc))


def _examples(pipeline: Pipeline, db: str, catalog: Catalog) -> None:
    pairs = pipeline.stored_examples(db)
    verified = [e for e in pairs if e.source != GENERATED]
    generated = [e for e in pairs if e.source == GENERATED]
    st.subheader(f"검증된 예시 ({len(verified)}개)" + (f" · 온보딩 연습 문제 {len(generated)}개" if generated else ""))
    groups = (
        ("사람이 확인한 예시", verified),
        ("온보딩이 만든 연습 문제 (실행으로 검증됨, 검토 후 고치거나 지울 수 있음)", generated),
    )
    for title, shown in groups:
        if shown:
            st.caption(title)
            st.dataframe(
                [
                    {
                        "번호": e.id,
                        "질문": e.question,
                        "SQL": e.sql,
                        "출처": SOURCES.get(e.source, e.source),
                        "수정 시각": e.updated_at[:16],
                    }
                    for e in shown
                ],
                hide_index=True,
                width="stretch",
                height=min(400, 38 + 35 * len(shown)),
            )
    if pairs:
        chosen = st.selectbox(
            "고칠 예시",
            [e.id for e in pairs],
            key="admin_example",
            format_func=lambda i: next(f"{e.id}. {e.question}" for e in pairs if e.id == i),
        )
        pair = next(e for e in pairs if e.id == chosen)
        q = st.text_input("질문", pair.question, key=f"admin_q_{pair.id}")
        edited_sql = st.text_area("SQL", pair.sql, key=f"admin_sql_{pair.id}", height=120)
        save, delete, _ = st.columns([1, 1, 4])
        if save.button("저장", key="admin_save"):
            try:
                pipeline.update_example(db, pair.id, q, edited_sql, who())
                _done("예시를 고쳤습니다.")
            except T2SQLError as exc:
                st.error(f"저장하지 못했습니다: {exc}")
        if delete.button("삭제", key="admin_delete"):
            pipeline.delete_example(db, pair.id, who())
            _done("예시를 삭제했습니다.")
        st.download_button(
            "JSONL 내려받기 (학습 데이터 형식)",
            pipeline.examples_jsonl(db),
            f"{catalog.database}_examples.jsonl",
            "application/jsonl",
            key="admin_export",
        )
    else:
        st.caption("아직 없습니다. 결과 아래의 '정확해요'를 누르거나 여기서 추가하세요.")
    with st.form("admin_new_example", clear_on_submit=True):
        new_q = st.text_input("새 예시 질문", key="admin_new_q")
        new_sql = st.text_area("새 예시 SQL", key="admin_new_sql", height=100)
        if st.form_submit_button("예시 추가"):
            try:
                pipeline.save_example(db, new_q, new_sql, "admin", who(), who())
                _done("예시를 추가했습니다.")
            except T2SQLError as exc:
                st.error(f"추가하지 못했습니다: {exc}")


def _definitions(pipeline: Pipeline, db: str, catalog: Catalog) -> None:
    docs = pipeline.definitions(db)
    st.subheader(f"업무 정의 ({len(docs) + len(catalog.docs)}개)")
    for text in catalog.docs:
        st.markdown(f"- {text} · _스키마 yaml_")
    for doc in docs:
        text_col, button_col = st.columns([6, 1], vertical_alignment="center")
        text_col.markdown(f"- {doc.text}")
        if button_col.button("삭제", key=f"admin_doc_delete_{doc.id}"):
            pipeline.delete_definition(db, doc.id, who())
            _done("정의를 삭제했습니다.")
    with st.form("admin_new_doc", clear_on_submit=True):
        text = st.text_input(
            "새 정의", placeholder="예: 매출 = 취소·환불을 제외한 주문 금액 합계", key="admin_new_doc_text"
        )
        if st.form_submit_button("정의 추가"):
            try:
                pipeline.add_definition(db, text, who())
                _done("정의를 추가했습니다.")
            except T2SQLError as exc:
                st.error(str(exc))
