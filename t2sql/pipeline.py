"""Question -> retrieved schema -> prompt -> SQL -> guard -> read-only result.

``Pipeline`` owns the per-process caches (databases, catalogs, the schema index, the model)
so the CLI and every Streamlit session share them. All failures surface as ``T2SQLError``
with a Korean message; nothing here is UI code.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from . import guard, sensitive
from .audit import AuditLog
from .catalog import Catalog, build_catalog, load_annotations
from .dates import parse_today, resolve_relative_dates
from .errors import GuardRefusal, T2SQLError
from .execution import Database, Result, open_database, resolve_url
from .generation import Turnstile
from .intake import check_question
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
    notices: list[str] = field(default_factory=list)  # things the user should know (Korean)


@dataclass
class Answer:
    question: str
    sql: str = ""
    tables: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    truncated: bool = False
    limit_added: bool = False
    masked: list[str] = field(default_factory=list)  # columns whose values were masked
    error: str | None = None
    latency_ms: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "question": self.question, "sql": self.sql, "tables": self.tables, "columns": self.columns,
            "rows": [list(r) for r in self.rows], "truncated": self.truncated, "limit_added": self.limit_added,
            "masked": self.masked, "error": self.error, "latency_ms": round(self.latency_ms, 1), "timings": self.timings,
        }


class Pipeline:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        self._lock = threading.Lock()
        self._catalogs: dict[str, Catalog] = {}
        self._index = None
        # Every session shares one model: a bounded line in front of it (a server takes a few at once).
        self.turnstile = Turnstile(self.settings.generation_queue, 4 if self.settings.backend == "openai" else 1)
        self.audit = AuditLog(self.settings.audit_path, self.settings.audit_max_mb)

    # --- cached components -------------------------------------------------------------
    def database(self, db: str, progress: Progress | None = None) -> Database:
        return open_database(resolve_url(db, self.settings, progress), self.settings.query_timeout_s,
                             self.settings.db_memory_limit)

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
                 on_text: Callable[[str], None] | None = None,
                 on_wait: Callable[[int], None] | None = None) -> Draft:
        """Write SQL for the question; ``on_text`` sees the output grow token by token.

        ``on_wait(n)`` is told how many questions are ahead while this one waits for the shared
        model (only when that number changes).
        """
        intake = check_question(question)
        started = time.perf_counter()
        if intake.sql:  # the user typed SQL: hand it to the editor, no model needed
            return Draft(intake.text, intake.sql, intake.sql, [], "", 0.0, intake.text, list(intake.notices))
        resolved = resolve_relative_dates(intake.text, parse_today(self.settings.today))
        prompt, tables = self.prompt_for(db, resolved)
        generator = self.generator(progress)
        if progress:
            progress(f"참고할 테이블: {', '.join(tables)}")
        raw = ""
        with self.turnstile.enter(on_wait):
            for piece in generator.stream(prompt):
                raw += piece
                if on_text:
                    on_text(raw)
        elapsed = (time.perf_counter() - started) * 1000
        return Draft(intake.text, extract_sql(raw), raw, tables, prompt, elapsed, resolved, list(intake.notices))

    def run(self, db: str, sql: str, session: str = "cli") -> tuple[guard.Approved, Result]:
        """Guard, sensitive-column policy, then exactly the approved SQL on the read-only connection.

        Every outcome (ran, refused, failed) is written to the audit log.
        """
        database = self.database(db)
        started = time.perf_counter()
        try:
            approved = guard.check(sql, database.dialect, self.settings.max_rows)
            exposure = self.exposure(db, approved.sql)
            result = database.run(approved.sql, self.settings.max_rows, self.settings.query_timeout_s,
                                  self.settings.max_result_mb)
        except T2SQLError as exc:
            refused = isinstance(exc, GuardRefusal)
            self._audit(session, database, sql, "refused" if refused else "error", reason=str(exc),
                        duration_ms=None if refused else (time.perf_counter() - started) * 1000)
            raise
        positions = exposure.positions(len(result.columns))
        if positions:
            result = replace(result, rows=sensitive.mask_rows(result.rows, positions),
                             masked=tuple(result.columns[i] for i in positions if i < len(result.columns)))
        self._audit(session, database, approved.sql, "ok", rows=len(result.rows), duration_ms=result.elapsed_ms,
                    reason=f"masked: {', '.join(result.masked)}" if result.masked else "")
        return approved, result

    def _audit(self, session: str, database: Database, sql: str, status: str, **fields) -> None:
        """No query outcome goes unrecorded: a log that cannot be written stops the request."""
        try:
            self.audit.record(session=session, database=database.label, sql=sql, status=status, **fields)
        except OSError as exc:
            raise T2SQLError(
                f"감사 로그({self.audit.path})를 기록할 수 없어 요청을 처리하지 않았습니다. 디스크 공간과 권한을 확인하세요: {exc}"
            ) from exc

    def exposure(self, db: str, sql: str) -> sensitive.Exposure:
        """Which output columns carry sensitive values; raises ``GuardRefusal`` under the ``block`` policy."""
        catalog = self.catalog(db)
        found = sensitive.analyse(sql, catalog.dialect, sensitive.catalog_schema(catalog),
                                  sensitive.sensitive_columns(catalog), self.settings.sensitive_allow_counts)
        policy = catalog.sensitive_policy or self.settings.sensitive_policy
        try:
            sensitive.enforce(found, policy)
        except ValueError as exc:
            raise T2SQLError(
                f"개인정보 정책 '{policy}'을(를) 알 수 없습니다. T2SQL_SENSITIVE_POLICY 또는 {catalog.database}.yaml의 "
                "sensitive_policy를 mask 또는 block으로 설정하세요."
            ) from exc
        return found

    def ask(self, db: str, question: str, progress: Progress | None = None, session: str = "cli") -> Answer:
        """Whole pipeline; errors are reported in ``Answer.error`` rather than raised."""
        started = time.perf_counter()
        answer = Answer(question)
        try:
            draft = self.generate(db, question, progress)
            answer.sql, answer.tables = draft.sql, draft.tables
            answer.timings["generate_ms"] = round(draft.latency_ms, 1)
            approved, result = self.run(db, draft.sql, session)
            answer.sql, answer.limit_added = approved.sql, approved.limit_added
            answer.columns, answer.rows, answer.truncated = result.columns, result.rows, result.truncated
            answer.masked = list(result.masked)
            answer.timings["execute_ms"] = round(result.elapsed_ms, 1)
        except T2SQLError as exc:
            answer.error = str(exc)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer
