"""What the user is told about an answer: the same lines in the app and `ask` (t2sql.present)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from t2sql.errors import GuardRefusal, T2SQLError
from t2sql.fixes import Fix
from t2sql.present.history import remember
from t2sql.present.notices import NO_SQL, draft_error, draft_notices, failure_message, repair_note, result_notes


def draft(**fields):
    base = {
        "question": "지난달 주문 수",
        "resolved_question": "지난달 주문 수",
        "notices": [],
        "examples": [],
        "sql": "SELECT 1",
        "error": None,
        "failures": [],
        "fixes": [],
    }
    return SimpleNamespace(**{**base, **fields})


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({}, []),
        ({"notices": ["민감 정보는 가렸습니다."]}, ["민감 정보는 가렸습니다."]),
        (
            {"resolved_question": "2026-11-01~2026-11-30 주문 수"},
            ["기간을 이렇게 해석했습니다: 2026-11-01~2026-11-30 주문 수"],
        ),
        ({"examples": ["a", "b"]}, ["비슷한 검증된 예시 2개를 참고했습니다."]),
        ({"resolved_question": ""}, []),
        (
            {"fixes": [Fix("joins", "SELECT …", "모델이 … 조인했습니다.")]},
            ["모델이 … 조인했습니다. SQL을 확인하세요."],
        ),
    ],
)
def test_draft_notices(fields, expected):
    assert draft_notices(draft(**fields)) == expected


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({}, None),
        ({"sql": ""}, NO_SQL),
        (
            {"error": T2SQLError("no such column: x")},
            "SQL이 실행되지 않습니다: no such column: x SQL을 고치거나 질문을 바꿔 보세요.",
        ),
        (
            {"error": T2SQLError("e"), "failures": [1, 2]},
            "자동 수정 2회 후에도 SQL이 실행되지 않습니다: e SQL을 고치거나 질문을 바꿔 보세요.",
        ),
    ],
)
def test_draft_error(fields, expected):
    assert draft_error(draft(**fields)) == expected


def test_repair_note_says_whether_the_last_sql_runs():
    assert repair_note(draft()) is None
    assert repair_note(draft(failures=[1])).endswith("1번 다시 만들었고, 아래 SQL로 고쳤습니다.")
    assert repair_note(draft(failures=[1], error=T2SQLError("x"))).endswith("아직 실행되지 않습니다.")


def test_result_notes():
    approved = SimpleNamespace(limit_added=True)
    result = SimpleNamespace(
        rows=[(1,)] * 1200, elapsed_ms=12.4, truncated=True, truncation_message="1,000행에서 잘랐습니다"
    )
    assert result_notes(approved, result, 1000) == [
        "1,200행",
        "12 ms",
        "LIMIT 1,000 자동 추가",
        "1,000행에서 잘랐습니다",
    ]


@pytest.mark.parametrize(
    "exc, expected",
    [
        (GuardRefusal("DELETE는 허용되지 않습니다"), "실행하지 않았습니다: DELETE는 허용되지 않습니다"),
        (T2SQLError("시간 초과"), "시간 초과"),
        (ValueError("boom"), "예상하지 못한 오류로 실행하지 못했습니다: boom"),
    ],
)
def test_failure_message(exc, expected):
    assert failure_message(exc, "실행하지 않았습니다", "실행하지 못했습니다") == expected


def test_history_keeps_one_entry_per_database_and_sql():
    history = [{"db": "shop", "sql": "SELECT 1"}, {"db": "game", "sql": "SELECT 1"}, {"db": "shop", "sql": "SELECT 2"}]
    again = {"db": "shop", "sql": "SELECT 2", "question": "다시"}
    assert remember(history, again, 3) == [again, history[0], history[1]]
    assert remember(history, {"db": "x", "sql": "y"}, 2) == [{"db": "x", "sql": "y"}, history[0]]


@pytest.mark.parametrize(
    "fields, unanswered",
    [
        ({"sql": ""}, True),
        ({"error": T2SQLError("no such column: revenue")}, True),
        ({"error": T2SQLError("e"), "failures": [1]}, True),
    ],
)
def test_the_message_for_sql_that_does_not_run_is_recognised(fields, unanswered):
    from t2sql.present.notices import is_unanswered

    assert is_unanswered(draft_error(draft(**fields))) is unanswered
    assert not is_unanswered("데이터베이스에 연결할 수 없습니다 (shop): timeout")
