"""What one browser session shares with the app process: the pipeline, secrets, who is asking."""

from __future__ import annotations

import os
from typing import cast

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from t2sql.access import AdminGate, is_admin_email
from t2sql.db.engine import pool
from t2sql.pipeline import Pipeline
from t2sql.settings import Settings

CHART_KEYS = ("chart_kind", "chart_x", "chart_y", "chart_color")
# Everything that belongs to the current question; the conversation turn is kept unless asked.
QUESTION_KEYS = (
    "sql_editor",
    "tables",
    "result",
    "error",
    "notices",
    "page",
    "draft",
    "correcting",
    "saved",
    *CHART_KEYS,
)


@st.cache_resource(show_spinner=False)
def get_pipeline() -> Pipeline:
    """One pipeline (model, index, connections) shared by every browser session."""
    for key, value in secrets().items():  # ${VAR} credentials of the databases file may live in secrets
        os.environ.setdefault(key, value)
    pool().warm()  # a query worker is ready before the first question
    return Pipeline(Settings.from_env())


@st.cache_resource(show_spinner=False)
def get_gate(password: str) -> AdminGate:
    """One password check (and lockout) for every session of this app process."""
    return AdminGate(password)


def secrets() -> dict[str, str]:
    """Top-level string values of ``.streamlit/secrets.toml`` ({} without one)."""
    try:
        return {k: v for k, v in st.secrets.items() if isinstance(v, str)}
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return {}


def gate(settings: Settings) -> AdminGate:
    return get_gate(settings.admin_password or secrets().get("admin_password", ""))


def login_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def _email() -> str | None:
    """The logged-in user's e-mail claim: OIDC gives it as a string (Streamlit types every claim alike)."""
    return cast("str | None", st.user.get("email"))


def who() -> str:
    """The logged-in user, else this browser session: what the audit log records."""
    if login_configured() and st.user.is_logged_in:
        return _email() or st.session_state.session_id
    return st.session_state.session_id


def is_admin(settings: Settings) -> bool:
    if login_configured() and st.user.is_logged_in:
        return is_admin_email(_email(), settings.admin_emails)
    return bool(st.session_state.get("admin"))


def clear_question(keep_question: bool = False, keep_turn: bool = False) -> None:
    """Forget the current question, SQL and result; without ``keep_turn`` the conversation starts over too."""
    keys = [*QUESTION_KEYS, *([] if keep_question else ["question"]), *([] if keep_turn else ["turn"])]
    for key in keys:
        st.session_state.pop(key, None)
