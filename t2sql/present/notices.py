"""What the user is told about an answer, in Korean: the same lines in the app, `ask` and the API.

Pure functions over a ``Draft`` (generated SQL) and an approved statement with its result; the
pipeline attaches them to every answer so no front end has to re-derive them.
"""

from __future__ import annotations

from t2sql.errors import GuardRefusal, T2SQLError

NO_SQL = "모델이 SQL을 만들지 못했습니다. 질문을 더 구체적으로 바꿔 보거나 SQL을 직접 입력하세요."
UNRUNNABLE = "SQL이 실행되지 않습니다"


def draft_notices(draft) -> list[str]:
    """The pipeline's own notices, then how relative dates were read and which examples were used."""
    notices = list(draft.notices)
    notices += [f"{fix.note} SQL을 확인하세요." for fix in draft.fixes]
    if draft.resolved_question and draft.resolved_question != draft.question:
        notices.append(f"기간을 이렇게 해석했습니다: {draft.resolved_question}")
    if draft.examples:
        notices.append(f"비슷한 검증된 예시 {len(draft.examples)}개를 참고했습니다.")
    return notices


def draft_error(draft) -> str | None:
    """Why the generated SQL cannot be shown as a runnable answer, or None."""
    if not draft.sql:
        return NO_SQL
    if draft.error is not None:
        tries = f"자동 수정 {len(draft.failures)}회 후에도 " if draft.failures else ""
        return f"{tries}{UNRUNNABLE}: {draft.error} SQL을 고치거나 질문을 바꿔 보세요."
    return None


def is_unanswered(message: str) -> bool:
    """The message ``draft_error`` gives: the model wrote no SQL, or none that runs (an accuracy
    matter the user is told about, not a failure of the service)."""
    return message == NO_SQL or f"{UNRUNNABLE}:" in message


def repair_note(draft) -> str | None:
    """A line about self-correction when the first SQL had to be redone."""
    if not draft.failures:
        return None
    fixed = "아래 SQL로 고쳤습니다" if draft.error is None else "아직 실행되지 않습니다"
    return f"자동 수정: 처음 만든 SQL에 문제가 있어 {len(draft.failures)}번 다시 만들었고, {fixed}."


def result_notes(approved, result, max_rows: int) -> list[str]:
    """Row count, time, an added LIMIT and truncation: the line above a result table."""
    notes = [f"{len(result.rows):,}행", f"{result.elapsed_ms:,.0f} ms"]
    if approved.limit_added:
        notes.append(f"LIMIT {max_rows:,} 자동 추가")
    if result.truncated:
        notes.append(result.truncation_message)
    return notes


def failure_message(exc: BaseException, refused: str, doing: str) -> str:
    """One message for any failure: a guard refusal (``refused``: "실행하지 않았습니다"), a known
    error as it is, anything else as unexpected (``doing``: what could not be done)."""
    if isinstance(exc, GuardRefusal):
        return f"{refused}: {exc}"
    if isinstance(exc, T2SQLError):
        return str(exc)
    return f"예상하지 못한 오류로 {doing}: {exc}"
