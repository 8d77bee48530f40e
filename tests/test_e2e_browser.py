"""End to end in a real browser: Debian's chromium driven by Playwright against ``streamlit run app.py``.

The real default model with the shipped adapter answers; screenshots of every step are saved
under ``T2SQL_SCREENSHOT_DIR`` (default: this test's tmp folder; ``docs/screenshots`` when
refreshing the README's pictures). A small load test (several sessions at once) runs here too;
the full one is ``python -m t2sql loadtest``.
"""

import asyncio
import os
from pathlib import Path

import pytest

from t2sql.lab.loadtest import AppPage, chromium_path, run_load, serve_app

ADMIN_PASSWORD = "e2e-관리자"
pytestmark = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
playwright = pytest.importorskip("playwright.async_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_dir, default_model_dir):
    data = tmp_path_factory.mktemp("e2e-data")
    env = {
        "T2SQL_DATA_DIR": str(data),
        "T2SQL_SAMPLE_DIR": str(sample_dir),
        "T2SQL_TODAY": "2025-12-15",
        "T2SQL_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    with serve_app(env, log_path=data / "streamlit.log") as (url, proc):
        yield url, proc, data


def shots_dir(tmp_path) -> Path:
    folder = Path(os.environ.get("T2SQL_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_ask_edit_run_chart_download_in_a_real_browser(server, tmp_path):
    url, _, data = server
    shots = shots_dir(tmp_path)

    async def flow():
        async with playwright.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
            context = await browser.new_context(
                viewport={"width": 1400, "height": 1700}, accept_downloads=True, locale="ko-KR"
            )
            app = await AppPage.open(context, url)
            page = app.page
            # pick a sample database (away and back, through the real select box)
            await app.pick_database("marketing · 마케팅 캠페인")
            await app.pick_database("shop · 온라인 쇼핑몰")
            await page.screenshot(path=shots / "01-start.png", full_page=True)

            # ask in Korean: the model writes SQL, the explanation appears next to it
            await app.ask("서울에 사는 고객은 몇 명이야?")
            assert not await app.errors()
            generated = await app.sql()
            assert "customers" in generated.lower()
            await page.get_by_text("이 쿼리가 하는 일").wait_for()
            await page.screenshot(path=shots / "02-generated-sql.png", full_page=True)

            # the generated SQL runs as it is; a good answer goes to an admin for review with one click
            await app.run()
            assert not await app.errors()
            await page.get_by_role("button", name="정확해요").click()
            await app.wait_idle()
            await page.get_by_text("관리자에게 검토를 요청했습니다").first.wait_for()
            await page.screenshot(path=shots / "07-feedback.png", full_page=True)

            # the analyst edits the SQL; the explanation follows the edit
            await app.set_sql("SELECT city, COUNT(*) AS customers FROM customers GROUP BY city ORDER BY customers DESC")
            await page.get_by_text("별로 묶어").first.wait_for()
            await app.run()
            assert not await app.errors()
            assert await page.get_by_test_id("stDataFrame").count() == 1
            await page.get_by_text("LIMIT 1,000 자동 추가").first.wait_for()
            await page.screenshot(path=shots / "03-result-table.png", full_page=True)

            # the chart tab picks a bar chart for category + number
            await page.get_by_role("tab", name="차트").click()
            await page.get_by_test_id("stVegaLiteChart").first.wait_for()
            await page.wait_for_timeout(800)
            await page.screenshot(path=shots / "04-chart.png", full_page=True)

            # CSV download: UTF-8 with BOM, Korean intact
            async with page.expect_download() as info:
                await page.get_by_role("button", name="CSV 내려받기").click()
            download = await info.value
            target = tmp_path / download.suggested_filename
            await download.save_as(target)
            content = target.read_bytes()
            assert content.startswith(b"\xef\xbb\xbf") and "서울".encode() in content

            # unsafe SQL is refused with the reason; the app stays up
            await app.set_sql("DROP TABLE customers")
            await app.run()
            errors = await app.errors()
            assert errors and "실행하지 않았습니다" in errors[0]
            await page.screenshot(path=shots / "05-refused.png", full_page=True)

            # history: the earlier query can be brought back and re-run
            await page.get_by_test_id("stSidebar").get_by_role("button", name="서울에 사는 고객은").first.click()
            await app.wait_idle()
            await page.get_by_test_id("stDataFrame").first.wait_for()
            await page.get_by_role("button", name="Excel 내려받기").wait_for()
            assert "GROUP BY" in await app.sql()
            await page.screenshot(path=shots / "06-history.png", full_page=True)

            # the admin view is closed to a business user: a password form, no examples
            await page.get_by_test_id("stSidebar").get_by_text("예시·정의 관리").click()
            await app.wait_idle()
            await page.get_by_label("관리자 비밀번호").wait_for()
            assert await page.get_by_text("검토 대기").count() == 0
            await page.get_by_label("관리자 비밀번호").fill("틀린 비밀번호")
            await page.get_by_role("button", name="로그인").click()
            await app.wait_idle()
            await page.get_by_text("비밀번호가 맞지 않습니다").wait_for()

            # the admin logs in, approves the proposed pair; it is listed with the yaml's definitions
            await page.get_by_label("관리자 비밀번호").fill(ADMIN_PASSWORD)
            await page.get_by_role("button", name="로그인").click()
            await app.wait_idle()
            await page.get_by_text("검토 대기 (1개)").wait_for()
            await page.get_by_role("button", name="승인").click()
            await app.wait_idle()
            await page.get_by_text("검증된 예시 (1개)").wait_for()
            await page.get_by_text("매출 = status가").first.wait_for()
            await page.screenshot(path=shots / "08-admin.png", full_page=True)
            await browser.close()

    asyncio.run(flow())
    audit = (data / "audit.jsonl").read_text(encoding="utf-8")
    assert '"status": "refused"' in audit and "DROP TABLE customers" in audit


def test_several_sessions_at_once_share_the_model_without_leaks(server):
    url, proc, _ = server
    report = run_load(url, proc.pid, sessions=int(os.environ.get("T2SQL_E2E_SESSIONS", "4")), duration_s=1)
    summary = report.summary()
    assert summary["errors"] == 0, summary["error_messages"]
    assert summary["leaks"] == 0, summary["leak_messages"]
    assert summary["questions_answered"] >= summary["sessions"]
    assert summary["server_rss_mb_max"] is not None
