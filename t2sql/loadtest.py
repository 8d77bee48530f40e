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
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .settings import ROOT

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
GENERATE_TIMEOUT_MS = 600_000  # under load a session may wait for many others' generations


def chromium_path() -> str | None:
    found = os.environ.get("T2SQL_CHROMIUM") or next((p for p in CHROMIUM_PATHS if Path(p).exists()), None)
    return found or shutil.which("chromium")


@contextlib.contextmanager
def serve_app(env: dict[str, str] | None = None, log_path: Path | None = None):
    """``streamlit run app.py`` on a free port; yields (url, process)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true"]
    log = open(log_path, "w") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}")
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            time.sleep(0.5)
        else:
            raise RuntimeError("streamlit did not start in 120 s")
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log_path:
            log.close()


class AppPage:
    """What a user does on the page, by visible Korean labels (Playwright async API)."""

    EDITOR = "SQL (실행 전에 확인하고 고칠 수 있습니다)"

    def __init__(self, page):
        self.page = page

    @classmethod
    async def open(cls, context, url: str) -> "AppPage":
        self = cls(await context.new_page())
        await self.page.goto(url)
        await self.page.get_by_text("한국어로 묻는 데이터").first.wait_for(timeout=180_000)
        await self.wait_idle()
        return self

    async def wait_idle(self, timeout_ms: int = 180_000) -> None:
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

    async def ask(self, question: str, timeout_ms: int = GENERATE_TIMEOUT_MS) -> None:
        box = self.page.get_by_label("질문")
        await box.fill(question)
        await box.press("Control+Enter")
        await self.wait_idle()
        await self.page.get_by_role("button", name="SQL 생성").click()
        done = self.page.get_by_text("SQL 생성 완료").or_(self.page.get_by_test_id("stAlertContentError"))
        await done.first.wait_for(timeout=timeout_ms)
        await self.wait_idle(timeout_ms)

    async def sql(self) -> str:
        return await self.page.get_by_label(self.EDITOR).input_value()

    async def set_sql(self, sql: str) -> None:
        editor = self.page.get_by_label(self.EDITOR)
        await editor.fill(sql)
        await editor.press("Control+Enter")
        await self.wait_idle()

    async def run(self, timeout_ms: int = 120_000) -> None:
        await self.page.get_by_role("button", name="실행", exact=True).click()
        shown = self.page.get_by_test_id("stDataFrame").or_(self.page.get_by_test_id("stAlertContentError")).or_(
            self.page.get_by_text("결과 0행"))
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
# (database, question, a read query the session runs after editing) — distinct per session slot,
# so a leaked result or question would be noticed.
WORKLOAD = [
    ("shop", "서울에 사는 고객은 몇 명이야?", "SELECT count(*) AS n FROM customers WHERE city = '{city}'"),
    ("shop", "카테고리별 상품 수는?", "SELECT category_id, count(*) AS n FROM products WHERE price > {n} GROUP BY 1"),
    ("marketing", "채널별 캠페인 수는?", "SELECT channel_id, count(*) AS n FROM campaigns WHERE campaign_id > {n} GROUP BY 1"),
    ("game", "국가별 플레이어 수", "SELECT count(*) AS n FROM players WHERE player_id > {n}"),
]
CITIES = ["서울", "부산", "인천", "대구", "대전", "광주", "울산", "경기"]
DB_LABELS = {"shop": "shop · 온라인 쇼핑몰", "marketing": "marketing · 마케팅 캠페인", "game": "game · 모바일 게임"}


@dataclass
class LoadReport:
    sessions: int
    duration_s: float
    asks: int = 0
    runs: int = 0
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    ask_ms: list[float] = field(default_factory=list)
    run_ms: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    def summary(self) -> dict:
        def pct(values, q):
            return round(statistics.quantiles(values, n=100)[q - 1]) if len(values) >= 2 else (round(values[0]) if values else None)

        return {
            "sessions": self.sessions, "duration_s": round(self.duration_s, 1),
            "questions_answered": self.asks, "queries_run": self.runs,
            "throughput_questions_per_min": round(self.asks / self.duration_s * 60, 2) if self.duration_s else 0,
            "ask_ms_p50": pct(self.ask_ms, 50), "ask_ms_p95": pct(self.ask_ms, 95),
            "run_ms_p50": pct(self.run_ms, 50), "run_ms_p95": pct(self.run_ms, 95),
            "errors": len(self.errors), "leaks": len(self.leaks),
            "server_rss_mb_start": self.rss_mb[0] if self.rss_mb else None,
            "server_rss_mb_max": max(self.rss_mb) if self.rss_mb else None,
            "server_rss_mb_end": self.rss_mb[-1] if self.rss_mb else None,
            "first_errors": self.errors[:5], "first_leaks": self.leaks[:5],
        }


def run_load(url: str, server_pid: int, sessions: int = 20, duration_s: float = 180.0, seed: int = 0) -> LoadReport:
    """``sessions`` browser contexts (= separate Streamlit sessions) ask and run queries for ``duration_s``."""
    return asyncio.run(_run_load(url, server_pid, sessions, duration_s, seed))


async def _run_load(url: str, server_pid: int, sessions: int, duration_s: float, seed: int) -> LoadReport:
    from playwright.async_api import async_playwright

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
        try:
            page = await AppPage.open(context, url)
            db, question, template = WORKLOAD[slot % len(WORKLOAD)]
            if db != "shop":
                await page.pick_database(DB_LABELS[db])
            round_no = 0
            while time.time() < stop_at or round_no == 0:
                round_no += 1
                asked = f"{question} (세션 {slot} · {round_no}번째)"
                started = time.perf_counter()
                await page.ask(asked)
                ask_ms = (time.perf_counter() - started) * 1000
                errors = await page.errors()
                if await page.page.get_by_label("질문").input_value() != asked:
                    report.leaks.append(f"session {slot}: the question box shows someone else's text")
                own = template.format(city=rng.choice(CITIES), n=rng.randint(1, 500) * 1000 + slot)
                await page.set_sql(own)
                started = time.perf_counter()
                await page.run()
                run_ms = (time.perf_counter() - started) * 1000
                errors += await page.errors()
                shown = " ".join((await page.executed_sql()).split())
                report.asks += 1
                report.ask_ms.append(ask_ms)
                if errors:
                    report.errors.extend(f"session {slot}: {e}" for e in errors)
                else:
                    report.runs += 1
                    report.run_ms.append(run_ms)
                if own.split(" WHERE ")[1].split(" GROUP")[0] not in shown:
                    report.leaks.append(f"session {slot}: ran {own!r} but the page shows {shown!r}")
        except Exception as exc:  # a crashed session is an error of the run, not of the harness
            report.errors.append(f"session {slot}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
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


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None
