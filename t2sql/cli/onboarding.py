"""``onboard``: a new database's vocabulary, value index, practice pairs and adapter, resumable."""

from __future__ import annotations

import json

import click

from t2sql.cli.common import command, say
from t2sql.onboard import STAGE_NAMES, STAGES, Onboarding
from t2sql.pipeline import Pipeline
from t2sql.settings import Settings


@command("onboard", help="새 데이터베이스 온보딩: 한국어 어휘·값 색인·연습 문제·전용 어댑터 (이어서 실행 가능)")
@click.option("--db", required=True, help="샘플 이름, 파일 경로 또는 SQLAlchemy URL")
@click.option(
    "--train-minutes", type=float, default=None, help="전용 어댑터 학습 시간(분, 0 = 건너뜀; 기본 T2SQL_TRAIN_MINUTES)"
)
@click.option("--practice-pairs", type=int, default=None, help="만들 연습 문제 수 (기본 T2SQL_PRACTICE_PAIRS)")
@click.option("--status", "status_only", is_flag=True, help="실행하지 않고 단계별 상태만 보기")
def onboard(db: str, train_minutes: float | None, practice_pairs: int | None, status_only: bool) -> None:
    settings = Settings.from_env()
    onboarding = Onboarding(Pipeline(settings), db)
    if not status_only:
        minutes = settings.train_minutes if train_minutes is None else train_minutes
        pairs = settings.practice_pairs if practice_pairs is None else practice_pairs
        onboarding.run(minutes, pairs, progress=_show)
    state = onboarding.state()
    for stage in STAGES:
        entry = state.get(stage) or {}
        detail = {k: v for k, v in entry.items() if k not in ("status", "inputs", "finished_at", "written_hash")}
        status = entry.get("status", "아직 안 함")
        click.echo(f"{STAGE_NAMES[stage]}\t{status}\t{json.dumps(detail, ensure_ascii=False)}")
    click.echo(f"결과 폴더: {onboarding.dir}")


def _show(p) -> None:
    if p.eta_s is None:
        eta = ""
    else:
        eta = " · 남은 시간 1분 미만" if p.eta_s < 60 else f" · 남은 시간 약 {p.eta_s / 60:.0f}분"
    say(f"[{p.fraction * 100:5.1f}%] {p.message}{eta}")


COMMANDS = [onboard]
