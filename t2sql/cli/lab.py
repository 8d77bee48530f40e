"""Research tooling: ``gen-data``, ``export-eval``, ``train``, ``eval`` and ``loadtest``."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import platform
import typing
from pathlib import Path

import click

from t2sql.cli.common import ManyValues, command, say
from t2sql.cli.output import print_table
from t2sql.errors import T2SQLError
from t2sql.lab import loadtest
from t2sql.lab.evaluation import Judge, evaluate
from t2sql.settings import Settings
from t2sql.tuning import training


@command("gen-data", help="한국어 질문-SQL 학습 데이터를 생성합니다 (모든 SQL은 실행으로 검증)")
@click.option("--out", default=".t2sql/data")
@click.option("--seed", type=int, default=0)
@click.option("--variants-per-domain", type=int, default=5)
@click.option("--questions-per-db", type=int, default=120)
def gen_data(out: str, seed: int, variants_per_domain: int, questions_per_db: int) -> None:
    from t2sql.lab.datagen import generate_dataset  # pulls pandas: kept off the `sql` start-up path

    paths = generate_dataset(Path(out), seed, variants_per_domain, questions_per_db, progress=say)
    for split, path in paths.items():
        click.echo(f"{split}\t{path}")


@command("export-eval", help="생성 데이터의 한 분할을 데이터베이스별 평가 질문 파일(JSONL)로 내보냅니다")
@click.option("--data", default=".t2sql/data")
@click.option("--split", default="test")
@click.option("--out", default=".t2sql/eval_test")
def export_eval(data: str, split: str, out: str) -> None:
    from t2sql.lab.datagen import export_eval_questions  # pulls pandas: kept off the `sql` start-up path

    for db_id, path in export_eval_questions(Path(data), split, Path(out)).items():
        click.echo(f"{db_id}\t{Path(data) / 'dbs' / (db_id + '.duckdb')}\t{path}")


def _train_options() -> list[click.Option]:
    """One option per ``TrainConfig`` field (bools as ``--x/--no-x``), so a new field needs no CLI edit."""
    hints = typing.get_type_hints(training.TrainConfig)
    options = []
    for f in dataclasses.fields(training.TrainConfig):
        flag, kind = "--" + f.name.replace("_", "-"), hints[f.name]
        if kind is bool:
            options.append(click.Option([f"{flag}/--no-{flag[2:]}", f.name], default=f.default, show_default=True))
        elif typing.get_origin(kind) is list:  # several values after one flag; absent = the field's default
            (item,) = typing.get_args(kind)
            options.append(ManyValues([flag, f.name], type=item, metavar="VALUE ..."))
        else:
            options.append(click.Option([flag, f.name], type=kind, default=f.default, show_default=True))
    return options


@command("train", params=_train_options(), help="LoRA 미세조정 (기본값 = 저장소에 포함된 어댑터를 만든 설정)")
def train(**values) -> None:
    from t2sql.lab.corpus import prepare_training  # pulls pandas: kept off the `sql` start-up path

    given: dict[str, typing.Any] = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items() if v != ()}
    config = training.TrainConfig(**given)
    settings = Settings.from_env()
    card = training.train(prepare_training(config, settings, say), settings, progress=say)
    click.echo(json.dumps({k: v for k, v in card.items() if k != "losses"}, ensure_ascii=False, default=str))


@command("eval", help="질문-정답 SQL 세트로 실행 정확도(EX)를 측정합니다 (중단 후 이어서 실행 가능)")
@click.option("--db", required=True, help="샘플 이름 또는 SQLAlchemy URL")
@click.option("--questions", required=True, help="JSONL: id, db_id, question, sql, difficulty, order_matters")
@click.option("--out", required=True, help="보고서 JSON 경로 (이미 있으면 끝난 문항은 건너뜁니다)")
@click.option("--limit", type=int, help="앞에서부터 N개 문항만")
@click.option("--judge-url", help="LLM 판정용 OpenAI 호환 서버 주소 (지정하면 판정을 실행)")
@click.option("--judge-model", default="", help="판정 모델 이름")
@click.option("--judge-key", default="", help="판정 서버 API 키")
@click.option("--judge-concurrency", type=int, default=4, help="동시 판정 요청 수")
@click.option("--judge-rps", type=float, default=2.0, help="초당 판정 요청 수 상한")
def eval_command(
    db: str,
    questions: str,
    out: str,
    limit: int | None,
    judge_url: str | None,
    judge_model: str,
    judge_key: str,
    judge_concurrency: int,
    judge_rps: float,
) -> None:
    settings = Settings.from_env()
    judge = Judge(judge_url, judge_model, judge_key, judge_concurrency, judge_rps) if judge_url else None
    report = evaluate(db, questions, out, settings, limit, judge, log=say)
    s = report["summary"]
    rows = [
        ("문항 수", f"{s['n']:,}"),
        ("실행 정확도 (EX)", f"{s['ex']:.1%}"),
        ("정확 일치 (EM)", f"{s['em']:.1%}"),
        ("유효 SQL 비율", f"{s['valid_sql_rate']:.1%}"),
        ("지연 p50", _ms(s["latency_ms_p50"])),
        ("지연 p95", _ms(s["latency_ms_p95"])),
    ]
    if "judge_accuracy" in s:
        rows.append(("LLM 판정 정확도", f"{s['judge_accuracy']:.1%}"))
    print_table(["항목", "값"], rows, err=True)
    click.echo(out)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


@command("loadtest", help="여러 브라우저 세션으로 앱에 동시에 질문하고 실행합니다 (chromium 필요)")
@click.option("--sessions", type=int, default=20, help="동시 브라우저 세션 수")
@click.option("--duration", type=float, default=180.0, help="세션마다 질문을 반복하는 시간(초)")
@click.option("--url", help="이미 실행 중인 앱 주소 (없으면 앱을 직접 띄웁니다)")
@click.option("--no-browser", is_flag=True, help="브라우저 없이 같은 작업을 파이프라인에 직접 (서버 쪽 처리량)")
@click.option("--out", help="결과 JSON 경로")
def loadtest_command(sessions: int, duration: float, url: str | None, no_browser: bool, out: str | None) -> int:
    settings = Settings.from_env()
    if not no_browser and loadtest.chromium_path() is None:
        raise T2SQLError(
            "chromium을 찾을 수 없습니다. `apt-get install chromium`으로 설치하거나 --no-browser로 실행하세요."
        )
    kind = "세션(브라우저 없이)" if no_browser else "브라우저 세션"
    say(f"{kind} {sessions}개로 {duration:g}초 동안 부하 시험을 합니다…")
    if no_browser:
        report = loadtest.run_pipeline_load(settings, sessions, duration)
    else:
        server = contextlib.nullcontext((url, None)) if url else loadtest.serve_app()
        with server as (app_url, proc):
            report = loadtest.run_load(app_url, proc.pid if proc else 0, sessions, duration)
    summary = {
        **report.summary(),
        "mode": "pipeline" if no_browser else "browser",
        "machine": f"{platform.machine()} · {os.cpu_count()} cores",
        "backend": settings.backend,
    }
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text + "\n", encoding="utf-8")
    click.echo(text)
    return 0 if summary["errors"] == 0 and summary["leaks"] == 0 else 1


COMMANDS = [gen_data, export_eval, train, eval_command, loadtest_command]
