"""Question -> retrieved schema, examples and definitions -> prompt -> SQL -> guard -> read-only result.

``solve`` adds self-correction: SQL that is refused, fails, times out or filters on a value the
user never said (``grounding``) is repaired with the problem fed back, or replaced by the first of
several sampled alternatives without one.

``Pipeline`` owns the per-process caches (databases, catalogs, the schema index, the model)
so the CLI and every Streamlit session share them. All failures surface as ``T2SQLError``
with a Korean message; nothing here is UI code.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from t2sql.audit import AuditLog
from t2sql.db.catalog import Catalog, build_catalog, load_annotations
from t2sql.db.engine import Database, Result, open_database, resolve_url
from t2sql.db.registry import served_databases
from t2sql.db.results import hollow
from t2sql.errors import GuardRefusal, T2SQLError
from t2sql.fixes import Fix, apply_fixes, finder, misused_measures
from t2sql.generation.base import Constraint, get_generator
from t2sql.generation.queue import Turnstile
from t2sql.guard import grounding, sensitive
from t2sql.guard import statement as guard
from t2sql.guard.statement import tables_read
from t2sql.onboard import Artifacts
from t2sql.onboard.annotate import merge, name_hints, quiet_samples
from t2sql.onboard.linking import name_sql_columns, place, prune, schema_links
from t2sql.onboard.vocabulary import load_glossary
from t2sql.present.notices import draft_notices, repair_note
from t2sql.progress import Progress
from t2sql.prompt import Failure, Shot, build_prompt, extract_sql
from t2sql.question.dates import parse_today, resolve_relative_dates
from t2sql.question.intake import check_question
from t2sql.retrieval.example_store import GENERATED, ExampleIndex, ExampleStore, read_pairs
from t2sql.retrieval.overlap import load_questions, overlaps
from t2sql.settings import Settings

STRATEGIES = ("candidates", "repair", "off")
BUSY_NOTICE = "다른 질문이 모델을 기다리고 있어 자동 수정을 건너뛰었습니다."
HOLLOW = "결과가 비어 있습니다(행이 없거나, NULL 또는 0 하나뿐)."
FOLLOW_UP_CHAIN = 3  # a chain of follow-ups keeps its last three questions (bounded prompt context)


def doubt(sql: str, rows: list[tuple], catalog: Catalog) -> str | None:
    """Why SQL that ran still looks wrong, or None: it calculates with a key or text (no business question
    asks for the sum of an identifier), or its result is ``hollow`` (a question almost never asks for nothing)."""
    if columns := misused_measures(sql, catalog):
        return f"측정값이 아닌 열({', '.join(columns)}: 키나 텍스트)로 합계·평균이나 계산을 하고 있습니다."
    return HOLLOW if hollow(rows) else None


@dataclass
class Draft:
    """Generated SQL, and after ``solve`` the outcome of running it (``checked`` or ``error``)."""

    question: str
    sql: str
    raw: str
    tables: list[str]
    prompt: str
    latency_ms: float
    resolved_question: str = ""  # the question as the model saw it (relative dates made absolute)
    notices: list[str] = field(default_factory=list)  # things the user should know (Korean)
    examples: list[Shot] = field(default_factory=list)  # verified examples the prompt carried
    docs: list[str] = field(default_factory=list)  # business definitions the prompt carried
    previous: Shot | None = None  # the conversation turn it follows up on
    failures: list[Failure] = field(default_factory=list)  # earlier SQL that was refused or failed (self-correction)
    error: T2SQLError | None = None  # why the final SQL still does not run (after ``solve``)
    checked: tuple | None = None  # (approved, result) of the check run (after ``solve``)
    unsaid: list[str] = field(default_factory=list)  # text values in the SQL that nobody said (after ``solve``)
    values: list[str] = field(default_factory=list)  # stored values the question names (value linking)
    constrained: bool = False  # decoded under the schema grammar
    fixes: list[Fix] = field(default_factory=list)  # changes made to the model's SQL before it ran (``fixes``)
    doubt: str | None = None  # why SQL that ran looks wrong (Korean; after ``solve``, with ``retry_doubtful``)

    @property
    def from_model(self) -> bool:
        """The SQL came from the model (not typed by the user as a question)."""
        return bool(self.prompt)

    @property
    def problem(self) -> str | None:
        """Why this SQL should not be shown as the answer as it is (Korean), or None."""
        if self.error is not None:
            return str(self.error)
        if self.unsaid:
            return grounding.describe(self.unsaid)
        return self.doubt

    @property
    def said(self) -> str:
        """Everything the user (and the business definitions) said: where the SQL's values must come from."""
        return " ".join(
            [
                self.question,
                self.resolved_question,
                self.previous.question if self.previous else "",
                *self.docs,
                *self.values,
            ]
        )

    @property
    def turn_question(self) -> str:
        """The question this SQL answers, readable on its own: a follow-up carries the (bounded) chain
        it refines. Saved with a verified pair and passed on as the next turn of the conversation."""
        asked = self.resolved_question or self.question
        if self.previous is None:
            return asked
        return ", ".join([*self.previous.question.split(", ")[-(FOLLOW_UP_CHAIN - 1) :], asked])


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
    notices: list[str] = field(default_factory=list)  # things the user should know (Korean)
    error: str | None = None
    repairs: int = 0  # SQL attempts that failed before the final one (self-correction)
    latency_ms: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "sql": self.sql,
            "tables": self.tables,
            "columns": self.columns,
            "rows": [list(r) for r in self.rows],
            "truncated": self.truncated,
            "limit_added": self.limit_added,
            "masked": self.masked,
            "notices": self.notices,
            "error": self.error,
            "repairs": self.repairs,
            "latency_ms": round(self.latency_ms, 1),
            "timings": self.timings,
        }


class Pipeline:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        self._lock = threading.Lock()
        self._catalogs: dict[str, Catalog] = {}
        self._artifacts: dict[str, Artifacts] = {}
        self._index = None
        self._examples = None
        # Every session shares one model: a bounded line in front of it (a server takes a few at once).
        self.turnstile = Turnstile(self.settings.generation_queue, 4 if self.settings.backend == "openai" else 1)
        self.audit = AuditLog(self.settings.audit_path, self.settings.audit_max_mb)

    # --- cached components -------------------------------------------------------------
    def database(self, db: str, progress: Progress | None = None) -> Database:
        return open_database(
            resolve_url(db, self.settings, progress), self.settings.query_timeout_s, self.settings.db_memory_limit
        )

    def catalog(self, db: str, progress: Progress | None = None) -> Catalog:
        """Introspected once per database per process (``refresh`` re-reads it)."""
        database = self.database(db, progress)
        generated = self.artifacts(db).annotations if self.settings.onboard_annotations else {}
        with self._lock:
            if database.url not in self._catalogs:
                if progress:
                    progress("데이터베이스 구조를 읽는 중…")
                annotations = load_annotations(self.settings.schema_dir, database.label)
                annotations = merge(generated, annotations)  # a human yaml wins over onboarding's, field by field
                served = served_databases(self.settings.databases_file).get(db.strip())
                if served:  # the databases file fills in what the yaml leaves out
                    annotations = {
                        **{k: v for k in ("description", "sensitive_policy") if (v := getattr(served, k))},
                        **annotations,
                    }
                catalog = build_catalog(
                    database, annotations, self.settings.sample_values, self.settings.sensitive_patterns
                )
                if generated:
                    quiet_samples(catalog, annotations)
                if self.settings.name_hints:
                    name_hints(catalog, load_glossary())
                self._catalogs[database.url] = catalog
            return self._catalogs[database.url]

    def refresh(self, db: str) -> None:
        database = self.database(db)
        with self._lock:
            self._catalogs.pop(database.url, None)
            self._artifacts.pop(database.label, None)

    def artifacts(self, db: str) -> Artifacts:
        """What onboarding left for this database (annotations, value index, adapter); empty parts if none."""
        label = self.database(db).label
        with self._lock:
            if label not in self._artifacts:
                self._artifacts[label] = Artifacts.load(self.settings.data_dir, label)
            return self._artifacts[label]

    @property
    def index(self):
        with self._lock:
            if self._index is None:
                from t2sql.retrieval.schema_index import SchemaIndex  # chromadb: ~0.6 s, kept off the `sql` path

                self._index = SchemaIndex(self.settings)
            return self._index

    @property
    def examples(self):
        """Verified examples and business definitions (SQLite) with their Chroma index (same client as the schema)."""
        index = self.index
        with self._lock:
            if self._examples is None:
                self._examples = ExampleIndex(
                    ExampleStore(self.settings.examples_path), lambda: index.client, index.embedder
                )
            return self._examples

    def generator(self, progress: Progress | None = None, db: str | None = None):
        """The shared model, or the database's own adapter once onboarding trained one."""
        settings = self.settings
        if db is not None and settings.onboard_adapter and settings.backend == "transformers":
            adapter = self.artifacts(db).adapter
            if adapter:
                settings = settings.replace(adapter=adapter)
        return get_generator(settings, progress)

    def prepare(self, db: str, progress: Progress | None = None) -> Catalog:
        """Open, introspect and index a database (re-indexes only when the schema changed)."""
        catalog = self.catalog(db, progress)
        self.index.sync(catalog, (lambda frac, msg: progress(msg)) if progress else None)
        return catalog

    # --- the steps -----------------------------------------------------------------------
    def retrieve(self, db: str, question: str, previous: Shot | None = None) -> list[str]:
        """Tables for the prompt; a follow-up keeps the tables of the SQL it refines first."""
        catalog = self.prepare(db)
        if previous is None:
            return self.index.retrieve(question, catalog).tables
        kept = tables_read(previous.sql, catalog)
        found = self.index.retrieve(f"{previous.question} {question}", catalog).tables
        return list(dict.fromkeys(kept + found))[: max(self.settings.max_prompt_tables, len(kept))]

    def context(self, db: str, question: str) -> tuple[list[Shot], list[str]]:
        """Verified examples and business definitions similar to the question."""
        settings, catalog = self.settings, self.catalog(db)
        docs = self.examples.relevant_docs(catalog.database, question, settings.docs_k, yaml_docs=catalog.docs)
        if settings.examples_k <= 0:
            return [], docs
        k = settings.examples_k if settings.generated_examples else 3 * settings.examples_k
        found = self.examples.similar(catalog.database, question, k, settings.examples_min_similarity)
        if not settings.generated_examples:
            found = [(e, s) for e, s in found if e.source != GENERATED][: settings.examples_k]
        return [
            Shot(e.question, e.sql) for e, _score in reversed(found)
        ], docs  # the most similar right before the question

    def prompt_for(
        self, db: str, question: str, previous: Shot | None = None, failed: Failure | None = None
    ) -> tuple[str, list[str], list[Shot], list[str], list[str]]:
        """The prompt, and what went into it: tables, examples, definitions and linked values."""
        catalog = self.catalog(db)
        tables = self.retrieve(db, question, previous)
        examples, docs = self.context(db, question)
        shown: dict[str, set[str]] = {}  # the columns the prompt's own SQL reads, per table
        name_sql_columns(shown, [shot.sql for shot in [*examples, *([previous] if previous else [])]], catalog)
        for table in shown:  # a similar verified pair also knows which tables such a question needs
            if table not in tables and len(tables) < self.settings.max_prompt_tables:
                tables.append(table)
        keep, values = self.link(db, question, tables, shown)
        prompt = build_prompt(
            catalog.ddl(tables, keep),
            question,
            docs=docs,
            examples=examples,
            previous=previous,
            failed=failed,
            values=values,
        )
        return prompt, tables, examples, docs, values

    def link(
        self, db: str, question: str, tables: list[str], shown: dict[str, set[str]] | None = None
    ) -> tuple[dict[str, set[str]], list[str]]:
        """Onboarding's linking for one question: the columns to show per wide table (with the ``shown``
        columns the prompt's examples and previous turn read), and the stored values the question names.
        Tables that hold a linked value or a named column join ``tables`` (in place) while there is room."""
        settings, catalog, found = self.settings, self.catalog(db), self.artifacts(db)
        if not found.annotations and found.values is None:
            return {}, []
        glossary = load_glossary()
        links = found.values.link(question, glossary) if settings.value_linking and found.values else []
        named = schema_links(question, catalog, found.annotations, glossary) if found.annotations else {}
        for table, columns in (shown or {}).items():
            named.setdefault(table, set()).update(columns)
        links = place(links, tables, settings.max_prompt_tables)
        for table in [t for t, cols in named.items() if cols]:
            if table not in tables and len(tables) < settings.max_prompt_tables:
                tables.append(table)
        keep = (
            prune(catalog, found.annotations, tables, named, links)
            if settings.prune_columns and found.annotations
            else {}
        )
        return keep, [v.render() for v in links]

    def generate(
        self,
        db: str,
        question: str,
        progress: Progress | None = None,
        on_text: Callable[[str], None] | None = None,
        on_wait: Callable[[int], None] | None = None,
        previous: Shot | None = None,
        failed: Failure | None = None,
        constrained: bool = True,
    ) -> Draft:
        """Write SQL for the question; ``on_text`` sees the output grow token by token.

        ``on_wait(n)`` is told how many questions are ahead while this one waits for the shared
        model (only when that number changes). ``previous`` is the conversation turn a follow-up
        question refines; ``failed`` is SQL that did not run, with its error, to be repaired.
        """
        intake = check_question(question)
        started = time.perf_counter()
        if intake.sql:  # the user typed SQL: hand it to the editor, no model needed
            return Draft(intake.text, intake.sql, intake.sql, [], "", 0.0, intake.text, list(intake.notices))
        resolved = resolve_relative_dates(intake.text, parse_today(self.settings.today))
        prompt, tables, examples, docs, values = self.prompt_for(db, resolved, previous, failed)
        generator = self.generator(progress, db)
        if progress:
            progress(f"참고할 테이블: {', '.join(tables)}" + (f" · 검증된 예시 {len(examples)}개" if examples else ""))
        raw = ""
        constraint = self.constraint(db, tables) if constrained else None
        with self.turnstile.enter(on_wait):
            for piece in generator.stream(prompt, constraint):
                raw += piece
                if on_text:
                    on_text(raw)
        elapsed = (time.perf_counter() - started) * 1000
        return Draft(
            intake.text,
            extract_sql(raw),
            raw,
            tables,
            prompt,
            elapsed,
            resolved,
            list(intake.notices),
            examples,
            docs,
            previous,
            values=values,
            constrained=constraint is not None,
        )

    def constraint(self, db: str, tables: list[str]) -> Constraint | None:
        """Schema-constrained decoding over the prompt's tables (``grammar``), when it is available."""
        if self.settings.grammar == "off" or not tables:
            return None
        if self.settings.backend == "transformers" and importlib.util.find_spec("xgrammar") is None:
            return None
        return Constraint(self.catalog(db), tuple(tables))

    def solve(
        self,
        db: str,
        question: str,
        session: str = "cli",
        progress: Progress | None = None,
        on_text: Callable[[str], None] | None = None,
        on_wait: Callable[[int], None] | None = None,
        previous: Shot | None = None,
        strategy: str | None = None,
    ) -> Draft:
        """Generate, check the SQL by running it read-only, and self-correct when it has a ``problem``
        (refused, failed, or a filter value nobody said).

        ``repair`` regenerates with the SQL and its problem in the prompt (at most ``max_repairs``
        rounds); ``candidates`` samples alternatives in one call and keeps the first without a
        problem. SQL that runs is never replaced by SQL that does not. Earlier attempts are kept in
        ``Draft.failures`` so the UI can show them; values still unsaid become a notice. While another
        question holds or waits for the model, the extra generations are skipped (with a notice).
        """
        strategy = strategy or self.settings.self_correction
        if strategy not in STRATEGIES:
            raise T2SQLError(
                f"자동 수정 방식 '{strategy}'을(를) 알 수 없습니다. T2SQL_SELF_CORRECTION을 "
                f"{', '.join(STRATEGIES)} 중 하나로 설정하세요."
            )
        started = time.perf_counter()
        draft = self.generate(db, question, progress, on_text, on_wait, previous)
        if not draft.from_model:
            return draft
        self._check(db, draft, session)
        if strategy == "repair":
            first = draft
            for _ in range(self.settings.max_repairs):
                if draft.problem is None or self._shed(draft):
                    break
                failed = Failure(draft.sql, draft.problem)
                if progress:
                    progress(f"SQL을 고치는 중… ({failed.error[:80]})")
                fixed = self.generate(db, question, progress, on_text, on_wait, previous, failed)
                fixed.failures = [*draft.failures, failed]
                draft = fixed
                self._check(db, draft, session)
            if draft.error is not None and first.error is None:  # repairs broke SQL that ran: keep the first
                draft = first
        elif strategy == "candidates" and draft.problem is not None and not self._shed(draft):
            draft = self._candidates(db, draft, session, progress, on_wait)
        if (
            draft.problem is not None
            and draft.constrained
            and self.settings.backend == "transformers"
            and not self._shed(draft)
        ):
            # the grammar may not express the answer: try once without (a server may ignore the grammar anyway)
            free = self.generate(db, question, progress, on_text, on_wait, previous, constrained=False)
            self._check(db, free, session)
            if free.problem is None or (free.error is None and draft.error is not None):
                free.failures = [*draft.failures, Failure(draft.sql, draft.problem)]
                draft = free
        if draft.unsaid:
            draft.notices.append(f"{grounding.describe(draft.unsaid)} 모델이 지어낸 조건일 수 있으니 SQL을 확인하세요.")
        elif draft.doubt:
            draft.notices.append(f"{draft.doubt} 질문과 맞는지 SQL을 확인하세요.")
        draft.latency_ms = (time.perf_counter() - started) * 1000
        return draft

    def _shed(self, draft: Draft) -> bool:
        """Under load, self-correction's extra generations would make everyone in line wait longer:
        skip them while another question holds or waits for the model. The notice tells the user and
        keeps the answer shed, so no later step runs what the notice says was skipped."""
        if any(n.startswith(BUSY_NOTICE) for n in draft.notices):
            return True
        others = sum(self.turnstile.load())
        if others:
            draft.notices.append(f"{BUSY_NOTICE} (대기 중인 질문 {others}개) SQL을 확인하거나 잠시 후 다시 물어보세요.")
        return others > 0

    def _check(self, db: str, draft: Draft, session: str) -> None:
        """Run the draft's SQL (guard, policy, read-only limits, audit); record the result or the error,
        and the values in it that nobody said. The model's SQL is repaired first where a known mistake
        can be fixed without the model (``fixes``: a forgotten join, a value compared with the wrong column)."""
        draft.error = draft.checked = None
        draft.unsaid, draft.fixes, draft.doubt = [], [], None
        if not draft.sql:
            draft.error = T2SQLError("모델이 SQL을 만들지 못했습니다.")
            return
        if self.settings.fix_sql and draft.from_model:
            catalog, limit = self.catalog(db), self.settings.query_timeout_s
            find = finder(lambda sql: self.database(db).run(sql, 1, limit).rows, catalog.dialect)
            draft.sql, draft.fixes = apply_fixes(draft.sql, catalog, find)
        try:
            draft.checked = self.run(db, draft.sql, session)
        except T2SQLError as exc:
            draft.error = exc
        else:
            draft.unsaid = grounding.ungrounded_values(draft.sql, draft.said, self.catalog(db).dialect)
            if self.settings.retry_doubtful:
                draft.doubt = doubt(draft.sql, draft.checked[1].rows, self.catalog(db))

    def _candidates(
        self, db: str, draft: Draft, session: str, progress: Progress | None, on_wait: Callable[[int], None] | None
    ) -> Draft:
        """Execution-guided decoding: sample alternatives for the same prompt and keep the first without a
        problem; failing that, the first that runs (the original first)."""
        problem = draft.problem
        assert problem is not None  # solve() asks for candidates only when the draft has a problem
        if progress:
            progress(f"SQL에 문제가 있어 대안 {self.settings.candidates}개를 만들어 시험하는 중… ({problem[:80]})")
        try:
            with self.turnstile.enter(on_wait):
                constraint = self.constraint(db, draft.tables) if draft.constrained else None
                texts = self.generator(db=db).sample(draft.prompt, self.settings.candidates, constraint)
        except T2SQLError as exc:  # no alternatives (busy line, a server without sampling): keep the first answer
            draft.notices.append(f"대안 SQL을 만들지 못했습니다: {exc}")
            return draft
        tried = {draft.sql, extract_sql(draft.raw)}  # the first SQL as fixed and as the model wrote it
        failures = [Failure(draft.sql, problem)]
        runs = draft if draft.error is None else None
        for text in texts:
            sql = extract_sql(text)
            if not sql or sql in tried:
                continue
            tried.add(sql)
            candidate = replace(draft, sql=sql, raw=text, failures=list(failures), notices=list(draft.notices))
            self._check(db, candidate, session)
            if candidate.problem is None:
                return candidate
            if runs is None and candidate.error is None:
                runs = candidate
            failures.append(Failure(sql, candidate.problem))
        if runs is not None:
            return runs
        draft.failures = failures[1:]  # none ran: keep the first SQL, list the alternatives tried
        return draft

    def save_example(
        self, db: str, question: str, sql: str, source: str, author: str = "", session: str = "cli", ran: bool = False
    ):
        """Store a verified pair. The SQL must pass the guard and run: it is run here unless the caller
        has just run it (``ran``), so an unverifiable pair is never stored."""
        if not ran:
            self.run(db, sql, session)
        return self.examples.store.add(self.catalog(db).database, question, sql, source, author)

    def propose_example(self, db: str, question: str, sql: str, source: str, session: str = "cli", ran: bool = False):
        """A user's pair queued for an admin (verified like a saved one; it steers no prompt yet)."""
        if not ran:
            self.run(db, sql, session)
        proposal = self.examples.store.propose(self.catalog(db).database, question, sql, source, session)
        self._audit(
            session, self.database(db), proposal.sql, "proposed", reason=f"검토 요청 #{proposal.id}: {question}"
        )
        return proposal

    def review_example(self, db: str, proposal_id: int, approve: bool, session: str = "cli"):
        """An admin's decision on a proposal, written to the audit log; the approved pair is returned."""
        store, database = self.examples.store, self.catalog(db).database
        pair = store.approve(proposal_id, database) if approve else store.reject(proposal_id, database)
        if pair:
            self._audit(
                session,
                self.database(db),
                pair.sql,
                "approved" if approve else "rejected",
                reason=f"검토 요청 #{proposal_id} ({pair.author}): {pair.question}",
            )
        return pair if approve else None

    def keep_pair(
        self, db: str, question: str, sql: str, source: str, user: str, admin: bool, ran: bool = False
    ) -> str:
        """A user's good pair: an admin's is verified at once, anyone else's waits for an admin.
        Returns what happened, for the user."""
        if admin:
            self.save_example(db, question, sql, source, user, user, ran=ran)
            return "검증된 예시로 저장했습니다. 비슷한 질문에 참고합니다."
        self.propose_example(db, question, sql, source, user, ran=ran)
        return "관리자에게 검토를 요청했습니다. 승인되면 비슷한 질문에 참고합니다."

    def correction(
        self, db: str, question: str, wrong_sql: str | None, ran_sql: str, user: str, admin: bool
    ) -> str | None:
        """After the user marked ``wrong_sql`` wrong and then ran an edited SQL: keep the edit as a
        correction (it has just run). None when nothing was corrected."""
        if not wrong_sql or not question or ran_sql.strip() == wrong_sql.strip():
            return None
        return self.keep_pair(db, question, ran_sql, "correction", user, admin, ran=True)

    def proposals(self, db: str) -> list:
        return self.examples.store.proposals(self.catalog(db).database)

    def stored_examples(self, db: str) -> list:
        """Every stored pair of the database: verified ones and onboarding's generated ones."""
        return self.examples.store.list(self.catalog(db).database)

    def delete_example(self, db: str, example_id: int, session: str = "cli") -> None:
        database = self.catalog(db).database
        pair = next((e for e in self.examples.store.list(database) if e.id == example_id), None)
        self.examples.store.delete(example_id, database)
        if pair:
            self._audit(session, self.database(db), pair.sql, "deleted", reason=f"예시 #{example_id}: {pair.question}")

    def definitions(self, db: str) -> list:
        """The team's business definitions (the yaml's own are ``catalog.docs``)."""
        return self.examples.store.docs(self.catalog(db).database)

    def add_definition(self, db: str, text: str, session: str = "cli"):
        return self.examples.store.add_doc(self.catalog(db).database, text, "admin", session)

    def delete_definition(self, db: str, doc_id: int, session: str = "cli") -> None:
        self.examples.store.delete_doc(doc_id, self.catalog(db).database)

    def update_example(self, db: str, example_id: int, question: str, sql: str, session: str = "cli"):
        """Edit a stored pair; the new SQL must run, like a new one."""
        self.run(db, sql, session)
        return self.examples.store.update(example_id, question, sql)

    def import_examples(self, db: str, path: Path, disjoint_from: Path | None = None, progress: Progress | None = None):
        """Pairs from a JSONL file; each SQL must pass the guard and run. With ``disjoint_from`` (an
        eval file) pairs that repeat one of its questions are left out, so a benchmark stays honest."""

        catalog = self.catalog(db)
        pairs, errors = read_pairs(path)
        skipped = len(errors)
        outcomes, rows = self._outcomes(db, "import")

        held = load_questions(disjoint_from) if disjoint_from else []
        overlap = overlaps(pairs, held, catalog.dialect, self.index.embedder, rows)
        kept, excluded = [], []
        for i, pair in enumerate(pairs):
            if i in overlap:
                excluded.append(f"{pair['line']}번째 줄: 평가 질문과 겹쳐 건너뜀 ({overlap[i]})")
            elif rows(pair["sql"]) is None:
                errors.append(f"{pair['line']}번째 줄: SQL이 실행되지 않아 건너뜀: {outcomes[pair['sql']]}")
            else:
                kept.append(pair)
        if progress and held:
            progress(f"평가 질문 {len(held)}개와 겹치는 예시 {len(overlap)}개를 제외했습니다.")
        report = self.examples.store.import_pairs(catalog.database, kept)
        report.skipped += skipped + len(pairs) - len(kept)
        report.errors, report.excluded = errors + report.errors, excluded
        return report

    def example_overlaps(self, db: str, eval_file: Path) -> list[tuple]:
        """(stored example, reason) for each stored pair, generated ones included, that repeats a question
        of ``eval_file``: the same SQL, a near-identical question, or the same result."""

        stored = self.examples.store.list(self.catalog(db).database)
        _, rows = self._outcomes(db, "overlap")
        found = overlaps(
            [{"question": e.question, "sql": e.sql} for e in stored],
            load_questions(eval_file),
            self.catalog(db).dialect,
            self.index.embedder,
            rows,
        )
        return [(stored[i], why) for i, why in sorted(found.items())]

    def _outcomes(self, db: str, session: str) -> tuple[dict[str, list | T2SQLError], Callable[[str], list | None]]:
        """Each SQL run once, through the guard, policy and audit: the outcomes by SQL, and
        ``rows(sql)`` (its rows, or None when it was refused or failed)."""
        outcomes: dict[str, list | T2SQLError] = {}

        def rows(sql: str) -> list | None:
            if sql not in outcomes:
                try:
                    outcomes[sql] = self.run(db, sql, session)[1].rows
                except T2SQLError as exc:
                    outcomes[sql] = exc
            found = outcomes[sql]
            return None if isinstance(found, T2SQLError) else found

        return outcomes, rows

    def export_examples(self, db: str, path: Path) -> int:
        """Verified pairs as JSONL: the eval format plus ``context``/``answer``, so it also trains the next adapter."""
        return self.examples.store.export_jsonl(self.catalog(db).database, path, self._ddl_for(db))

    def examples_jsonl(self, db: str) -> bytes:
        """The same export as bytes (for a download button)."""
        return self.examples.store.to_jsonl(self.catalog(db).database, self._ddl_for(db)).encode()

    def _ddl_for(self, db: str) -> Callable[[str], str]:
        """SQL -> the DDL of the tables it reads (the ``context`` of a training record)."""
        catalog = self.catalog(db)
        return lambda sql: catalog.ddl(tables_read(sql, catalog))

    def run(self, db: str, sql: str, session: str = "cli") -> tuple[guard.Approved, Result]:
        """Guard, sensitive-column policy, then exactly the approved SQL on the read-only connection.

        Every outcome (ran, refused, failed) is written to the audit log.
        """
        database = self.database(db)
        started = time.perf_counter()
        try:
            approved = guard.check(sql, database.dialect, self.settings.max_rows, tables=self.catalog(db).tables)
            exposure = self.exposure(db, approved.sql)
            result = database.run(
                approved.sql, self.settings.max_rows, self.settings.query_timeout_s, self.settings.max_result_mb
            )
        except T2SQLError as exc:
            refused = isinstance(exc, GuardRefusal)
            self._audit(
                session,
                database,
                sql,
                "refused" if refused else "error",
                reason=str(exc),
                duration_ms=None if refused else (time.perf_counter() - started) * 1000,
            )
            raise
        positions = exposure.positions(len(result.columns))
        if positions:
            result = replace(
                result,
                rows=sensitive.mask_rows(result.rows, positions),
                masked=tuple(result.columns[i] for i in positions if i < len(result.columns)),
            )
        self._audit(
            session,
            database,
            approved.sql,
            "ok",
            rows=len(result.rows),
            duration_ms=result.elapsed_ms,
            reason=f"masked: {', '.join(result.masked)}" if result.masked else "",
        )
        return approved, result

    def _audit(self, session: str, database: Database, sql: str, status: str, **fields) -> None:
        """No query outcome goes unrecorded: a log that cannot be written stops the request."""
        try:
            self.audit.record(session=session, database=database.label, sql=sql, status=status, **fields)
        except OSError as exc:
            raise T2SQLError(
                f"감사 로그({self.audit.path})를 기록할 수 없어 요청을 처리하지 않았습니다. "
                f"디스크 공간과 권한을 확인하세요: {exc}"
            ) from exc

    def exposure(self, db: str, sql: str) -> sensitive.Exposure:
        """Which output columns carry sensitive values; raises ``GuardRefusal`` under the ``block`` policy."""
        catalog = self.catalog(db)
        found = sensitive.analyse(
            sql,
            catalog.dialect,
            sensitive.catalog_schema(catalog),
            sensitive.sensitive_columns(catalog),
            self.settings.sensitive_allow_counts,
        )
        sensitive.enforce(found, catalog.sensitive_policy or self.settings.sensitive_policy)
        return found

    def ask(
        self,
        db: str,
        question: str,
        progress: Progress | None = None,
        session: str = "cli",
        previous: Shot | None = None,
    ) -> Answer:
        """Whole pipeline with self-correction; errors are reported in ``Answer.error`` rather than raised."""
        started = time.perf_counter()
        answer = Answer(question)
        try:
            draft = self.solve(db, question, session, progress, previous=previous)
            answer.sql, answer.tables = draft.sql, draft.tables
            answer.timings["generate_ms"] = round(draft.latency_ms, 1)
            answer.repairs = len(draft.failures)
            answer.notices = draft_notices(draft) + [note for note in [repair_note(draft)] if note]
            if draft.error is not None:
                raise draft.error
            approved, result = draft.checked or self.run(db, draft.sql, session)  # typed SQL was not checked
            answer.sql, answer.limit_added = approved.sql, approved.limit_added
            answer.columns, answer.rows, answer.truncated = result.columns, result.rows, result.truncated
            answer.masked = list(result.masked)
            answer.timings["execute_ms"] = round(result.elapsed_ms, 1)
        except T2SQLError as exc:
            answer.error = str(exc)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer
