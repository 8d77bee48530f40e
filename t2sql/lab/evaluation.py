"""Offline evaluation on a question/gold-SQL set: execution accuracy, exact match, failure buckets.

The run goes through the same ``Pipeline`` as the app (retrieval, prompt, model, guard,
read-only execution), so the numbers describe what a user would get. Execution accuracy (EX)
compares result sets, not SQL text, because many different queries are right; exact match (EM)
and the failure buckets explain *why* the rest are wrong. The report is rewritten atomically
after every item so a long run can be stopped and resumed. An optional LLM judge gives a second
opinion for questions whose gold result is ambiguous.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import sqlalchemy as sa
from sqlglot import exp

from t2sql.db.results import results_match, value_key
from t2sql.errors import GuardRefusal, QueryTimeout, T2SQLError
from t2sql.fileio import write_json_atomic
from t2sql.guard.grounding import ungrounded_values
from t2sql.pipeline import Pipeline
from t2sql.retrieval.overlap import load_questions
from t2sql.settings import Settings
from t2sql.sqltext import canonical, parse

EVAL_MAX_ROWS = 100_000  # high enough that the guard's automatic LIMIT never truncates a result

# --- Execution accuracy ----------------------------------------------------------------------

# --- Exact match and SQL structure -----------------------------------------------------------


def exact_match(pred_sql: str, gold_sql: str, dialect: str) -> bool:
    """Same SQL up to keyword/identifier case, whitespace, quoting and table alias names."""
    pred, gold = canonical(pred_sql, dialect), canonical(gold_sql, dialect)
    return pred is not None and pred == gold


def _tables(tree: exp.Expr) -> set[str]:
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    return {t.name.lower() for t in tree.find_all(exp.Table) if t.name and t.name.lower() not in ctes}


def _columns(tree: exp.Expr) -> set[str]:
    """Referenced column names; output aliases used in ORDER BY are not columns."""
    aliases = {a.alias.lower() for a in tree.find_all(exp.Alias)}
    return {c.name.lower() for c in tree.find_all(exp.Column) if c.name and c.name.lower() not in aliases}


def _literals(tree: exp.Expr) -> set[tuple]:
    """Literal values; numbers by value so 10 and 10.0 are the same literal."""
    keys = set()
    for lit in tree.find_all(exp.Literal):
        try:
            keys.add(("n", value_key(Decimal(lit.this))) if not lit.is_string else ("s", lit.this))
        except InvalidOperation:
            keys.add(("s", lit.this))
    return keys


def classify_failure(pred_sql: str, gold_sql: str, status: str, dialect: str) -> str | None:
    """Why a prediction is wrong, coarse enough to count: None when it is correct."""
    if status == "correct":
        return None
    if not (pred_sql or "").strip():
        return "no_sql"
    pred = parse(pred_sql, dialect)
    if status == "refused":
        return "syntax" if pred is None else "unsafe"
    if status in ("timeout", "db_error"):
        return status
    gold = parse(gold_sql, dialect)
    if pred is None:
        return "syntax"
    if gold is None:
        return "logic"
    if _tables(pred) != _tables(gold):
        return "wrong_table"
    if _columns(pred) != _columns(gold):
        return "wrong_column"
    if _literals(pred) != _literals(gold):
        return "value"
    return "logic"


# --- Keeping example sets apart from benchmark questions --------------------------------------

# --- One question ----------------------------------------------------------------------------


def evaluate_item(pipeline, db: str, question: dict, dialect: str) -> dict:
    """Generate, guard and run the prediction, run the gold SQL, and score the pair."""
    gold_sql = question["sql"]
    item = {
        "id": question["id"],
        "db_id": question.get("db_id"),
        "question": question["question"],
        "difficulty": question.get("difficulty") or "unknown",
        "order_matters": bool(question.get("order_matters")),
        "gold_sql": gold_sql,
        "pred_sql": "",
        "raw": "",
        "tables": [],
        "status": "generation_error",
        "ex": False,
        "em": False,
        "valid_sql": False,
        "error": None,
        "latency_ms": 0.0,
        "failure": None,
        "judge": None,
    }
    started = time.perf_counter()
    pred_rows = None
    try:
        draft = pipeline.solve(db, question["question"], session="eval")
    except T2SQLError as exc:
        item["error"] = str(exc)
    else:
        item.update(
            pred_sql=draft.sql,
            raw=draft.raw,
            tables=list(draft.tables),
            examples_used=len(draft.examples),
            repairs=len(draft.failures),
            unsaid=list(draft.unsaid),
            doubt=draft.doubt,
            fixes=[fix.kind for fix in draft.fixes],
        )
        first_sql = draft.failures[0].sql if draft.failures else draft.sql  # before any self-correction
        item.update(first_sql=first_sql, first_unsaid=ungrounded_values(first_sql, draft.said, dialect))
        gold_tree = parse(gold_sql, dialect)
        if gold_tree is not None:  # did retrieval give the model every table the answer needs?
            item["retrieval_ok"] = _tables(gold_tree) <= {t.lower() for t in draft.tables}
        item["em"] = exact_match(draft.sql, gold_sql, dialect)  # the model's SQL as written, before the guard's LIMIT
        if draft.checked is not None:
            pred_rows, item["valid_sql"], item["status"] = draft.checked[1].rows, True, "wrong_result"
        elif isinstance(draft.error, GuardRefusal):
            item["status"], item["error"] = "refused", str(draft.error)
        elif isinstance(draft.error, QueryTimeout):
            item["status"], item["error"] = "timeout", str(draft.error)
        else:
            item["status"], item["error"] = "db_error", str(draft.error)
    item["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    if pred_rows is not None:
        settings = pipeline.settings
        try:
            gold = pipeline.database(db).run(gold_sql, settings.max_rows, settings.query_timeout_s)
        except T2SQLError as exc:
            item["error"] = f"정답 SQL을 실행하지 못했습니다: {exc}"
        else:
            item["ex"] = results_match(pred_rows, gold.rows, item["order_matters"])
            item["status"] = "correct" if item["ex"] else "wrong_result"
    item["failure"] = classify_failure(item["pred_sql"], gold_sql, item["status"], dialect)
    return item


# --- Report ----------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return round(s[lo] + (s[hi] - s[lo]) * (k - lo), 1)


def _mean(flags: list) -> float:
    return round(sum(map(bool, flags)) / len(flags), 4) if flags else 0.0


def summarize(items: list[dict], meta: dict) -> dict:
    """Summary recomputed from all items, so a resumed run reports the whole set."""
    by_difficulty: dict[str, list] = {}
    for it in items:
        by_difficulty.setdefault(str(it["difficulty"]), []).append(it["ex"])
    latencies = [it["latency_ms"] for it in items]
    summary = {
        "n": len(items),
        "ex": _mean([it["ex"] for it in items]),
        "em": _mean([it["em"] for it in items]),
        "valid_sql_rate": _mean([it["valid_sql"] for it in items]),
        "ex_by_difficulty": {d: _mean(v) for d, v in sorted(by_difficulty.items())},
        "latency_ms_p50": _percentile(latencies, 0.5),
        "latency_ms_p95": _percentile(latencies, 0.95),
        "retrieval_recall": _mean([it["retrieval_ok"] for it in items if "retrieval_ok" in it]),
        "statuses": dict(Counter(it["status"] for it in items)),
        "failures": dict(Counter(it["failure"] for it in items if it["failure"])),
        "repaired": sum(1 for it in items if it.get("repairs")),
        "repaired_correct": sum(1 for it in items if it.get("repairs") and it["ex"]),
        "with_examples": sum(1 for it in items if it.get("examples_used")),
        "fixed": dict(Counter(kind for it in items for kind in it.get("fixes", []))),
        "fixed_correct": sum(1 for it in items if it.get("fixes") and it["ex"]),
        "unsaid_first": sum(1 for it in items if it.get("first_unsaid")),  # first SQL filtered on a value nobody said
        "unsaid_final": sum(1 for it in items if it.get("unsaid")),
        "doubtful_final": sum(1 for it in items if it.get("doubt")),  # ran, but looks wrong after self-correction
        **meta,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    judged = [it["judge"] for it in items if it.get("judge") in ("yes", "no")]
    if judged:
        summary["judge_accuracy"] = _mean([j == "yes" for j in judged])
        summary["judge_n"] = len(judged)
    return summary


def _load_report(path: Path) -> list[dict]:
    if not path.exists():
        return []
    try:
        return list(json.loads(path.read_text(encoding="utf-8"))["items"])
    except (ValueError, KeyError, TypeError) as exc:
        raise T2SQLError(f"기존 보고서 {path}를 읽을 수 없습니다. 지우거나 다른 --out 경로를 쓰세요.") from exc


def machine_info(backend: str) -> dict:
    info = {"platform": platform.platform(), "python": platform.python_version(), "cpu_count": os.cpu_count()}
    if backend == "openai":
        info["torch_device"] = "remote"  # the model runs on the server, not here
        return info
    try:
        import torch  # torch: only where a model runs (`sql` never imports it)

        info["torch_device"] = (
            f"cuda ({torch.cuda.get_device_name(0)})"
            if torch.cuda.is_available()
            else ("mps" if torch.backends.mps.is_available() else "cpu")
        )
    except Exception:  # torch missing or broken: the report is still useful
        info["torch_device"] = "unknown"
    return info


def _shown_db(db: str) -> str:
    """The database argument without a password (reports get shared)."""
    if "://" not in db:
        return db

    try:
        return sa.engine.make_url(db).render_as_string(hide_password=True)
    except Exception:
        return db


def evaluate(
    db: str,
    questions_path: str | Path,
    out_path: str | Path,
    settings: Settings | None = None,
    limit: int | None = None,
    judge: Judge | None = None,
    show_progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> dict:
    """Run (or resume) an evaluation and return the final report (also written to ``out_path``)."""
    from tqdm import tqdm  # tqdm: only for long-running loops

    settings = (settings or Settings.from_env()).replace(max_rows=EVAL_MAX_ROWS)
    questions_path, out_path = Path(questions_path), Path(out_path)
    questions = load_questions(questions_path, limit)
    # generation errors are usually a server that was down: retry them instead of keeping the verdict
    items = [it for it in _load_report(out_path) if it.get("status") != "generation_error"]
    done = {str(it["id"]) for it in items}
    pending = [q for q in questions if str(q["id"]) not in done]
    pipeline = Pipeline(settings)
    dialect = pipeline.database(db).dialect
    model = settings.openai_model if settings.backend == "openai" else (settings.model or "gemma-3-270m (기본)")
    meta = {
        "model": model,
        "adapter": settings.adapter_path or "none",
        "backend": settings.backend,
        "db": _shown_db(db),
        "questions": str(questions_path),
        "today": settings.today or None,
        "self_correction": settings.self_correction,
        "examples_k": settings.examples_k,
        "verified_examples": len(pipeline.examples.store.list(pipeline.catalog(db).database)),
        "machine": machine_info(settings.backend),
    }

    def save() -> dict:
        report = {"summary": summarize(items, meta), "items": items}
        write_json_atomic(out_path, report)
        return report

    report = save()
    if pending:
        if log:
            log("모델과 스키마 색인을 준비하는 중…")
        pipeline.prepare(db)  # warm up so the first item's latency is not the loading time
        pipeline.generator(log)
        bar = tqdm(
            total=len(questions),
            initial=len(questions) - len(pending),
            desc="평가",
            unit="문항",
            file=sys.stderr,
            disable=not show_progress,
            dynamic_ncols=True,
        )
        with bar:
            for q in pending:
                items.append(evaluate_item(pipeline, db, q, dialect))
                report = save()
                bar.set_postfix(EX=f"{report['summary']['ex']:.3f}")
                bar.update(1)
    if judge is not None:
        report = run_judge(judge, pipeline, db, items, save, log) or report
    return report


# --- LLM-as-judge ----------------------------------------------------------------------------

JUDGE_PROMPT = (
    "당신은 SQL 검토자입니다. 아래 DDL의 테이블이 있는 데이터베이스에서, "
    "생성된 SQL이 질문을 올바르게 해결하는지 판단하세요.\n"
    "\n### DDL:\n{ddl}\n"
    "\n### 질문:\n{question}\n"
    "\n### 생성된 SQL:\n{sql}\n"
    '\nSQL이 질문을 해결하면 "yes", 해결하지 못하면 "no"입니다. 설명 없이 다음 JSON 한 줄로만 답하세요: '
    '{{"resolve_yn": "yes"}} 또는 {{"resolve_yn": "no"}}'
)


class TokenBucket:
    """At most ``rate`` requests per second on average, bursts up to ``capacity``, across threads."""

    def __init__(self, rate: float, capacity: float | None = None):
        self.rate = rate
        self.capacity = capacity or max(1.0, rate)
        self.tokens = self.capacity
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        if self.rate <= 0:
            return
        while True:
            with self.lock:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
                self.last = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.rate
            time.sleep(wait)


class JudgeError(T2SQLError):
    """The judge gave no usable answer after all tries."""


def parse_verdict(text: str) -> str:
    """'yes' or 'no' from the judge's reply (tolerates code fences and chatter around the JSON)."""
    match = re.search(r"\{.*?\}", text or "", re.S)
    if not match:
        raise ValueError("no JSON object")
    verdict = str(json.loads(match.group(0)).get("resolve_yn", "")).strip().lower()
    if verdict not in ("yes", "no"):
        raise ValueError(f"resolve_yn={verdict!r}")
    return verdict


class Judge:
    """An OpenAI-compatible chat model asked whether the SQL answers the question.

    Server errors and timeouts are retried by the SDK (``tries`` requests in all, with its backoff);
    a reply without a verdict is asked again, up to ``tries`` replies.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        concurrency: int = 4,
        rps: float = 2.0,
        tries: int = 3,
        timeout_s: float = 60.0,
    ):
        # the OpenAI SDK takes about a second to import: only a judged run pays for it
        from t2sql.generation.openai_backend import ChatServer

        if not model:
            raise T2SQLError("판정 모델 이름(--judge-model)을 지정하세요.")
        self.model, self.concurrency, self.tries = model, max(1, concurrency), max(1, tries)
        self.bucket = TokenBucket(rps)
        self.server = ChatServer(base_url, api_key, timeout_s, max_retries=self.tries - 1)

    def ask(self, ddl: str, question: str, sql: str) -> str:
        """One verdict, or ``JudgeError`` once the server failed ``tries`` times or gave that many unusable replies."""
        messages = [{"role": "user", "content": JUDGE_PROMPT.format(ddl=ddl, question=question, sql=sql)}]
        last = ""
        for _ in range(self.tries):
            self.bucket.acquire()
            try:
                reply = self.server.create(model=self.model, temperature=0, messages=messages)
            except self.server.errors as exc:  # after the SDK's own retries
                last = f"{type(exc).__name__}: {str(exc)[:200]}"
                break
            try:
                return parse_verdict(reply.choices[0].message.content)
            except (ValueError, IndexError, AttributeError, TypeError) as exc:
                last = f"{type(exc).__name__}: {str(exc)[:200]}"
        raise JudgeError(f"판정 모델이 {self.tries}번 시도 모두 답하지 못했습니다 ({last}).")

    def close(self) -> None:
        self.server.close()


def run_judge(
    judge: Judge,
    pipeline,
    db: str,
    items: list[dict],
    save: Callable[[], dict],
    log: Callable[[str], None] | None = None,
) -> dict | None:
    """Judge every item not judged yet, in parallel; the report is saved as verdicts arrive."""
    todo = [it for it in items if it.get("judge") not in ("yes", "no")]
    if not todo:
        return None
    catalog = pipeline.catalog(db)
    report = None
    if log:
        log(f"판정 모델로 {len(todo)}개 문항을 검토하는 중…")

    def one(item: dict) -> str:
        if not item["pred_sql"].strip():
            return "no"  # nothing to judge
        return judge.ask(catalog.ddl(item["tables"] or None), item["question"], item["pred_sql"])

    with ThreadPoolExecutor(judge.concurrency) as pool:
        futures = {pool.submit(one, it): it for it in todo}
        for future in as_completed(futures):
            item = futures[future]
            try:
                item["judge"], item["judge_error"] = future.result(), None
            except T2SQLError as exc:
                item["judge"], item["judge_error"] = None, str(exc)
            report = save()
    judge.close()
    return report
