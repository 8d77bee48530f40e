"""Query workers: OS limits hold whatever the SQL does, a killed worker is replaced, and one
runaway query never blocks another session's query."""

from __future__ import annotations

import importlib
import multiprocessing
import resource
import sqlite3
import threading
import time

import duckdb
import pytest

from t2sql.db.engine import Database, run_job
from t2sql.db.sandbox import GRACE_S, Job, Sandbox, Worker, _limit_cpu
from t2sql.errors import QueryError, QueryTimeout

TIMEOUT_S = 2.0
KILLED = r"제한\(시간"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sandbox")
    con = duckdb.connect(str(folder / "d.duckdb"))
    con.execute("CREATE TABLE t AS SELECT i AS id FROM range(100) r(i)")
    con.close()
    lite = sqlite3.connect(folder / "s.sqlite")
    lite.execute("CREATE TABLE t (id INTEGER)")
    lite.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(100)])
    lite.commit()
    lite.close()
    return {"duckdb": f"duckdb:///{folder / 'd.duckdb'}", "sqlite": f"sqlite:///{folder / 's.sqlite'}"}


@pytest.fixture(scope="module")
def sandbox():
    pool = Sandbox(run_job, workers=2, memory_mb=1536)
    yield pool
    pool.close()


def job(url: str, sql: str, timeout_s: float = TIMEOUT_S, memory_limit: str = "1GB") -> Job:
    return Job(url, sql, 1000, timeout_s, 50.0, memory_limit)


# (engine, id, sql): read-only queries that would hold the machine without the worker's limits.
RESOURCE_ATTACKS = [
    ("duckdb", "nested-generators", "SELECT sum(len(list_transform(range(1000), lambda x: range(3000000)))) FROM t"),
    ("duckdb", "array-resize", "SELECT length(array_resize([1], 200000000)::VARCHAR)"),
    ("duckdb", "nested-repeat", "SELECT length(repeat(repeat('x', 1000000), 1000))"),
    (
        "duckdb",
        "five-way-cross-join",
        "SELECT count(*) FROM t a, t b, t c, t d, t e WHERE a.id + b.id + c.id + d.id + e.id = 7",
    ),
    ("sqlite", "giant-single-call", "SELECT length(replace(printf('%.*c', 600000000, 'x'), 'x', 'xx'))"),
    (
        "sqlite",
        "slow-function-per-row",
        "SELECT count(*) FROM t a, t b, t c WHERE instr(printf('%.*c', 3000000 + a.id + b.id + c.id, 'x'), 'y') = 0",
    ),
    (
        "sqlite",
        "recursive-without-end",
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n",
    ),
]


@pytest.mark.parametrize(("engine", "sql"), [pytest.param(e, sql, id=f"{e}-{i}") for e, i, sql in RESOURCE_ATTACKS])
def test_a_runaway_query_ends_within_its_deadline_with_a_korean_message(sandbox, files, engine, sql):
    started = time.monotonic()
    with pytest.raises((QueryTimeout, QueryError)) as caught:
        sandbox.run(job(files[engine], sql))
    assert time.monotonic() - started < TIMEOUT_S + 2.0
    message = str(caught.value)
    assert "제한" in message or "메모리" in message or "시간" in message, message
    assert sandbox.run(job(files[engine], "SELECT count(*) FROM t")).rows == [(100,)]  # the pool recovered


def stuck_or_run(job: Job):
    """A job that ignores every interrupt, the way one giant DuckDB value can: only killing the worker ends it."""
    if job.sql == "stuck":
        time.sleep(60)
    return run_job(job)


def test_a_killed_worker_is_replaced_and_says_which_limit(files):
    pool = Sandbox(stuck_or_run, workers=1, memory_mb=4096)
    try:
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match=KILLED) as caught:
            pool.run(job(files["duckdb"], "stuck", timeout_s=0.5))
        assert time.monotonic() - started < 0.5 + GRACE_S + 2.0
        assert "0.5초" in str(caught.value) and "4GB" in str(caught.value)
        assert pool.run(job(files["duckdb"], "SELECT 42")).rows == [(42,)]
    finally:
        pool.close()


def test_a_slow_worker_start_is_not_counted_in_the_query_time_limit(files):
    """The worker imports its handler's module (two seconds here) before the 0.5-second limit starts."""
    handler = importlib.import_module("slow_start_handler").handle
    pool = Sandbox(handler, workers=1, memory_mb=2048)
    try:
        assert pool.run(job(files["sqlite"], "SELECT count(*) FROM t", timeout_s=0.5)).rows == [(100,)]
    finally:
        pool.close()


def test_a_worker_that_does_not_start_in_time_gets_a_korean_message():
    before = set(multiprocessing.active_children())
    with pytest.raises(QueryError, match="시작되지 않았습니다"):
        Worker(2048, run_job, start_s=0.001)  # a spawned interpreter cannot be up within a millisecond
    assert not any(p.is_alive() for p in set(multiprocessing.active_children()) - before)  # and it was ended


def test_memory_past_the_workers_limit_fails_inside_it(files):
    """DuckDB's own limit is set above the worker's address space: the OS limit is what holds."""
    pool = Sandbox(run_job, workers=1, memory_mb=2048)
    try:
        with pytest.raises(QueryError, match="메모리"):
            pool.run(job(files["duckdb"], "SELECT list_sort(range(400000000))[1]", timeout_s=30, memory_limit="8GB"))
        assert pool.run(job(files["duckdb"], "SELECT count(*) FROM t")).rows == [(100,)]
    finally:
        pool.close()


def test_another_session_is_answered_while_a_query_runs_away(sandbox, files):
    """Two workers: a runaway query in one session does not hold up a quick one in another."""
    finished: list[str] = []

    def runaway():
        try:
            sandbox.run(
                job(
                    files["sqlite"],
                    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n",
                    timeout_s=8.0,  # long enough that the quick query wins on a loaded 2-core machine too
                )
            )
        except QueryTimeout:
            finished.append("runaway")

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    assert sandbox.run(job(files["duckdb"], "SELECT count(*) FROM t")).rows == [(100,)]
    finished.append("quick")
    thread.join()
    assert finished == ["quick", "runaway"]


def test_errors_and_refusals_come_back_as_they_were_raised(sandbox, files):
    with pytest.raises(QueryError, match="하나만"):
        sandbox.run(job(files["duckdb"], "SELECT 1; SELECT 2"))
    with pytest.raises(QueryError, match="실행하지 못했습니다"):
        sandbox.run(job(files["sqlite"], "SELECT * FROM missing_table"))


def test_database_run_goes_through_the_workers(files):
    """``Database.run`` is the entry point every caller uses; it runs in a worker, not in this process."""
    db = Database(files["sqlite"], timeout_s=1.0)
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        db.run("SELECT count(*) FROM t a, t b, t c, t d, t e")  # 10^10 rows: minutes on any machine
    assert time.monotonic() - started < 1.0 + GRACE_S + 2.0
    assert db.run("SELECT count(*) FROM t").rows == [(100,)]


def _cpu_limit_after(timeout_s: float, out) -> None:
    _limit_cpu(timeout_s)
    used = resource.getrusage(resource.RUSAGE_SELF)
    out.put((resource.getrlimit(resource.RLIMIT_CPU)[0], used.ru_utime + used.ru_stime))


def test_each_query_gets_a_cpu_time_limit_on_top_of_what_the_worker_used():
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_cpu_limit_after, args=(3.0, out))
    child.start()
    soft, used = out.get(timeout=30)
    child.join()
    assert used + 3.0 <= soft <= used + 3.0 * (multiprocessing.cpu_count()) + GRACE_S + 2


def test_a_worker_never_runs_the_parents_main_script(files, tmp_path, monkeypatch):
    """Streamlit runs app.py as ``__main__``; a spawned worker must not import (run) it again."""
    import sys
    import types

    marker = tmp_path / "ran"
    script = tmp_path / "app_like.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('the app ran in a worker')\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    pool = Sandbox(run_job, workers=1, memory_mb=2048)
    try:
        assert pool.run(job(files["sqlite"], "SELECT count(*) FROM t")).rows == [(100,)]
    finally:
        pool.close()
    assert not marker.exists() and sys.modules["__main__"] is fake_main
