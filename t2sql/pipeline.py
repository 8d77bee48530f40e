"""Question -> retrieved schema -> prompt -> SQL -> guard -> read-only result.

``Pipeline`` owns the per-process caches (databases, catalogs, the schema index, the model)
so the CLI and every Streamlit session share them. All failures surface as ``T2SQLError``
with a Korean message; nothing here is UI code.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from . import guard
from .catalog import Catalog, build_catalog, load_annotations
from .dates import parse_today, resolve_relative_dates
from .errors import T2SQLError
from .execution import Database, Result, open_database, resolve_url
from .prompt import build_prompt, extract_sql
from .settings import Settings

Progress = Callable[[str], None]


@dataclass
class Draft:
    """A generated (not yet run) query."""

    question: str
    sql: str
    raw: str
    tables: list[str]
    prompt: str
    latency_ms: float
    resolved_question: str = ""  # the question as the model saw it (relative dates made absolute)


@dataclass
class Answer:
    question: str
    sql: str = ""
    tables: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    truncated: bool = False
    limit_added: bool = False
    error: str | None = None
    latency_ms: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "question": self.question, "sql": self.sql, "tables": self.tables, "columns": self.columns,
            "rows": [list(r) for r in self.rows], "truncated": self.truncated, "limit_added": self.limit_added,
            "error": self.error, "latency_ms": round(self.latency_ms, 1), "timings": self.timings,
        }


class Pipeline:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        self._lock = threading.Lock()
        self._catalogs: dict[str, Catalog] = {}
        self._index = None

    # --- cached components -------------------------------------------------------------
    def database(self, db: str, progress: Progress | None = None) -> Database:
        return open_database(resolve_url(db, self.settings, progress), self.settings.query_timeout_s)

    def catalog(self, db: str, progress: Progress | None = None) -> Catalog:
        """Introspected once per database per process (``refresh`` re-reads it)."""
        database = self.database(db, progress)
        with self._lock:
            if database.url not in self._catalogs:
                if progress:
                    progress("데이터베이스 구조를 읽는 중…")
                annotations = load_annotations(self.settings.schema_dir, database.label)
                self._catalogs[database.url] = build_catalog(
                    database, annotations, self.settings.sample_values, self.settings.sensitive_patterns
                )
            return self._catalogs[database.url]

    def refresh(self, db: str) -> None:
        with self._lock:
            self._catalogs.pop(self.database(db).url, None)

    @property
    def index(self):
        with self._lock:
            if self._index is None:
                from .retrieval import SchemaIndex

                self._index = SchemaIndex(self.settings)
            return self._index

    def generator(self, progress: Progress | None = None):
        from .generation import get_generator

        return get_generator(self.settings, progress)

    def prepare(self, db: str, progress: Progress | None = None) -> Catalog:
        """Open, introspect and index a database (re-indexes only when the schema changed)."""
        catalog = self.catalog(db, progress)
        self.index.sync(catalog, (lambda frac, msg: progress(msg)) if progress else None)
        return catalog

    # --- the steps -----------------------------------------------------------------------
    def retrieve(self, db: str, question: str) -> list[str]:
        catalog = self.prepare(db)
        return self.index.retrieve(question, catalog).tables

    def prompt_for(self, db: str, question: str) -> tuple[str, list[str]]:
        tables = self.retrieve(db, question)
        return build_prompt(self.catalog(db).ddl(tables), question), tables

    def generate(self, db: str, question: str, progress: Progress | None = None,
                 on_text: Callable[[str], None] | None = None) -> Draft:
        """Write SQL for the question; ``on_text`` sees the output grow token by token."""
        question = validate_question(question)
        started = time.perf_counter()
        resolved = resolve_relative_dates(question, parse_today(self.settings.today))
        prompt, tables = self.prompt_for(db, resolved)
        generator = self.generator(progress)
        if progress:
            progress(f"참고할 테이블: {', '.join(tables)}")
        raw = ""
        for piece in generator.stream(prompt):
            raw += piece
            if on_text:
                on_text(raw)
        elapsed = (time.perf_counter() - started) * 1000
        return Draft(question, extract_sql(raw), raw, tables, prompt, elapsed, resolved)

    def run(self, db: str, sql: str) -> tuple[guard.Approved, Result]:
        """Guard, then run exactly the approved SQL on the read-only connection."""
        database = self.database(db)
        approved = guard.check(sql, database.dialect, self.settings.max_rows)
        return approved, database.run(approved.sql, self.settings.max_rows, self.settings.query_timeout_s)

    def ask(self, db: str, question: str, progress: Progress | None = None) -> Answer:
        """Whole pipeline; errors are reported in ``Answer.error`` rather than raised."""
        started = time.perf_counter()
        answer = Answer(question)
        try:
            draft = self.generate(db, question, progress)
            answer.sql, answer.tables = draft.sql, draft.tables
            answer.timings["generate_ms"] = round(draft.latency_ms, 1)
            approved, result = self.run(db, draft.sql)
            answer.sql, answer.limit_added = approved.sql, approved.limit_added
            answer.columns, answer.rows, answer.truncated = result.columns, result.rows, result.truncated
            answer.timings["execute_ms"] = round(result.elapsed_ms, 1)
        except T2SQLError as exc:
            answer.error = str(exc)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer


MAX_QUESTION_CHARS = 1000


def validate_question(question: str) -> str:
    """Reject input no model call can help with, before spending seconds on it."""
    text = (question or "").strip()
    if not text:
        raise T2SQLError("질문을 입력하세요.")
    if len(text) > MAX_QUESTION_CHARS:
        raise T2SQLError(f"질문이 너무 깁니다 ({len(text):,}자). {MAX_QUESTION_CHARS:,}자 이내로 줄여 주세요.")
    if not any(ch.isalnum() for ch in text):
        raise T2SQLError("질문에 글자나 숫자가 없습니다. 알고 싶은 내용을 문장으로 적어 주세요.")
    return text
