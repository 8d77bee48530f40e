"""Every user query runs in a worker process with OS limits that no SQL can talk around.

The guard's static checks and the read-only connection come first; this is the layer that holds
whatever a query does once it runs. A query can stay read-only and still exhaust the machine (a
nested generator past DuckDB's memory limit, one SQLite function call that cannot be interrupted),
so each runs in a worker with:

* an address-space limit (``RLIMIT_AS``): allocations past it fail inside the worker;
* a CPU-time limit per query (``RLIMIT_CPU`` moved forward before each query; the kernel ends the
  worker past it);
* a wall-clock deadline kept by the parent: past ``timeout + GRACE_S`` the worker is killed, not
  asked to cancel (a new worker's start-up is waited for first, apart: it is no part of the query);
* the executor's row and size caps, so what comes back through the pipe is bounded.

Workers are started once and reused (a warm pool, ``workers`` queries at a time); a killed or
crashed worker is replaced on the next query, and the caller gets a Korean message. Each query
opens its database in the worker and closes it after, so a worker never holds a file or a stale
connection between queries.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import resource
import sys
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from t2sql.errors import QueryError, QueryTimeout, T2SQLError

GRACE_S = 1.0  # the engine's own cancel gets this long past the time limit before the kill
START_S = 120.0  # a new worker's start-up (a spawned interpreter and its imports) may take this long
MSG_NOT_STARTED = (
    "쿼리를 실행할 작업 프로세스가 {seconds:g}초 안에 시작되지 않았습니다. "
    "서버가 바쁜지 확인하고 잠시 후 다시 시도하세요."
)
MSG_KILLED = (
    "쿼리가 제한(시간 {timeout:g}초/메모리 {memory})을 넘어 중단했습니다. 조건을 좁히거나 집계해서 다시 실행해 보세요."
)


@dataclass(frozen=True)
class Job:
    url: str
    sql: str
    max_rows: int
    timeout_s: float
    max_result_mb: float
    memory_limit: str  # DuckDB's own limit (the worker's address-space limit is the pool's)


Handler = Callable[[Job], Any]  # what a worker does with a job (a module-level function: it is pickled by name)


class Worker:
    """One worker process and the pipe to it."""

    def __init__(self, memory_mb: int, handler: Handler, start_s: float = START_S):
        """Returns once the worker says it started: its start-up is no part of any query's time limit (on a busy
        machine a spawned interpreter's imports alone can take longer than a short limit)."""
        context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, memory_mb, handler), daemon=True, name="t2sql-query")
        # A spawned child imports the parent's __main__ again, and Streamlit runs app.py *as* __main__:
        # the worker would run the whole app. It gets an empty __main__ instead.
        with _spawn_lock:
            main = sys.modules.get("__main__")
            sys.modules["__main__"] = types.ModuleType("__main__")
            try:
                self.process.start()
            finally:
                if main is not None:
                    sys.modules["__main__"] = main
        child.close()
        try:
            started = self.conn.poll(start_s) and self.conn.recv()
        except (EOFError, OSError):  # it died while starting
            started = False
        if not started:
            self.kill()
            raise QueryError(MSG_NOT_STARTED.format(seconds=start_s))

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class Sandbox:
    """A warm pool of query workers: ``run`` sends one job and waits at most its deadline.

    ``handler`` runs each job in the worker (the engine's ``run_job``: passed in, so this layer
    knows nothing of databases)."""

    def __init__(self, handler: Handler, workers: int = 2, memory_mb: int = 4096):
        self.handler = handler
        self.memory_mb = memory_mb
        self._slots = threading.BoundedSemaphore(max(1, workers))
        self._idle: queue.SimpleQueue[Worker] = queue.SimpleQueue()

    def warm(self) -> None:
        """Start one worker now (in the background) so the first query does not wait for it."""

        def start() -> None:
            with contextlib.suppress(QueryError):  # the first query starts one and says why if it cannot
                self._idle.put(Worker(self.memory_mb, self.handler))

        threading.Thread(target=start, daemon=True).start()

    def run(self, job: Job):
        """The executor's ``Result`` for ``job``, or its T2SQLError; a worker past its limits is killed."""
        with self._slots:
            worker = self._take()
            try:
                worker.conn.send(job)
                if not worker.conn.poll(job.timeout_s + GRACE_S):
                    worker.kill()
                    raise QueryTimeout(self._killed(job))
                status, payload = worker.conn.recv()
            except (EOFError, OSError):  # the worker died: out of memory, CPU limit, a crash
                worker.kill()
                raise QueryError(self._killed(job)) from None
            self._idle.put(worker)
        if status == "ok":
            return payload
        raise payload

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return

    def _take(self) -> Worker:
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            return Worker(self.memory_mb, self.handler)
        return worker if worker.process.is_alive() else Worker(self.memory_mb, self.handler)

    def _killed(self, job: Job) -> str:
        return MSG_KILLED.format(timeout=job.timeout_s, memory=f"{self.memory_mb / 1024:g}GB")


_spawn_lock = threading.Lock()


# --- In the worker -----------------------------------------------------------------------------


def _serve(conn: Connection, memory_mb: int, handler: Handler) -> None:
    """The worker's loop: one job in, one ("ok", result) or ("error", T2SQLError) out."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    conn.send(("ready", None))
    while True:
        try:
            job: Job = conn.recv()
        except (EOFError, OSError):
            return
        _limit_cpu(job.timeout_s)
        try:
            reply = ("ok", handler(job))
        except T2SQLError as exc:
            reply = ("error", exc)
        except Exception as exc:  # never let a worker die on an ordinary failure
            reply = ("error", QueryError(f"{type(exc).__name__}: {exc}"[:300]))
        conn.send(reply)


def _limit_cpu(timeout_s: float) -> None:
    """Allow this query the CPU time of every core for its time limit, on top of what was used."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime + timeout_s * (os.cpu_count() or 1) + GRACE_S) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
