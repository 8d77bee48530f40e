"""Command line that mirrors the library: ``python -m t2sql COMMAND``.

Exit codes for ``sql``: 0 ran, 2 refused by the guard, 1 any other error. The ``sql`` and
``build-samples`` paths import no model code, so they start fast.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import sys
import unicodedata
from pathlib import Path

from t2sql.errors import GuardRefusal, T2SQLError
from t2sql.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m t2sql", description="한국어 질문을 읽기 전용 SQL로 바꿔 실행합니다.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sql", help="SQL을 가드와 읽기 전용 실행기로 실행")
    p.add_argument("--db", required=True, help="샘플 이름(shop, marketing, game), databases.yaml의 이름 또는 SQLAlchemy URL")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("sql")

    p = sub.add_parser("ask", help="한국어 질문 → SQL 생성 → 실행")
    p.add_argument("--db", required=True)
    p.add_argument("--json", action="store_true", help="결과를 JSON 한 줄로 출력")
    p.add_argument("question")

    p = sub.add_parser("build-samples", help="샘플 데이터베이스를 (다시) 만듭니다")
    p.add_argument("--only", nargs="*", help="일부만: shop marketing game")

    p = sub.add_parser("index", help="데이터베이스 스키마를 색인합니다 (바뀐 경우에만)")
    p.add_argument("--db", required=True)

    p = sub.add_parser("onboard", help="새 데이터베이스 온보딩: 한국어 어휘·값 색인·연습 문제·전용 어댑터 (이어서 실행 가능)")
    p.add_argument("--db", required=True, help="샘플 이름, 파일 경로 또는 SQLAlchemy URL")
    p.add_argument("--train-minutes", type=float, default=None, help="전용 어댑터 학습 시간(분, 0 = 건너뜀; 기본 T2SQL_TRAIN_MINUTES)")
    p.add_argument("--practice-pairs", type=int, default=None, help="만들 연습 문제 수 (기본 T2SQL_PRACTICE_PAIRS)")
    p.add_argument("--status", action="store_true", help="실행하지 않고 단계별 상태만 보기")

    sub.add_parser("settings", help="설정 표와 현재 값")

    p = sub.add_parser("gen-data", help="한국어 질문-SQL 학습 데이터를 생성합니다 (모든 SQL은 실행으로 검증)")
    p.add_argument("--out", default=".t2sql/data")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--variants-per-domain", type=int, default=5)
    p.add_argument("--questions-per-db", type=int, default=120)

    p = sub.add_parser("eval", help="질문-정답 SQL 세트로 실행 정확도(EX)를 측정합니다 (중단 후 이어서 실행 가능)")
    p.add_argument("--db", required=True, help="샘플 이름 또는 SQLAlchemy URL")
    p.add_argument("--questions", required=True, help="JSONL: id, db_id, question, sql, difficulty, order_matters")
    p.add_argument("--out", required=True, help="보고서 JSON 경로 (이미 있으면 끝난 문항은 건너뜁니다)")
    p.add_argument("--limit", type=int, help="앞에서부터 N개 문항만")
    p.add_argument("--judge-url", help="LLM 판정용 OpenAI 호환 서버 주소 (지정하면 판정을 실행)")
    p.add_argument("--judge-model", default="", help="판정 모델 이름")
    p.add_argument("--judge-key", default="", help="판정 서버 API 키")
    p.add_argument("--judge-concurrency", type=int, default=4, help="동시 판정 요청 수")
    p.add_argument("--judge-rps", type=float, default=2.0, help="초당 판정 요청 수 상한")

    p = sub.add_parser("loadtest", help="여러 브라우저 세션으로 앱에 동시에 질문하고 실행합니다 (chromium 필요)")
    p.add_argument("--sessions", type=int, default=20, help="동시 브라우저 세션 수")
    p.add_argument("--duration", type=float, default=180.0, help="세션마다 질문을 반복하는 시간(초)")
    p.add_argument("--url", help="이미 실행 중인 앱 주소 (없으면 앱을 직접 띄웁니다)")
    p.add_argument("--no-browser", action="store_true", help="브라우저 없이 같은 작업을 파이프라인에 직접 (서버 쪽 처리량)")
    p.add_argument("--out", help="결과 JSON 경로")

    p = sub.add_parser("examples", help="검증된 질문-SQL 예시를 가져오기/내보내기/보기 (프롬프트의 few-shot 예시)")
    actions = p.add_subparsers(dest="action", required=True)
    for action, help_text in (("import", "JSONL 파일의 예시를 검증해 저장"), ("export", "예시를 JSONL로 (학습 데이터 형식 겸용)"),
                              ("list", "저장된 예시 보기"),
                              ("overlap", "저장된 예시(온보딩 연습 문제 포함) 중 평가 질문과 겹치는 것 세기")):
        a = actions.add_parser(action, help=help_text)
        a.add_argument("--db", required=True)
        if action != "list":
            a.add_argument("file", help="JSONL (평가 파일과 같은 필드: id, db_id, question, sql, ...)")
        if action == "import":
            a.add_argument("--disjoint-from", help="이 평가 JSONL과 같은 SQL이거나 거의 같은 질문은 가져오지 않음")
        if action == "overlap":
            a.add_argument("--json", action="store_true", help="결과를 JSON으로")

    p = sub.add_parser("docs", help="업무 정의(예: 매출 = 취소 제외 주문 금액 합계)를 추가/보기/삭제")
    actions = p.add_subparsers(dest="action", required=True)
    for action, help_text, arg in (("add", "정의 추가", "text"), ("list", "정의 보기", None), ("delete", "정의 삭제", "id")):
        a = actions.add_parser(action, help=help_text)
        a.add_argument("--db", required=True)
        if arg:
            a.add_argument(arg)

    p = sub.add_parser("export-eval", help="생성 데이터의 한 분할을 데이터베이스별 평가 질문 파일(JSONL)로 내보냅니다")
    p.add_argument("--data", default=".t2sql/data")
    p.add_argument("--split", default="test")
    p.add_argument("--out", default=".t2sql/eval_test")

    from t2sql.tuning.training import TrainConfig

    p = sub.add_parser("train", help="LoRA 미세조정 (기본값 = 저장소에 포함된 어댑터를 만든 설정)")
    for f in dataclasses.fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        if f.type in ("bool", bool):
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default)
        elif f.name == "target_modules":
            p.add_argument(flag, nargs="+", default=None)
        else:
            p.add_argument(flag, type=_field_type(f), default=f.default)

    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args, Settings.from_env())
    except GuardRefusal as exc:
        print(f"거부됨: {exc}", file=sys.stderr)
        return 2
    except T2SQLError as exc:
        print(f"오류: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def cmd_sql(args, settings: Settings) -> int:
    from t2sql.pipeline import Pipeline

    approved, result = Pipeline(settings).run(args.db, args.sql, session="cli")
    print_result(result.columns, result.rows, args.format)
    if result.truncated:
        print(f"({result.truncation_message})", file=sys.stderr)
    if result.masked:
        print(f"(개인정보 열 {', '.join(result.masked)}은 가려서 표시했습니다)", file=sys.stderr)
    return 0


def cmd_ask(args, settings: Settings) -> int:
    from t2sql.pipeline import Pipeline

    answer = Pipeline(settings).ask(args.db, args.question, progress=_stderr)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, default=str))
    else:
        print(answer.sql or "(SQL 없음)")
        print()
        for notice in answer.notices:
            print(f"알림: {notice}", file=sys.stderr)
        if answer.error:
            print(f"오류: {answer.error}", file=sys.stderr)
        else:
            print_result(answer.columns, answer.rows, "table")
            print(f"\n{len(answer.rows):,}행 · {answer.latency_ms / 1000:.1f}초", file=sys.stderr)
    return 1 if answer.error else 0


def cmd_build_samples(args, settings: Settings) -> int:
    from t2sql.db.demo import build_samples

    paths = build_samples(settings.sample_dir, args.only or None, force=True, progress=_stderr)
    for name, path in paths.items():
        print(f"{name}\t{path}")
    return 0


def cmd_index(args, settings: Settings) -> int:
    from t2sql.pipeline import Pipeline

    catalog = Pipeline(settings).prepare(args.db, progress=_stderr)
    print(f"{catalog.database}: {len(catalog.tables)}개 테이블 색인됨 ({catalog.fingerprint})")
    return 0


def cmd_onboard(args, settings: Settings) -> int:
    from t2sql.onboard import STAGE_NAMES, STAGES, Onboarding
    from t2sql.pipeline import Pipeline

    onboarding = Onboarding(Pipeline(settings), args.db)
    if not args.status:
        minutes = settings.train_minutes if args.train_minutes is None else args.train_minutes
        pairs = settings.practice_pairs if args.practice_pairs is None else args.practice_pairs

        def show(p) -> None:
            eta = "" if p.eta_s is None else " · 남은 시간 1분 미만" if p.eta_s < 60 else f" · 남은 시간 약 {p.eta_s / 60:.0f}분"
            _stderr(f"[{p.fraction * 100:5.1f}%] {p.message}{eta}")

        onboarding.run(minutes, pairs, progress=show)
    state = onboarding.state()
    for stage in STAGES:
        entry = state.get(stage) or {}
        detail = {k: v for k, v in entry.items() if k not in ("status", "inputs", "finished_at", "written_hash")}
        print(f"{STAGE_NAMES[stage]}\t{entry.get('status', '아직 안 함')}\t{json.dumps(detail, ensure_ascii=False)}")
    print(f"결과 폴더: {onboarding.dir}")
    return 0


def cmd_settings(args, settings: Settings) -> int:
    for env, value, help_text in settings.describe():
        print(f"{env}={value}\n    {help_text}")
    return 0


def cmd_gen_data(args, settings: Settings) -> int:
    from t2sql.practice.generator import generate_dataset

    paths = generate_dataset(Path(args.out), args.seed, args.variants_per_domain, args.questions_per_db, progress=_stderr)
    for split, path in paths.items():
        print(f"{split}\t{path}")
    return 0


def cmd_export_eval(args, settings: Settings) -> int:
    from t2sql.practice.generator import export_eval_questions

    for db_id, path in export_eval_questions(Path(args.data), args.split, Path(args.out)).items():
        print(f"{db_id}\t{Path(args.data) / 'dbs' / (db_id + '.duckdb')}\t{path}")
    return 0


def cmd_train(args, settings: Settings) -> int:
    from t2sql.lab.corpus import prepare_training
    from t2sql.tuning.training import TrainConfig, train

    if sys.platform.startswith("linux") and "MALLOC_MMAP_THRESHOLD_" not in os.environ and sys.argv[1:2] == ["train"]:
        # glibc keeps freed activation buffers of varying sizes and a CPU run grows until the OOM killer
        # ends it; large blocks served by mmap go back to the OS. Must be set before the process starts.
        os.environ.update(MALLOC_MMAP_THRESHOLD_="1048576", MALLOC_TRIM_THRESHOLD_="1048576")
        os.execv(sys.executable, [sys.executable, "-m", "t2sql", *sys.argv[1:]])

    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig)}
    if values["target_modules"] is None:
        values.pop("target_modules")
    card = train(prepare_training(TrainConfig(**values), settings, _stderr), settings, progress=_stderr)
    print(json.dumps({k: v for k, v in card.items() if k != "losses"}, ensure_ascii=False, default=str))
    return 0


def cmd_eval(args, settings: Settings) -> int:
    from t2sql.lab.evaluation import Judge, evaluate

    judge = None
    if args.judge_url:
        judge = Judge(args.judge_url, args.judge_model, args.judge_key, args.judge_concurrency, args.judge_rps)
    report = evaluate(args.db, args.questions, args.out, settings, args.limit, judge, log=_stderr)
    s = report["summary"]
    ms = lambda v: "-" if v is None else f"{v:,.0f} ms"  # noqa: E731
    rows = [("문항 수", f"{s['n']:,}"), ("실행 정확도 (EX)", f"{s['ex']:.1%}"), ("정확 일치 (EM)", f"{s['em']:.1%}"),
            ("유효 SQL 비율", f"{s['valid_sql_rate']:.1%}"), ("지연 p50", ms(s["latency_ms_p50"])),
            ("지연 p95", ms(s["latency_ms_p95"]))]
    if "judge_accuracy" in s:
        rows.append(("LLM 판정 정확도", f"{s['judge_accuracy']:.1%}"))
    print(format_table(["항목", "값"], rows), file=sys.stderr)
    print(args.out)
    return 0


def cmd_loadtest(args, settings: Settings) -> int:
    import contextlib
    import platform

    from t2sql.lab.loadtest import chromium_path, run_load, run_pipeline_load, serve_app

    if not args.no_browser and chromium_path() is None:
        raise T2SQLError("chromium을 찾을 수 없습니다. `apt-get install chromium`으로 설치하거나 --no-browser로 실행하세요.")

    kind = "세션(브라우저 없이)" if args.no_browser else "브라우저 세션"
    _stderr(f"{kind} {args.sessions}개로 {args.duration:g}초 동안 부하 시험을 합니다…")
    if args.no_browser:
        report = run_pipeline_load(settings, args.sessions, args.duration)
    else:
        server = contextlib.nullcontext((args.url, None)) if args.url else serve_app()
        with server as (url, proc):
            report = run_load(url, proc.pid if proc else 0, args.sessions, args.duration)
    summary = {**report.summary(), "mode": "pipeline" if args.no_browser else "browser",
               "machine": f"{platform.machine()} · {os.cpu_count()} cores", "backend": settings.backend}
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if summary["errors"] == 0 and summary["leaks"] == 0 else 1


def cmd_examples(args, settings: Settings) -> int:
    from t2sql.pipeline import Pipeline

    pipeline = Pipeline(settings)
    name = pipeline.catalog(args.db).database
    store = pipeline.examples.store
    if args.action == "list":
        rows = [(e.id, e.source, e.question, e.sql) for e in store.list(name)]
        print(format_table(["번호", "출처", "질문", "SQL"], rows))
        return 0
    if args.action == "export":
        count = pipeline.export_examples(args.db, Path(args.file))
        _stderr(f"{name}: 예시 {count}개를 {args.file}에 내보냈습니다 (학습 데이터 형식 겸용).")
        return 0
    if args.action == "overlap":
        found = pipeline.example_overlaps(args.db, Path(args.file))
        summary = {"examples": len(store.list(name)), "overlapping": len(found),
                   "by_source": {s: sum(1 for e, _ in found if e.source == s) for s in sorted({e.source for e, _ in found})},
                   "items": [{"id": e.id, "source": e.source, "reason": why} for e, why in found]}
        if args.json:
            print(json.dumps(summary, ensure_ascii=False, indent=1))
        else:
            for e, why in found:
                print(f"{e.id}\t{e.source}\t{why}")
            _stderr(f"{name}: 저장된 예시 {summary['examples']}개 중 평가 질문과 겹치는 예시 {len(found)}개")
        return 0
    report = pipeline.import_examples(args.db, Path(args.file), Path(args.disjoint_from) if args.disjoint_from else None,
                                      progress=_stderr)
    for line in report.excluded + report.errors:
        _stderr(line)
    _stderr(f"{name}: 추가 {report.added}개, 갱신 {report.updated}개, 건너뜀 {report.skipped}개")
    return 1 if report.errors and not (report.added or report.updated) else 0


def cmd_docs(args, settings: Settings) -> int:
    from t2sql.pipeline import Pipeline

    pipeline = Pipeline(settings)
    name = pipeline.catalog(args.db).database
    store = pipeline.examples.store
    if args.action == "add":
        doc = store.add_doc(name, args.text, source="admin", author="cli")
        print(f"{doc.id}\t{doc.text}")
    elif args.action == "delete":
        if not args.id.isdigit() or not store.delete_doc(int(args.id), name):
            raise T2SQLError(f"삭제할 정의 번호를 찾을 수 없습니다: {args.id}")
    else:
        rows = [(d.id, d.source, d.text) for d in store.docs(name)]
        rows += [("-", "yaml", text) for text in pipeline.catalog(args.db).docs]  # read-only here
        print(format_table(["번호", "출처", "정의"], rows))
    return 0


def _field_type(f):
    return {"int": int, "float": float, "str": str}.get(f.type if isinstance(f.type, str) else f.type.__name__, str)


COMMANDS = {
    "sql": cmd_sql, "ask": cmd_ask, "build-samples": cmd_build_samples, "index": cmd_index, "settings": cmd_settings,
    "gen-data": cmd_gen_data, "export-eval": cmd_export_eval, "train": cmd_train,
    "eval": cmd_eval, "loadtest": cmd_loadtest, "examples": cmd_examples, "docs": cmd_docs, "onboard": cmd_onboard,
}


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def print_result(columns: list[str], rows: list[tuple], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps([dict(zip(columns, r)) for r in rows], ensure_ascii=False, default=str))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        print(format_table(columns, rows))


def format_table(columns: list[str], rows: list[tuple]) -> str:
    """A plain text table aligned for Korean (wide) characters."""
    cells = [[str(c) for c in columns]] + [["NULL" if v is None else str(v) for v in r] for r in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(columns))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(" | ".join(v + " " * (w - _width(v)) for v, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
