"""What a database's prompts learn from: verified question → SQL ``examples`` and business ``docs``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from t2sql.cli.common import group, say
from t2sql.cli.output import print_table
from t2sql.errors import T2SQLError
from t2sql.pipeline import Pipeline
from t2sql.settings import Settings

FILE_HELP = "FILE: JSONL (평가 파일과 같은 필드: id, db_id, question, sql, ...)"

db_option = click.option("--db", required=True)
file_argument = click.argument("file", type=click.Path(path_type=Path))


def _open(db: str) -> tuple[Pipeline, str]:
    """The pipeline and the database's catalog name (where its examples and docs are stored)."""
    pipeline = Pipeline(Settings.from_env())
    return pipeline, pipeline.catalog(db).database


@group("examples", help="검증된 질문-SQL 예시를 가져오기/내보내기/보기 (프롬프트의 few-shot 예시)")
def examples() -> None:
    pass


@examples.command(
    "import", help=f"JSONL 파일의 예시를 검증해 저장\n\n{FILE_HELP}", short_help="JSONL 파일의 예시를 검증해 저장"
)
@db_option
@file_argument
@click.option(
    "--disjoint-from",
    type=click.Path(path_type=Path),
    help="이 평가 JSONL과 같은 SQL이거나 거의 같은 질문은 가져오지 않음",
)
def import_examples(db: str, file: Path, disjoint_from: Path | None) -> int:
    pipeline, name = _open(db)
    report = pipeline.import_examples(db, file, disjoint_from, progress=say)
    for line in report.excluded + report.errors:
        say(line)
    say(f"{name}: 추가 {report.added}개, 갱신 {report.updated}개, 건너뜀 {report.skipped}개")
    return 1 if report.errors and not (report.added or report.updated) else 0


@examples.command(
    "export",
    help=f"예시를 JSONL로 (학습 데이터 형식 겸용)\n\n{FILE_HELP}",
    short_help="예시를 JSONL로 (학습 데이터 형식 겸용)",
)
@db_option
@file_argument
def export_examples(db: str, file: Path) -> None:
    pipeline, name = _open(db)
    count = pipeline.export_examples(db, file)
    say(f"{name}: 예시 {count}개를 {file}에 내보냈습니다 (학습 데이터 형식 겸용).")


@examples.command("list", help="저장된 예시 보기")
@db_option
def list_examples(db: str) -> None:
    pipeline, name = _open(db)
    rows = [(e.id, e.source, e.question, e.sql) for e in pipeline.examples.store.list(name)]
    print_table(["번호", "출처", "질문", "SQL"], rows)


@examples.command(
    "overlap",
    help=f"저장된 예시(온보딩 연습 문제 포함) 중 평가 질문과 겹치는 것 세기\n\n{FILE_HELP}",
    short_help="저장된 예시(온보딩 연습 문제 포함) 중 평가 질문과 겹치는 것 세기",
)
@db_option
@file_argument
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로")
def overlap(db: str, file: Path, as_json: bool) -> None:
    pipeline, name = _open(db)
    found = pipeline.example_overlaps(db, file)
    sources = sorted({e.source for e, _ in found})
    summary = {
        "examples": len(pipeline.examples.store.list(name)),
        "overlapping": len(found),
        "by_source": {s: sum(1 for e, _ in found if e.source == s) for s in sources},
        "items": [{"id": e.id, "source": e.source, "reason": why} for e, why in found],
    }
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        for e, why in found:
            click.echo(f"{e.id}\t{e.source}\t{why}")
        say(f"{name}: 저장된 예시 {summary['examples']}개 중 평가 질문과 겹치는 예시 {len(found)}개")


@group("docs", help="업무 정의(예: 매출 = 취소 제외 주문 금액 합계)를 추가/보기/삭제")
def docs() -> None:
    pass


@docs.command("add", help="정의 추가")
@db_option
@click.argument("text")
def add_doc(db: str, text: str) -> None:
    pipeline, name = _open(db)
    doc = pipeline.examples.store.add_doc(name, text, source="admin", author="cli")
    click.echo(f"{doc.id}\t{doc.text}")


@docs.command("list", help="정의 보기")
@db_option
def list_docs(db: str) -> None:
    pipeline, name = _open(db)
    rows = [(d.id, d.source, d.text) for d in pipeline.examples.store.docs(name)]
    rows += [("-", "yaml", text) for text in pipeline.catalog(db).docs]  # read-only here
    print_table(["번호", "출처", "정의"], rows)


@docs.command("delete", help="정의 삭제")
@db_option
@click.argument("doc_id", metavar="ID")
def delete_doc(db: str, doc_id: str) -> None:
    pipeline, name = _open(db)
    if not doc_id.isdigit() or not pipeline.examples.store.delete_doc(int(doc_id), name):
        raise T2SQLError(f"삭제할 정의 번호를 찾을 수 없습니다: {doc_id}")


COMMANDS = [examples, docs]
