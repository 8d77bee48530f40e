"""The load test's bookkeeping: a failure of the service is an error; model SQL that does not run
is an unanswered question (the user got the app's Korean message; accuracy is measured by `eval`)."""

from t2sql.lab.loadtest import LoadReport
from t2sql.present.notices import NO_SQL

OWN = "SELECT count(*) FROM customers WHERE city = '서울'"


def test_errors_unanswered_questions_and_leaks_are_counted_apart():
    report = LoadReport(sessions=2, duration_s=10.0)
    unrunnable = "SQL이 실행되지 않습니다: no such column: revenue SQL을 고치거나 질문을 바꿔 보세요."
    report.add_round(0, 1000.0, 20.0, [unrunnable], [], OWN, OWN)
    report.add_round(1, 1200.0, 30.0, [NO_SQL], ["쿼리가 제한(시간 10초/메모리 4GB)을 넘어 중단했습니다."], OWN, OWN)
    report.add_round(1, 900.0, 25.0, ["예상하지 못한 오류로 SQL을 만들지 못했습니다: boom"], [], OWN, OWN)
    summary = report.summary()
    assert (summary["questions_answered"], summary["queries_run"]) == (3, 2)
    assert (summary["unanswered"], summary["errors"]) == (2, 2)
    assert summary["error_messages"][0].startswith("session 1: 쿼리가 제한")
    assert summary["leaks"] == 0
    report.add_round(0, 1.0, 1.0, [], [], OWN, "SELECT count(*) FROM customers WHERE city = '부산'")
    assert report.summary()["leaks"] == 1  # a session saw another session's query
    assert summary["unanswered_messages"][0].startswith("session 0: SQL이 실행되지 않습니다")
