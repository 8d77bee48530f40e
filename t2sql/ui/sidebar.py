"""The sidebar: which view, which database, which model, and this session's history."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from t2sql.db.demo import SAMPLE_NAMES, SAMPLE_TITLES
from t2sql.db.registry import Served
from t2sql.pipeline import Pipeline
from t2sql.ui.session import clear_question

CUSTOM = "직접 입력 (SQLAlchemy URL)"
ASK, ADMIN = "질문하기", "예시·정의 관리"


@dataclass
class Choice:
    view: str
    db: str
    status: st.delta_generator.DeltaGenerator  # where the database's status and onboarding go
    history: st.delta_generator.DeltaGenerator  # filled last, so it shows this run's query


def database_title(name: str, served: dict[str, Served]) -> str:
    if name in served:
        return " · ".join(filter(None, (name, served[name].description)))
    return SAMPLE_TITLES.get(name, name)


def restore(entry: dict, served: dict[str, Served], allow_custom_url: bool) -> None:
    """Bring a history entry back and run its SQL again (a callback: runs before the script)."""
    state = st.session_state
    clear_question()
    if entry["db"] in SAMPLE_NAMES or entry["db"] in served:
        state.db_choice = entry["db"]
    elif allow_custom_url:
        state.db_choice, state.db_url = CUSTOM, entry["db"]
    else:
        st.toast("이 데이터베이스는 지금 제공되지 않습니다.")
        return
    state.active_db = entry["db"]
    state.question, state.sql_editor = entry["question"], entry["sql"]
    state.pending_run = True


def render(pipeline: Pipeline, served: dict[str, Served]) -> Choice:
    settings = pipeline.settings
    with st.sidebar:
        view = st.radio("화면", [ASK, ADMIN], key="view", horizontal=True, label_visibility="collapsed")
        st.header("데이터베이스")
        choice = st.selectbox(
            "조회할 데이터베이스",
            [*SAMPLE_NAMES, *served, *([CUSTOM] if settings.allow_custom_url else [])],
            key="db_choice",
            format_func=lambda name: database_title(name, served),
        )
        db = choice
        if choice == CUSTOM:
            db = st.text_input("SQLAlchemy URL", key="db_url", placeholder="sqlite:///data/company.sqlite").strip()
        status = st.container()
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
        history = st.container()
    return Choice(view, db, status, history)


def render_history(box, served: dict[str, Served], allow_custom_url: bool) -> None:
    with box:
        st.divider()
        st.header("기록")
        if not st.session_state.history:
            st.caption("이 세션에서 실행한 질문이 여기에 쌓입니다.")
        for i, entry in enumerate(st.session_state.history):
            st.button(
                f"{entry['when']} · {entry['question'][:28]} ({entry['rows']:,}행)",
                key=f"history_{i}",
                on_click=restore,
                args=(entry, served, allow_custom_url),
                help=entry["sql"],
                width="stretch",
            )
