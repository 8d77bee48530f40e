"""t2sql web app: pick a database, ask in Korean, check/edit the SQL, run it read-only.

UI wiring only; everything else lives in the ``t2sql`` package.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from t2sql.present import charts
from t2sql.present import export
from t2sql.access import AccessLocked, AdminGate, is_admin_email
from t2sql.db.registry import served_databases
from t2sql.errors import GuardRefusal, T2SQLError
from t2sql.retrieval.example_store import GENERATED, SOURCES
from t2sql.present.explain import explain
from t2sql.onboard import STAGE_NAMES, STAGES, Onboarding
from t2sql.onboard import jobs as onboard_jobs
from t2sql.pipeline import Pipeline
from t2sql.prompt import Shot
from t2sql.db.demo import SAMPLE_NAMES, SAMPLE_TITLES
from t2sql.db.sandbox import pool
from t2sql.settings import Settings

CUSTOM = "직접 입력 (SQLAlchemy URL)"
PAGE_ROWS = 100      # rows per page of the result table
HISTORY_SIZE = 20    # questions kept per browser session
CHART_KEYS = ("chart_kind", "chart_x", "chart_y", "chart_color")
ASK, ADMIN = "질문하기", "예시·정의 관리"

st.set_page_config(page_title="t2sql · 한국어로 묻는 데이터", page_icon="🔎", layout="wide")


@st.cache_resource(show_spinner=False)
def get_pipeline() -> Pipeline:
    """One pipeline (model, index, connections) shared by every browser session."""
    for key, value in secrets().items():  # ${VAR} credentials of the databases file may live in secrets
        os.environ.setdefault(key, value)
    pool().warm()  # a query worker is ready before the first question
    return Pipeline(Settings.from_env())


def secrets() -> dict[str, str]:
    """Top-level string values of ``.streamlit/secrets.toml`` ({} without one)."""
    try:
        return {k: v for k, v in st.secrets.items() if isinstance(v, str)}
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return {}


try:
    pipeline = get_pipeline()
    served = served_databases(pipeline.settings.databases_file)
except T2SQLError as exc:  # e.g. a T2SQL_* value of the wrong type: say which, keep the page up
    st.error(f"설정을 읽지 못했습니다: {exc}")
    st.stop()
settings = pipeline.settings
state = st.session_state
state.setdefault("session_id", uuid.uuid4().hex[:12])
state.setdefault("history", [])


@st.cache_resource(show_spinner=False)
def get_gate() -> AdminGate:
    """One password check (and lockout) for every session of this app process."""
    return AdminGate(settings.admin_password or secrets().get("admin_password", ""))


def login_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def who() -> str:
    """The logged-in user, else this browser session: what the audit log records."""
    if login_configured() and st.user.is_logged_in:
        return st.user.get("email") or state.session_id
    return state.session_id


def is_admin() -> bool:
    if login_configured() and st.user.is_logged_in:
        return is_admin_email(st.user.get("email"), settings.admin_emails)
    return bool(state.get("admin"))


def keep_pair(asked: str, sql: str, source: str, ran: bool) -> str:
    """An admin's pair is verified at once; anyone else's waits for an admin. Returns what happened."""
    if is_admin():
        pipeline.save_example(db, asked, sql, source, who(), who(), ran=ran)
        return "검증된 예시로 저장했습니다. 비슷한 질문에 참고합니다."
    pipeline.propose_example(db, asked, sql, source, who(), ran=ran)
    return "관리자에게 검토를 요청했습니다. 승인되면 비슷한 질문에 참고합니다."


# --- callbacks (run before the script, so they may set widget values) -------------------------
def clear_question(keep_question: bool = False, keep_turn: bool = False) -> None:
    """Forget the current question, SQL and result; without ``keep_turn`` the conversation starts over too."""
    keys = ["sql_editor", "tables", "result", "error", "notices", "page", "draft", "correcting", "saved", *CHART_KEYS]
    if not keep_question:
        keys.append("question")
    if not keep_turn:
        keys.append("turn")
    for key in keys:
        state.pop(key, None)


def use_example(question: str) -> None:
    clear_question()
    state.question = question
    state.pending_generate = True


def restore(entry: dict) -> None:
    """Bring a history entry back and run its SQL again."""
    clear_question()
    if entry["db"] in SAMPLE_NAMES or entry["db"] in served:
        state.db_choice = entry["db"]
    elif settings.allow_custom_url:
        state.db_choice, state.db_url = CUSTOM, entry["db"]
    else:
        st.toast("이 데이터베이스는 지금 제공되지 않습니다.")
        return
    state.active_db = entry["db"]
    state.question, state.sql_editor = entry["question"], entry["sql"]
    state.pending_run = True


def database_title(name: str) -> str:
    if name in served:
        return " · ".join(filter(None, (name, served[name].description)))
    return SAMPLE_TITLES.get(name, name)


# --- sidebar: database, model, history ----------------------------------------------------------
with st.sidebar:
    view = st.radio("화면", [ASK, ADMIN], key="view", horizontal=True, label_visibility="collapsed")
    st.header("데이터베이스")
    choice = st.selectbox(
        "조회할 데이터베이스", [*SAMPLE_NAMES, *served, *([CUSTOM] if settings.allow_custom_url else [])],
        key="db_choice", format_func=database_title,
    )
    db = choice
    if choice == CUSTOM:
        db = st.text_input("SQLAlchemy URL", key="db_url", placeholder="sqlite:///data/company.sqlite").strip()
    db_status = st.container()
    st.divider()
    st.header("모델")
    if settings.backend == "openai":
        st.caption(f"OpenAI 호환 서버 · `{settings.openai_model}` @ {settings.openai_base_url}")
    else:
        adapter = f" + LoRA `{Path(settings.adapter_path).name}`" if settings.adapter_path else ""
        st.caption(f"내장 모델 · `{settings.model or 'Gemma 3 270M (기본)'}`{adapter}")
    running, waiting = pipeline.turnstile.load()
    st.caption(f"모델 사용 중 {running} · 대기 {waiting}명")
    st.caption(f"쿼리 제한: {settings.query_timeout_s:g}초 · 최대 {settings.max_rows:,}행 · 읽기 전용")
    history_box = st.container()

if not db:
    st.info("왼쪽에서 데이터베이스를 고르거나 URL을 입력하세요.")
    st.stop()

# A new database means a fresh question/SQL/result (and a new conversation).
if state.get("active_db") != db:
    clear_question()
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

db_status.success(f"{catalog.database}: 테이블 {len(catalog.tables)}개")
if catalog.description:
    db_status.caption(catalog.description)
labels = catalog.labels()


@st.fragment(run_every=3)
def onboarding_status(db: str) -> None:
    """Onboarding's progress (stage, %, time left) while it runs in the background, else its outcome."""
    onboarding = Onboarding(pipeline, db)
    job = onboard_jobs.get(onboarding.database.label)
    done = onboarding.state()
    if job is not None and job.running:
        p = job.progress
        st.progress(p.fraction, text=f"온보딩 {p.fraction * 100:.0f}% · {p.message}")
        st.caption((f"남은 시간 약 {max(1, round(p.eta_s / 60))}분 · " if p.eta_s else "")
                   + "온보딩 중에도 질문할 수 있습니다.")
        return
    if job is not None and job.status == "failed":
        st.warning(f"온보딩하지 못했습니다: {job.error}")
    elif done:
        parts = [f"{STAGE_NAMES[s]} {'완료' if (done.get(s) or {}).get('status') == 'done' else '미완료'}"
                 for s in STAGES if (done.get(s) or {}).get("status") != "skipped"]
        kept = (done.get("practice") or {}).get("kept")
        st.caption("온보딩: " + " · ".join(parts) + (f" · 연습 문제 {kept}개" if kept else ""))
    if st.button("온보딩 다시 하기" if done else "이 데이터베이스 온보딩", key="onboard_start",
                 help="한국어 어휘·값 색인·연습 문제를 만들고 전용 어댑터를 학습합니다 (바뀐 부분만 다시)."):
        onboard_jobs.start(pipeline, db)
        st.rerun(scope="fragment")


if (settings.auto_onboard and db not in SAMPLE_NAMES and not Onboarding(pipeline, db).state()
        and onboard_jobs.get(Onboarding(pipeline, db).database.label) is None):
    onboard_jobs.start(pipeline, db)  # first connection: onboard in the background
with db_status:
    onboarding_status(db)



# --- admin: verified examples and business definitions ------------------------------------------
def admin_login() -> None:
    """The way in for an admin: the operator's OIDC login, else the admin password, else closed."""
    st.title("검증된 예시와 업무 정의")
    if login_configured():
        if st.user.is_logged_in:
            st.warning(f"{st.user.get('email') or '이 계정'}은(는) 관리자로 등록되어 있지 않습니다 (T2SQL_ADMIN_EMAILS).")
            st.button("로그아웃", key="logout", on_click=st.logout)
        else:
            st.button("관리자 로그인", key="login", on_click=st.login)
        return
    if not get_gate().configured:
        st.warning("관리 화면이 닫혀 있습니다. 운영자가 T2SQL_ADMIN_PASSWORD(또는 secrets.toml의 admin_password)나 "
                   "로그인(OIDC)을 설정하면 열립니다.")
        return
    with st.form("admin_login"):
        attempt = st.text_input("관리자 비밀번호", type="password", key="admin_password")
        if st.form_submit_button("로그인"):
            try:
                if get_gate().check(attempt):
                    state.admin = True
                    st.rerun()
                st.error("비밀번호가 맞지 않습니다.")
            except AccessLocked as exc:
                st.error(str(exc))


def admin_view() -> None:
    """List, add, edit and delete the pairs and definitions that go into prompts for this database."""
    store = pipeline.examples.store
    st.title("검증된 예시와 업무 정의")
    st.caption(f"{catalog.database}: 여기 저장된 질문-SQL 예시와 정의가 비슷한 질문의 프롬프트에 들어갑니다.")
    if state.get("admin_notice"):
        st.success(state.pop("admin_notice"))

    def done(message: str) -> None:
        state.admin_notice = message
        st.rerun()

    proposals = store.proposals(catalog.database)
    if proposals:
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
                        done("승인해 검증된 예시로 저장했습니다." if approve else "거절했습니다.")
                    except T2SQLError as exc:
                        st.error(str(exc))
    pairs = store.list(catalog.database)
    verified = [e for e in pairs if e.source != GENERATED]
    generated = [e for e in pairs if e.source == GENERATED]
    st.subheader(f"검증된 예시 ({len(verified)}개)" + (f" · 온보딩 연습 문제 {len(generated)}개" if generated else ""))
    for title, shown in (("사람이 확인한 예시", verified), ("온보딩이 만든 연습 문제 (실행으로 검증됨, 검토 후 고치거나 지울 수 있음)", generated)):
        if shown:
            st.caption(title)
            st.dataframe([{"번호": e.id, "질문": e.question, "SQL": e.sql, "출처": SOURCES.get(e.source, e.source),
                           "수정 시각": e.updated_at[:16]} for e in shown], hide_index=True, width="stretch",
                         height=min(400, 38 + 35 * len(shown)))
    if pairs:
        chosen = st.selectbox("고칠 예시", [e.id for e in pairs], key="admin_example",
                              format_func=lambda i: next(f"{e.id}. {e.question}" for e in pairs if e.id == i))
        pair = next(e for e in pairs if e.id == chosen)
        q = st.text_input("질문", pair.question, key=f"admin_q_{pair.id}")
        edited_sql = st.text_area("SQL", pair.sql, key=f"admin_sql_{pair.id}", height=120)
        save, delete, _ = st.columns([1, 1, 4])
        if save.button("저장", key="admin_save"):
            try:
                pipeline.update_example(db, pair.id, q, edited_sql, who())
                done("예시를 고쳤습니다.")
            except T2SQLError as exc:
                st.error(f"저장하지 못했습니다: {exc}")
        if delete.button("삭제", key="admin_delete"):
            store.delete(pair.id, catalog.database)
            done("예시를 삭제했습니다.")
        st.download_button("JSONL 내려받기 (학습 데이터 형식)", pipeline.examples_jsonl(db),
                           f"{catalog.database}_examples.jsonl", "application/jsonl", key="admin_export")
    else:
        st.caption("아직 없습니다. 결과 아래의 '정확해요'를 누르거나 여기서 추가하세요.")
    with st.form("admin_new_example", clear_on_submit=True):
        new_q = st.text_input("새 예시 질문", key="admin_new_q")
        new_sql = st.text_area("새 예시 SQL", key="admin_new_sql", height=100)
        if st.form_submit_button("예시 추가"):
            try:
                pipeline.save_example(db, new_q, new_sql, "admin", who(), who())
                done("예시를 추가했습니다.")
            except T2SQLError as exc:
                st.error(f"추가하지 못했습니다: {exc}")

    docs = store.docs(catalog.database)
    st.subheader(f"업무 정의 ({len(docs) + len(catalog.docs)}개)")
    for text in catalog.docs:
        st.markdown(f"- {text} · _스키마 yaml_")
    for doc in docs:
        text_col, button_col = st.columns([6, 1], vertical_alignment="center")
        text_col.markdown(f"- {doc.text}")
        if button_col.button("삭제", key=f"admin_doc_delete_{doc.id}"):
            store.delete_doc(doc.id, catalog.database)
            done("정의를 삭제했습니다.")
    with st.form("admin_new_doc", clear_on_submit=True):
        text = st.text_input("새 정의", placeholder="예: 매출 = 취소·환불을 제외한 주문 금액 합계", key="admin_new_doc_text")
        if st.form_submit_button("정의 추가"):
            try:
                store.add_doc(catalog.database, text, "admin", who())
                done("정의를 추가했습니다.")
            except T2SQLError as exc:
                st.error(str(exc))


if view == ADMIN:
    admin_view() if is_admin() else admin_login()
    st.stop()

# --- question -> SQL ----------------------------------------------------------------------------
head, reset = st.columns([6, 1], vertical_alignment="bottom")
head.title("한국어로 묻는 데이터")
reset.button("새 질문", key="new_question", on_click=clear_question, width="stretch",
             help="이전 질문과 이어지지 않는 새 대화를 시작합니다")

if catalog.examples:
    st.caption("예시 질문")
    for col, example in zip(st.columns(len(catalog.examples)), catalog.examples):
        col.button(example, key=f"example_{example}", on_click=use_example, args=(example,), width="stretch")

question = st.text_area("질문", key="question", height=80, placeholder="예: 서울에 사는 고객은 몇 명이야?")
turn: Shot | None = state.get("turn")
turn_note = st.empty()  # filled at the end: a run further down starts or moves the conversation

if st.button("SQL 생성", key="generate", type="primary") or state.pop("pending_generate", False):
    clear_question(keep_question=True, keep_turn=True)
    live = st.empty()
    try:
        with st.status("SQL을 만드는 중…", expanded=True) as status:
            waiting = st.empty()
            draft = pipeline.solve(
                db, question, who(), progress=status.write, on_text=lambda text: live.code(text, language="sql"),
                on_wait=lambda ahead: waiting.caption(f"다른 사용자의 질문을 처리하는 중입니다. 앞에 {ahead}명이 기다리고 있습니다…"),
                previous=turn,
            )
            waiting.empty()
            status.update(label=f"SQL 생성 완료 ({draft.latency_ms / 1000:.1f}초)", state="complete", expanded=False)
        state.notices = list(draft.notices)
        if draft.resolved_question != draft.question:
            state.notices.append(f"기간을 이렇게 해석했습니다: {draft.resolved_question}")
        if draft.examples:
            state.notices.append(f"비슷한 검증된 예시 {len(draft.examples)}개를 참고했습니다.")
        state.sql_editor, state.tables = draft.sql, draft.tables
        state.draft = draft
        if not draft.sql:
            state.error = "모델이 SQL을 만들지 못했습니다. 질문을 더 구체적으로 바꿔 보거나 SQL을 직접 입력하세요."
        elif draft.error is not None:
            tries = f"자동 수정 {len(draft.failures)}회 후에도 " if draft.failures else ""
            state.error = f"{tries}SQL이 실행되지 않습니다: {draft.error} SQL을 고치거나 질문을 바꿔 보세요."
    except GuardRefusal as exc:
        state.error = f"처리하지 않았습니다: {exc}"
    except T2SQLError as exc:
        state.error = str(exc)
    except Exception as exc:  # never lose the session to an unexpected failure
        state.error = f"예상하지 못한 오류로 SQL을 만들지 못했습니다. 다시 시도하거나 관리자에게 알려 주세요: {exc}"
    finally:
        live.empty()

for notice in state.get("notices", []):
    st.info(notice)

if state.get("tables"):
    with st.expander(f"참고한 테이블 ({', '.join(state.tables)})"):
        st.code(catalog.ddl(state.tables), language="sql")
draft = state.get("draft")
if draft is not None and draft.failures:
    fixed = "아래 SQL로 고쳤습니다" if draft.error is None else "아직 실행되지 않습니다"
    st.warning(f"자동 수정: 처음 만든 SQL에 문제가 있어 {len(draft.failures)}번 다시 만들었고, {fixed}.")
    with st.expander(f"실패한 SQL {len(draft.failures)}개 보기"):
        for failure in draft.failures:
            st.code(failure.sql, language="sql")
            st.caption(failure.error)

editor, explanation = st.columns([3, 2])
sql = editor.text_area("SQL (실행 전에 확인하고 고칠 수 있습니다)", key="sql_editor", height=220)
with explanation:
    st.markdown("**이 쿼리가 하는 일**")
    if (sql or "").strip():
        lines = explain(sql, catalog.dialect, labels)
        st.markdown("\n".join(f"{i}. " + line.replace("*", "\\*").replace("_", "\\_") for i, line in enumerate(lines, 1)))
    else:
        st.caption("SQL을 만들거나 입력하면 여기에 한국어 설명이 나옵니다.")

if st.button("실행", key="run", disabled=not (sql or "").strip()) or state.pop("pending_run", False):
    state.pop("error", None)
    state.pop("saved", None)
    for key in ("page", *CHART_KEYS):
        state.pop(key, None)
    try:
        with st.spinner("쿼리를 실행하는 중…"):
            approved, result = pipeline.run(db, sql, session=who())
        asked = draft.turn_question if draft is not None else (question or "")
        state.result = (approved, result, asked, sql)
        state.turn = Shot(asked, sql) if asked else None
        correcting = state.pop("correcting", None)
        if correcting and asked and sql.strip() != correcting.strip():
            state.saved = "고친 SQL: " + keep_pair(asked, sql, "correction", ran=True)
        state.history = [
            {"db": db, "question": question or "(직접 입력한 SQL)", "sql": sql, "rows": len(result.rows),
             "when": time.strftime("%H:%M")},
            *[h for h in state.history if (h["db"], h["sql"]) != (db, sql)],
        ][:HISTORY_SIZE]
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


# --- feedback: a good answer becomes a verified example; a fixed one too ------------------------
def thumbs_up() -> None:
    _approved, _result, asked, ran = state.result
    try:  # run again: the data may have changed since the result was shown
        state.saved = keep_pair(asked, ran, "feedback", ran=False)
    except T2SQLError as exc:
        state.saved = f"저장하지 못했습니다: {exc}"


def thumbs_down() -> None:
    state.correcting = state.result[3]
    state.saved = "SQL 편집기에서 고친 뒤 '실행'을 누르면 고친 SQL이 검증된 예시로 저장됩니다."


def feedback_row() -> None:
    up, down, note = st.columns([1, 1, 4], vertical_alignment="center")
    up.button("정확해요", key="feedback_up", icon=":material/thumb_up:", on_click=thumbs_up, width="stretch",
              disabled=not state.result[2])
    down.button("틀렸어요", key="feedback_down", icon=":material/thumb_down:", on_click=thumbs_down, width="stretch")
    if state.get("saved"):
        note.success(state.saved)


# --- result: notes, table, chart, downloads ----------------------------------------------------
def result_notes(approved, result) -> list[str]:
    notes = [f"{len(result.rows):,}행", f"{result.elapsed_ms:,.0f} ms"]
    if approved.limit_added:
        notes.append(f"LIMIT {settings.max_rows:,} 자동 추가")
    if result.truncated:
        notes.append(result.truncation_message)
    return notes


def show_table(frame) -> None:
    pages = (len(frame) - 1) // PAGE_ROWS + 1
    page = 1
    if pages > 1:
        page = st.number_input(f"페이지 (전체 {pages}쪽, 쪽당 {PAGE_ROWS}행)", 1, pages, key="page")
    start = (page - 1) * PAGE_ROWS
    st.dataframe(frame.iloc[start:start + PAGE_ROWS], width="stretch", hide_index=True)


def show_chart(frame, titles: dict[str, str]) -> None:
    suggestion = charts.suggest(frame)
    opts = charts.options(frame)
    if not opts["y"]:
        st.caption("숫자 열이 없어 차트를 그릴 수 없습니다. 표를 확인하세요.")
        return
    kinds = list(charts.KINDS)
    c1, c2, c3, c4 = st.columns(4)
    kind = c1.selectbox("차트 종류", kinds, index=kinds.index(suggestion.kind if suggestion else "bar"),
                        format_func=charts.KINDS.get, key="chart_kind")
    y_default = suggestion.y if suggestion and suggestion.y in opts["y"] else opts["y"][0]
    y = c3.selectbox("값(세로축)", opts["y"], index=opts["y"].index(y_default), key="chart_y")
    if kind == "metric":
        st.metric(titles.get(y, y), charts.metric_text(frame[y]))
        return
    x_default = suggestion.x if suggestion and suggestion.x in opts["x"] else opts["x"][0]
    x = c2.selectbox("가로축", opts["x"], index=opts["x"].index(x_default), key="chart_x")
    colors = ["", *opts["color"]]
    color = c4.selectbox("색 구분", colors, index=colors.index(suggestion.color) if suggestion and suggestion.color in colors else 0,
                         format_func=lambda c: c or "없음", key="chart_color")
    try:
        st.altair_chart(charts.build(frame, charts.ChartSpec(kind, x, y, color), titles), width="stretch")
    except Exception as exc:  # an odd column combination must not take the page down
        st.warning(f"이 조합으로는 차트를 그릴 수 없습니다: {exc}")


if state.get("result"):
    approved, result, asked, _ran = state.result
    st.caption(" · ".join(result_notes(approved, result)))
    if result.masked:
        st.info(f"개인정보 열({', '.join(result.masked)})은 가려서 표시했습니다.")
    if result.rows:
        frame = result.to_frame()
        titles = charts.axis_titles(frame.columns, approved.tables, labels)
        table_tab, chart_tab = st.tabs(["표", "차트"])
        with table_tab:
            show_table(frame)
        with chart_tab:
            show_chart(frame, titles)
        d1, d2, _ = st.columns([1, 1, 4])
        d1.download_button("CSV 내려받기", export.to_csv(frame), export.file_name(asked, "csv"),
                           "text/csv", key="download_csv", width="stretch")
        d2.download_button("Excel 내려받기", export.to_xlsx(frame), export.file_name(asked, "xlsx"),
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key="download_xlsx", width="stretch")
    else:
        st.info("조건에 맞는 데이터가 없습니다 (결과 0행). 조건(기간, 값의 철자)을 넓히거나 바꿔 보세요.")
    with st.expander("실행한 SQL"):
        st.code(approved.sql, language="sql")
    feedback_row()

if state.get("turn"):
    turn_note.caption(f"이어지는 질문으로 해석합니다 (이전 질문: “{state.turn.question}”). 새 주제라면 '새 질문'을 누르세요.")

# --- history (filled last so it shows this run's query) -------------------------------------------
with history_box:
    st.divider()
    st.header("기록")
    if not state.history:
        st.caption("이 세션에서 실행한 질문이 여기에 쌓입니다.")
    for i, entry in enumerate(state.history):
        st.button(f"{entry['when']} · {entry['question'][:28]} ({entry['rows']:,}행)", key=f"history_{i}",
                  on_click=restore, args=(entry,), help=entry["sql"], width="stretch")
