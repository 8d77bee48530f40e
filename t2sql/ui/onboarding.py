"""Onboarding's progress under the database status, and its automatic start on first connection."""

from __future__ import annotations

import streamlit as st

from t2sql.db.demo import SAMPLE_NAMES
from t2sql.onboard import STAGE_NAMES, STAGES, Onboarding
from t2sql.onboard import jobs as onboard_jobs
from t2sql.pipeline import Pipeline


def start_if_new(pipeline: Pipeline, db: str) -> None:
    """First connection of a database (not a sample): onboard it in the background."""
    if not pipeline.settings.auto_onboard or db in SAMPLE_NAMES:
        return
    onboarding = Onboarding(pipeline, db)
    if not onboarding.state() and onboard_jobs.get(onboarding.database.label) is None:
        onboard_jobs.start(pipeline, db)


def status(pipeline: Pipeline, db: str) -> None:
    """Onboarding's progress while it runs in the background, else its outcome and a start button.

    Only a running job polls: a page that re-ran every few seconds for every open session kept the
    server and each browser busy (measured in the 20-session browser load test)."""
    onboarding = Onboarding(pipeline, db)
    job = onboard_jobs.get(onboarding.database.label)
    if job is not None and job.running:
        _progress(onboarding.database.label)
        return
    done = onboarding.state()
    if job is not None and job.status == "failed":
        st.warning(f"온보딩하지 못했습니다: {job.error}")
    elif done:
        parts = [
            f"{STAGE_NAMES[s]} {'완료' if (done.get(s) or {}).get('status') == 'done' else '미완료'}"
            for s in STAGES
            if (done.get(s) or {}).get("status") != "skipped"
        ]
        kept = (done.get("practice") or {}).get("kept")
        st.caption("온보딩: " + " · ".join(parts) + (f" · 연습 문제 {kept}개" if kept else ""))
    if st.button(
        "온보딩 다시 하기" if done else "이 데이터베이스 온보딩",
        key="onboard_start",
        help="한국어 어휘·값 색인·연습 문제를 만들고 전용 어댑터를 학습합니다 (바뀐 부분만 다시).",
    ):
        onboard_jobs.start(pipeline, db)
        st.rerun()


@st.fragment(run_every=3)
def _progress(label: str) -> None:
    """Stage, % and time left, refreshed every 3 s; the whole page re-runs once the job ends."""
    job = onboard_jobs.get(label)
    if job is None or not job.running:
        st.rerun()
    p = job.progress
    st.progress(p.fraction, text=f"온보딩 {p.fraction * 100:.0f}% · {p.message}")
    st.caption(
        (f"남은 시간 약 {max(1, round(p.eta_s / 60))}분 · " if p.eta_s else "") + "온보딩 중에도 질문할 수 있습니다."
    )
