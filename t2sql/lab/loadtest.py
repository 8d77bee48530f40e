"""Drive the real app in a real browser: the E2E test's page object and the load test.

``serve_app`` starts ``streamlit run app.py`` on a free local port; ``AppPage`` clicks through
it like a user (Debian's chromium through Playwright, no browser download); ``run_load``
opens many browser sessions at once, each asking its own questions and running the SQL,
and checks that no session ever sees another one's question or result.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from t2sql.db.demo import SAMPLE_TITLES
from t2sql.errors import T2SQLError
from t2sql.pipeline import Pipeline
from t2sql.present.notices import draft_error, is_unanswered
from t2sql.settings import ROOT

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
GENERATE_TIMEOUT_MS = 600_000  # under load a session may wait for many others' generations
# Filling or clicking a widget waits for the page to be ready. In a load test the twenty browsers run
# on the server's own cores (in production they run on the users' machines), so a renderer can be
# starved for longer than Playwright's 30 s default: every action gets the page load's headroom.
ACTION_TIMEOUT_MS = 180_000


def chromium_path() -> str | None:
    found = os.environ.get("T2SQL_CHROMIUM") or next((p for p in CHROMIUM_PATHS if Path(p).exists()), None)
    return found or shutil.which("chromium")


@contextlib.contextmanager
def serve_app(env: dict[str, str] | None = None, log_path: Path | None = None):
    """``streamlit run app.py`` on a free port; yields (url, process)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    log = open(log_path, "w") if log_path else None  # noqa: SIM115 - open while the app runs
    out = log if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            if proc.poll() is not None:
                raise T2SQLError(
                    f"Streamlit 앱이 시작하자마자 종료되었습니다 (종료 코드 {proc.returncode}). "
                    "`streamlit run app.py`로 직접 실행해 오류를 확인하세요."
                )
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            time.sleep(0.5)
        else:
            raise T2SQLError("Streamlit 앱이 120초 안에 시작되지 않았습니다. 컴퓨터가 바쁜지 확인하고 다시 시도하세요.")
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log is not None:
            log.close()


class AppPage:
    """What a user does on the page, by visible Korean labels (Playwright async API)."""

    EDITOR = "SQL (실행 전에 확인하고 고칠 수 있습니다)"

    def __init__(self, page):
        self.page = page

    @classmethod
    async def open(cls, context, url: str) -> AppPage:
        self = cls(await context.new_page())
        self.page.set_default_timeout(ACTION_TIMEOUT_MS)
        await self.page.goto(url)
        await self.page.get_by_text("한국어로 묻는 데이터").first.wait_for()
        await self.wait_idle()
        return self

    async def wait_idle(self, timeout_ms: int = ACTION_TIMEOUT_MS) -> None:
        """Until the script run finished (Streamlit shows a running indicator while it works)."""
        await self.page.wait_for_timeout(300)
        await self.page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms
        )

    async def pick_database(self, label: str) -> None:
        sidebar = self.page.get_by_test_id("stSidebar")
        await sidebar.get_by_test_id("stSelectbox").first.click()
        await self.page.get_by_role("option", name=label).click()
        await self.wait_idle()
        await sidebar.get_by_text(label.split(" ")[0] + ": 테이블").wait_for()

    def question_box(self):
        return self.page.get_by_label("질문", exact=True)  # exact: the sidebar also has "질문하기"

    async def ask(self, question: str, timeout_ms: int = GENERATE_TIMEOUT_MS) -> None:
        box = self.question_box()
        await box.fill(question)
        await box.press("Control+Enter")
        await self.wait_idle()
        await self.page.get_by_role("button", name="SQL 생성").click()
        done = self.page.get_by_text("SQL 생성 완료").or_(self.page.get_by_test_id("stAlertContentError"))
        await done.first.wait_for(timeout=timeout_ms)
        await self.wait_idle(timeout_ms)
        # the status label flips before the rest of the page is drawn: on a busy machine the idle check
        # can pass in between, so wait for the answer itself (SQL in the editor, or an error)
        await self.page.wait_for_function(
            """(label) => [...document.querySelectorAll('textarea')].some(
                   (box) => box.getAttribute('aria-label') === label && box.value.trim())
               || document.querySelector('[data-testid="stAlertContentError"]')""",
            arg=self.EDITOR,
            timeout=timeout_ms,
        )

    async def sql(self) -> str:
        return await self.page.get_by_label(self.EDITOR).input_value()

    async def set_sql(self, sql: str) -> None:
        editor = self.page.get_by_label(self.EDITOR)
        await editor.fill(sql)
        await editor.press("Control+Enter")
        await self.wait_idle()

    async def run(self, timeout_ms: int = 120_000) -> None:
        stale = await self.errors()  # the answer's own error stays on the page until the run replaces it
        await self.page.get_by_role("button", name="실행", exact=True).click()
        if stale:
            await self.page.wait_for_function(
                "(stale) => ![...document.querySelectorAll('[data-testid=\"stAlertContentError\"]')]"
                ".some((e) => stale.includes(e.innerText))",
                arg=stale,
                timeout=timeout_ms,
            )
        shown = (
            self.page.get_by_test_id("stDataFrame")
            .or_(self.page.get_by_test_id("stAlertContentError"))
            .or_(self.page.get_by_text("결과 0행"))
        )
        await shown.first.wait_for(timeout=timeout_ms)
        await self.wait_idle(timeout_ms)

    async def executed_sql(self) -> str:
        """The SQL shown under '실행한 SQL' (what really ran)."""
        expander = self.page.get_by_test_id("stExpander").filter(has_text="실행한 SQL")
        await expander.get_by_text("실행한 SQL").click()
        return await expander.get_by_test_id("stCode").inner_text()

    async def errors(self) -> list[str]:
        return await self.page.get_by_test_id("stAlertContentError").all_inner_texts()


# --- load test ---------------------------------------------------------------------------------
# (database, question, a read query the session runs after editing): twenty distinct natural
# questions, one per session slot, so a leaked question or result would be noticed.
WORKLOAD = [
    ("shop", "서울에 사는 고객은 몇 명이야?", "SELECT count(*) AS n FROM customers WHERE city = '{city}'"),
    ("shop", "카테고리별 상품 수는?", "SELECT category_id, count(*) AS n FROM products WHERE price > {n} GROUP BY 1"),
    ("shop", "2024년 월별 주문 수를 보여줘", "SELECT count(*) AS n FROM orders WHERE order_id > {n}"),
    ("shop", "회원 등급별 고객 수", "SELECT grade, count(*) AS n FROM customers WHERE customer_id > {n} GROUP BY 1"),
    (
        "shop",
        "가장 비싼 상품 5개",
        "SELECT name, price FROM products WHERE product_id > {n} ORDER BY price DESC LIMIT 5",
    ),
    ("shop", "환불 건수는 몇 건이야?", "SELECT count(*) AS n FROM refunds WHERE refund_id > {n}"),
    ("shop", "브랜드별 평균 가격", "SELECT brand, avg(price) AS p FROM products WHERE product_id > {n} GROUP BY 1"),
    ("shop", "리뷰 평점 평균은?", "SELECT avg(rating) AS r FROM reviews WHERE review_id > {n}"),
    (
        "marketing",
        "채널별 캠페인 수는?",
        "SELECT channel_id, count(*) AS n FROM campaigns WHERE campaign_id > {n} GROUP BY 1",
    ),
    ("marketing", "월별 신규 리드 수", "SELECT count(*) AS n FROM leads WHERE lead_id > {n}"),
    ("marketing", "전환이 가장 많은 캠페인은?", "SELECT count(*) AS n FROM conversions WHERE conversion_id > {n}"),
    ("marketing", "2025년 광고비 합계", "SELECT count(*) AS n FROM campaigns WHERE campaign_id > {n}"),
    ("marketing", "채널 목록을 보여줘", "SELECT * FROM channels WHERE channel_id > {n}"),
    ("marketing", "리드가 가장 많은 채널", "SELECT count(*) AS n FROM leads WHERE lead_id > {n}"),
    ("game", "국가별 플레이어 수", "SELECT count(*) AS n FROM players WHERE player_id > {n}"),
    ("game", "2025년 월별 결제 금액 합계", "SELECT count(*) AS n FROM purchases WHERE purchase_id > {n}"),
    ("game", "가장 많이 팔린 아이템 5개", "SELECT count(*) AS n FROM items WHERE item_id > {n}"),
    ("game", "플랫폼별 평균 세션 시간", "SELECT count(*) AS n FROM sessions WHERE session_id > {n}"),
    ("game", "레벨업 이벤트 수", "SELECT count(*) AS n FROM events WHERE event_id > {n}"),
    ("game", "결제한 플레이어 수", "SELECT count(DISTINCT player_id) AS n FROM purchases WHERE purchase_id > {n}"),
]
CITIES = ["서울", "부산", "인천", "대구", "대전", "광주", "울산", "경기"]


@dataclass
class LoadReport:
    sessions: int
    duration_s: float
    asks: int = 0
    runs: int = 0
    errors: list[str] = field(default_factory=list)  # the service failed: exceptions, crashes, failed runs
    unanswered: list[str] = field(default_factory=list)  # the model's SQL did not run (the user is told)
    leaks: list[str] = field(default_factory=list)
    ask_ms: list[float] = field(default_factory=list)
    run_ms: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    def add_round(
        self,
        slot: int,
        ask_ms: float,
        run_ms: float,
        ask_errors: list[str],
        run_errors: list[str],
        own: str,
        shown: str,
    ) -> None:
        """One question + run of a session; ``shown`` is the SQL that session saw executed.

        An error message after asking is an unanswered question when it is the one the app gives for
        model SQL that does not run (accuracy, measured by `eval`); any other message is an error."""
        self.asks += 1
        self.ask_ms.append(ask_ms)
        for message in ask_errors:
            (self.unanswered if is_unanswered(message) else self.errors).append(f"session {slot}: {message}")
        if run_errors:
            self.errors.extend(f"session {slot}: {e}" for e in run_errors)
        else:
            self.runs += 1
            self.run_ms.append(run_ms)
        if _marker(own) not in shown:
            self.leaks.append(f"session {slot}: ran {own!r} but saw {shown!r}")

    def summary(self) -> dict:
        def pct(values, q):
            return (
                round(statistics.quantiles(values, n=100)[q - 1])
                if len(values) >= 2
                else (round(values[0]) if values else None)
            )

        return {
            "sessions": self.sessions,
            "duration_s": round(self.duration_s, 1),
            "questions_answered": self.asks,
            "queries_run": self.runs,
            "throughput_questions_per_min": round(self.asks / self.duration_s * 60, 2) if self.duration_s else 0,
            "ask_ms_p50": pct(self.ask_ms, 50),
            "ask_ms_p95": pct(self.ask_ms, 95),
            "run_ms_p50": pct(self.run_ms, 50),
            "run_ms_p95": pct(self.run_ms, 95),
            "errors": len(self.errors),
            "unanswered": len(self.unanswered),
            "leaks": len(self.leaks),
            "server_rss_mb_start": self.rss_mb[0] if self.rss_mb else None,
            "server_rss_mb_max": max(self.rss_mb) if self.rss_mb else None,
            "server_rss_mb_end": self.rss_mb[-1] if self.rss_mb else None,
            "error_messages": self.errors[:30],
            "unanswered_messages": self.unanswered[:30],
            "leak_messages": self.leaks[:30],
        }


def run_load(url: str, server_pid: int, sessions: int = 20, duration_s: float = 180.0, seed: int = 0) -> LoadReport:
    """``sessions`` browser contexts (= separate Streamlit sessions) ask and run queries for ``duration_s``."""
    return asyncio.run(_run_load(url, server_pid, sessions, duration_s, seed))


async def _run_load(url: str, server_pid: int, sessions: int, duration_s: float, seed: int) -> LoadReport:
    from playwright.async_api import async_playwright  # playwright: a test dependency, only for the browser load test

    report = LoadReport(sessions, duration_s)
    stop_at = time.time() + duration_s

    async def sample_memory():
        while True:
            rss = _rss_mb(server_pid)
            if rss:
                report.rss_mb.append(rss)
            await asyncio.sleep(2.0)

    async def session(browser, slot: int):
        rng = random.Random(seed * 1000 + slot)
        await asyncio.sleep(slot * 0.5)  # people arrive over a few seconds, not in the same millisecond
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        step = "open the app"  # named in an error, so a timeout says where the session was
        try:
            page = await AppPage.open(context, url)
            db, question, template = WORKLOAD[slot % len(WORKLOAD)]
            if db != "shop":
                step = "pick the database"
                await page.pick_database(SAMPLE_TITLES[db])
            first = True
            while first or time.time() < stop_at:
                first = False
                step = "ask"
                started = time.perf_counter()
                await page.ask(question)
                ask_ms = (time.perf_counter() - started) * 1000
                ask_errors = await page.errors()
                if await page.question_box().input_value() != question:
                    report.leaks.append(f"session {slot}: the question box shows someone else's text")
                own = _own_query(rng, template, slot)
                step = "edit the SQL"
                await page.set_sql(own)
                step = "run"
                started = time.perf_counter()
                await page.run()
                run_ms = (time.perf_counter() - started) * 1000
                run_errors = await page.errors()
                step = "read the executed SQL"
                shown = " ".join((await page.executed_sql()).split())
                report.add_round(slot, ask_ms, run_ms, ask_errors, run_errors, own, shown)
        except Exception as exc:  # a crashed session is an error of the run, not of the harness
            report.errors.append(f"session {slot} ({step}): {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        finally:
            await context.close()

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        sampler = asyncio.create_task(sample_memory())
        started = time.time()
        await asyncio.gather(*(session(browser, i) for i in range(sessions)))
        report.duration_s = time.time() - started
        sampler.cancel()
        await browser.close()
    return report


def run_pipeline_load(settings, sessions: int = 20, duration_s: float = 180.0, seed: int = 0) -> LoadReport:
    """The same workload on one shared ``Pipeline`` from ``sessions`` threads, without browsers.

    On a small machine the browsers of a browser load test compete with the model for the same
    cores; this measures what the server side sustains when the browsers are elsewhere.
    """

    pipeline = Pipeline(settings)
    for db in {w[0] for w in WORKLOAD}:
        pipeline.prepare(db)
    pipeline.generator()
    report = LoadReport(sessions, duration_s)
    lock = threading.Lock()
    stop_at = time.time() + duration_s

    def session(slot: int):
        rng = random.Random(seed * 1000 + slot)
        db, question, template = WORKLOAD[slot % len(WORKLOAD)]
        first = True
        while first or time.time() < stop_at:
            first = False
            try:
                started = time.perf_counter()
                draft = pipeline.solve(db, question, session=f"load-{slot}")  # as the app does: generate, check, repair
                ask_ms = (time.perf_counter() - started) * 1000
                # what the app would show as an error, as the browser mode counts it
                ask_errors = [message] if (message := draft_error(draft)) else []
                own = _own_query(rng, template, slot)
                started = time.perf_counter()
                approved, _ = pipeline.run(db, own, session=f"load-{slot}")
                run_ms = (time.perf_counter() - started) * 1000
                with lock:  # no shared page here: the leak check only guards the run's own bookkeeping
                    report.add_round(slot, ask_ms, run_ms, ask_errors, [], own, approved.sql)
            except Exception as exc:
                with lock:
                    report.errors.append(f"session {slot}: {type(exc).__name__}: {exc}")

    def sample_memory(done: threading.Event):
        while not done.is_set():
            if rss := _rss_mb(os.getpid()):
                report.rss_mb.append(rss)
            done.wait(2.0)

    done = threading.Event()
    threading.Thread(target=sample_memory, args=(done,), daemon=True).start()
    started = time.time()
    threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report.duration_s = time.time() - started
    done.set()
    return report


def _own_query(rng: random.Random, template: str, slot: int) -> str:
    """A query only this session runs (its slot number is part of the condition)."""
    return template.format(city=rng.choice(CITIES), n=rng.randint(1, 500) * 1000 + slot)


def _marker(sql: str) -> str:
    """The session's own condition (``city = '서울'``, ``order_id > 5003``), as any normalised form keeps it."""
    return " ".join(sql.split(" WHERE ")[1].split()[:3])


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None
