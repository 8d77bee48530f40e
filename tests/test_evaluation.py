"""Evaluation: the pure scoring functions, the judge's retries, and ``eval`` end to end as a real
subprocess against a local OpenAI-compatible stub (and once with the tiny in-process model)."""

import json
import os
import subprocess
import sys
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from t2sql.db.results import hollow, results_match
from t2sql.lab.evaluation import Judge, TokenBucket, classify_failure, exact_match, parse_verdict
from t2sql.settings import ROOT


@pytest.mark.parametrize(
    "pred, gold, order, expected",
    [
        ([(1, "a")], [("a", 1)], False, True),  # column order ignored
        ([(1.004,)], [(1.0,)], False, True),  # rounded to 2 decimals
        ([(1.01,)], [(1.0,)], False, False),
        ([(3,)], [(3.0,)], True, True),  # int == float
        ([(Decimal("2.50"),)], [(2.5,)], False, True),
        ([(True,)], [(1,)], False, True),
        ([(1,), (2,)], [(2,), (1,)], False, True),  # row order ignored ...
        ([(1,), (2,)], [(2,), (1,)], True, False),  # ... unless it matters
        ([(1,), (2,)], [(1,), (2,)], True, True),
        ([(None, 1)], [(1, None)], False, True),  # NULL == NULL
        ([(None,)], [(0,)], False, False),
        ([(1,), (1,), (2,)], [(1,), (2,), (2,)], False, False),  # multisets, not sets
        ([(1,), (1,)], [(1,)], False, False),  # row counts differ
        ([], [], False, True),  # empty results
        ([], [(1,)], False, False),
        ([(1, 2)], [(1,)], False, False),
        ([("서울",)], [("서울 ",)], False, False),
    ],
    ids=lambda v: repr(v)[:30],
)
def test_results_match(pred, gold, order, expected):
    assert results_match(pred, gold, order) is expected


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([], True),  # no rows
        ([(None,)], True),  # SUM over no rows
        ([(0,)], True),  # COUNT of nothing
        ([(0, None)], True),
        ([(Decimal("0.00"),)], True),
        ([(None, None), (None, None)], True),  # only NULLs
        ([(0,), (0,)], False),  # a count per group may be 0
        ([(1,)], False),
        ([("",)], False),  # an empty text is a value
        ([("서울", 0)], False),
        ([(None, 3)], False),
    ],
    ids=lambda v: repr(v)[:30],
)
def test_hollow_results_hold_no_answer(rows, expected):
    assert hollow(rows) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("select FULL_NAME from Employees", "SELECT full_name FROM employees", True),
        ("SELECT  full_name\n  FROM employees ;", "SELECT full_name FROM employees", True),
        ('SELECT "full_name" FROM "employees"', "SELECT full_name FROM employees", True),
        ("SELECT x.full_name FROM employees AS x", "SELECT e.full_name FROM employees e", True),
        (
            "SELECT e.full_name FROM employees e JOIN departments d ON e.dept_id = d.dept_id",
            "SELECT a.full_name FROM employees AS a JOIN departments AS b ON a.dept_id = b.dept_id",
            True,
        ),
        (
            "SELECT full_name FROM employees WHERE salary > 5000",
            "SELECT full_name FROM employees WHERE salary > 6000",
            False,
        ),
        ("SELECT email FROM employees", "SELECT full_name FROM employees", False),
        ("SELECT full_name FROM employees LIMIT 5", "SELECT full_name FROM employees", False),
        ("SELEC full_name FROM", "SELECT full_name FROM employees", False),
        ("", "SELECT 1", False),
    ],
)
def test_exact_match(pred, gold, expected):
    assert exact_match(pred, gold, "sqlite") is expected


GOLD = (
    "SELECT d.dept_name, COUNT(*) AS n FROM employees e JOIN departments d ON e.dept_id = d.dept_id "
    "WHERE d.location = '서울' GROUP BY d.dept_name"
)


@pytest.mark.parametrize(
    "pred, status, expected",
    [
        (GOLD, "correct", None),
        ("", "generation_error", "no_sql"),
        ("  ", "refused", "no_sql"),
        ("SELEC * FROM", "refused", "syntax"),
        ("DELETE FROM employees", "refused", "unsafe"),
        ("SELECT * FROM employees", "timeout", "timeout"),
        ("SELECT nope FROM employees", "db_error", "db_error"),
        (
            "SELECT dept_name, COUNT(*) FROM departments WHERE location = '서울' GROUP BY dept_name",
            "wrong_result",
            "wrong_table",
        ),
        (
            "SELECT d.location, COUNT(*) AS n FROM employees e JOIN departments d ON e.dept_id = d.dept_id "
            "WHERE d.location = '서울' GROUP BY d.location",
            "wrong_result",
            "wrong_column",
        ),
        (GOLD.replace("서울", "판교"), "wrong_result", "value"),
        (GOLD.replace("JOIN", "LEFT JOIN"), "wrong_result", "logic"),
    ],
)
def test_classify_failure(pred, status, expected):
    assert classify_failure(pred, GOLD, status, "sqlite") == expected


def test_parse_verdict_and_token_bucket():
    assert parse_verdict('```json\n{"resolve_yn": "YES"}\n```') == "yes"
    with pytest.raises(ValueError):
        parse_verdict("네, 맞습니다")
    bucket, started = TokenBucket(rate=20, capacity=1), time.monotonic()
    for _ in range(5):
        bucket.acquire()
    assert time.monotonic() - started >= 0.15  # 4 waits of 1/20 s after the first token


# --- end to end ------------------------------------------------------------------------------

QUESTIONS = [  # gold SQL, and what the stub model answers
    {
        "id": "q1",
        "db_id": "company",
        "question": "부서는 모두 몇 개야?",
        "difficulty": "easy",
        "order_matters": False,
        "sql": "SELECT COUNT(*) FROM departments",
        "answer": "select count(*) from Departments;",
    },
    {
        "id": "q2",
        "db_id": "company",
        "question": "개발팀 직원 이름을 급여가 높은 순으로 보여줘",
        "difficulty": "hard",
        "order_matters": True,
        "sql": "SELECT e.full_name FROM employees e JOIN departments d ON e.dept_id = d.dept_id "
        "WHERE d.dept_name = '개발팀' ORDER BY e.salary DESC",
        "answer": "SELECT full_name FROM employees WHERE dept_id = 2 ORDER BY salary DESC;",
    },
    {
        "id": "q3",
        "db_id": "company",
        "question": "서울에 있는 부서 이름은?",
        "difficulty": "easy",
        "order_matters": False,
        "sql": "SELECT dept_name FROM departments WHERE location = '서울'",
        "answer": "SELECT dept_name FROM departments WHERE location = '판교';",
    },
]


class Stub(BaseHTTPRequestHandler):
    """Model 'sqlcoder' streams the SQL for the question; model 'judge' fails once, then says yes."""

    calls: dict = {}
    judge_failures = 1  # HTTP 500s before the judge answers

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        model, prompt = body["model"], body["messages"][0]["content"]
        Stub.calls[model] = Stub.calls.get(model, 0) + 1
        if model == "judge":
            assert "### 생성된 SQL:" in prompt and "CREATE TABLE" in prompt
            if Stub.calls[model] <= Stub.judge_failures:
                return self._send(500, {"error": "overloaded"})
            return self._send(200, {"choices": [{"message": {"content": '{"resolve_yn": "yes"}'}}]})
        question = prompt.split("### Question:\n", 1)[1].split("\n", 1)[0]
        answer = next(q["answer"] for q in QUESTIONS if q["question"] == question)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        chunk = {"choices": [{"delta": {"content": answer}}]}
        self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\ndata: [DONE]\n\n".encode())

    def _send(self, status, data):
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub_url():
    Stub.calls, Stub.judge_failures = {}, 1
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


def run_eval(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "t2sql", "eval", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=600,
    )


def test_eval_end_to_end_resumes_and_judges(sqlite_file, stub_url, tmp_path):
    questions = tmp_path / "questions.jsonl"
    questions.write_text(
        "".join(
            json.dumps({k: v for k, v in q.items() if k != "answer"}, ensure_ascii=False) + "\n" for q in QUESTIONS
        ),
        encoding="utf-8",
    )
    out = tmp_path / "reports" / "report.json"
    env = {
        "T2SQL_BACKEND": "openai",
        "T2SQL_OPENAI_BASE_URL": stub_url,
        "T2SQL_OPENAI_MODEL": "sqlcoder",
        "T2SQL_DATA_DIR": str(tmp_path / "data"),
    }
    args = ["--db", f"sqlite:///{sqlite_file}", "--questions", str(questions), "--out", str(out)]

    first = run_eval(*args, "--limit", "2", env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == str(out) and "실행 정확도 (EX)" in first.stderr
    assert json.loads(out.read_text())["summary"]["n"] == 2 and Stub.calls == {"sqlcoder": 2}

    second = run_eval(*args, env=env)  # resumes: only q3 is new
    assert second.returncode == 0, second.stderr
    assert Stub.calls == {"sqlcoder": 4}  # q3 filters on '판교', which nobody said: one call for alternatives
    report = json.loads(out.read_text())
    summary, items = report["summary"], {it["id"]: it for it in report["items"]}
    assert summary["n"] == 3 and summary["ex"] == pytest.approx(2 / 3, abs=1e-3)
    assert summary["retrieval_recall"] == 1.0  # two-table schema: retrieval never misses a table
    assert summary["em"] == pytest.approx(1 / 3, abs=1e-3) and summary["valid_sql_rate"] == 1.0
    assert summary["ex_by_difficulty"] == {"easy": 0.5, "hard": 1.0}
    assert summary["failures"] == {"value": 1} and "judge_accuracy" not in summary
    assert summary["backend"] == "openai" and summary["model"] == "sqlcoder" and summary["questions"] == str(questions)
    assert summary["latency_ms_p50"] > 0 and summary["latency_ms_p95"] >= summary["latency_ms_p50"]
    assert {"platform", "cpu_count", "torch_device"} <= set(summary["machine"]) and summary["finished_at"]
    assert [items[i]["status"] for i in ("q1", "q2", "q3")] == ["correct", "correct", "wrong_result"]
    assert items["q1"]["em"] and not items["q2"]["em"]  # q2 is right by result, not by text
    assert items["q3"]["failure"] == "value" and items["q1"]["failure"] is None
    assert items["q3"]["unsaid"] == items["q3"]["first_unsaid"] == ["판교"] and items["q1"]["unsaid"] == []
    assert summary["unsaid_first"] == summary["unsaid_final"] == 1  # the stub offers no alternative
    assert items["q2"]["pred_sql"] == "SELECT full_name FROM employees WHERE dept_id = 2 ORDER BY salary DESC"
    assert "employees" in items["q2"]["tables"] and items["q2"]["raw"] and items["q3"]["judge"] is None
    assert {"gold_sql", "valid_sql", "error", "latency_ms", "question", "difficulty"} <= set(items["q1"])

    judged = run_eval(*args, "--judge-url", stub_url, "--judge-model", "judge", "--judge-rps", "50", env=env)
    assert judged.returncode == 0, judged.stderr
    assert Stub.calls == {"sqlcoder": 4, "judge": 4}  # nothing regenerated; one 500 retried
    report = json.loads(out.read_text())
    assert report["summary"]["judge_accuracy"] == 1.0 and "LLM 판정" in judged.stderr
    assert {it["judge"] for it in report["items"]} == {"yes"}
    assert not list(out.parent.glob("*.tmp"))  # atomic writes leave no temp files


def test_judge_gives_up_after_three_tries(stub_url):
    Stub.judge_failures = 99
    judge = Judge(stub_url, "judge", rps=0)  # the SDK retries HTTP 500 twice, with its own backoff
    with pytest.raises(Exception) as err:
        judge.ask("CREATE TABLE t (a INT);", "a?", "SELECT a FROM t")
    assert "3번" in str(err.value) and Stub.calls["judge"] == 3


def test_eval_with_the_tiny_in_process_model(sqlite_file, tiny_model_dir, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        "\n".join(json.dumps({k: v for k, v in q.items() if k != "answer"}, ensure_ascii=False) for q in QUESTIONS),
        encoding="utf-8",
    )
    out = tmp_path / "report.json"
    env = {
        "T2SQL_MODEL": str(tiny_model_dir),
        "T2SQL_ADAPTER": "none",
        "T2SQL_MAX_NEW_TOKENS": "8",
        "T2SQL_DATA_DIR": str(tmp_path / "data"),
    }
    res = run_eval(
        "--db", f"sqlite:///{sqlite_file}", "--questions", str(questions), "--out", str(out), "--limit", "1", env=env
    )
    assert res.returncode == 0, res.stderr
    report = json.loads(out.read_text())
    assert report["summary"]["n"] == 1 and report["summary"]["backend"] == "transformers"
    assert report["summary"]["model"] == str(tiny_model_dir) and report["summary"]["machine"]["torch_device"]
    item = report["items"][0]
    assert item["status"] in ("correct", "wrong_result", "refused", "db_error", "timeout")
    assert item["latency_ms"] > 0 and (item["failure"] is None) == (item["status"] == "correct")
