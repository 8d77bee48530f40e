"""Asking and running: ``sql`` (no model code, starts fast), ``ask``, ``index``, ``build-samples``, ``settings``."""

from __future__ import annotations

import json

import click

from t2sql.cli.common import ManyValues, command, say
from t2sql.cli.output import print_result
from t2sql.db.demo import build_samples
from t2sql.pipeline import Pipeline
from t2sql.settings import Settings

DB_HELP = "샘플 이름(shop, marketing, game), databases.yaml의 이름 또는 SQLAlchemy URL"


@command("sql", help="SQL을 가드와 읽기 전용 실행기로 실행")
@click.option("--db", required=True, help=DB_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.argument("sql")
def sql(db: str, fmt: str, sql: str) -> None:
    approved, result = Pipeline(Settings.from_env()).run(db, sql, session="cli")
    print_result(result.columns, result.rows, fmt)
    if result.truncated:
        say(f"({result.truncation_message})")
    if result.masked:
        say(f"(개인정보 열 {', '.join(result.masked)}은 가려서 표시했습니다)")


@command("ask", help="한국어 질문 → SQL 생성 → 실행")
@click.option("--db", required=True)
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON 한 줄로 출력")
@click.argument("question")
def ask(db: str, as_json: bool, question: str) -> int:
    answer = Pipeline(Settings.from_env()).ask(db, question, progress=say)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, default=str))
    else:
        click.echo(answer.sql or "(SQL 없음)")
        click.echo()
        for notice in answer.notices:  # the same notices the app shows: date reading, examples used, ...
            say(f"알림: {notice}")
        if answer.error:
            say(f"오류: {answer.error}")
        else:
            print_result(answer.columns, answer.rows, "table")
            say(f"\n{len(answer.rows):,}행 · {answer.latency_ms / 1000:.1f}초")
    return 1 if answer.error else 0


@command("build-samples", help="샘플 데이터베이스를 (다시) 만듭니다")
@click.option("--only", cls=ManyValues, metavar="NAME ...", help="일부만: shop marketing game")
def build_samples_command(only: tuple[str, ...]) -> None:
    paths = build_samples(Settings.from_env().sample_dir, list(only) or None, force=True, progress=say)
    for name, path in paths.items():
        click.echo(f"{name}\t{path}")


@command("index", help="데이터베이스 스키마를 색인합니다 (바뀐 경우에만)")
@click.option("--db", required=True)
def index(db: str) -> None:
    catalog = Pipeline(Settings.from_env()).prepare(db, progress=say)
    click.echo(f"{catalog.database}: {len(catalog.tables)}개 테이블 색인됨 ({catalog.fingerprint})")


@command("settings", help="설정 표와 현재 값")
def settings() -> None:
    for env, value, help_text in Settings.from_env().describe():
        click.echo(f"{env}={value}\n    {help_text}")


COMMANDS = [sql, ask, build_samples_command, index, settings]
