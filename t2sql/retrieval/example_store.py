"""Verified question→SQL examples and business definitions per database, with a Chroma index.

The SQLite file is the source of truth: WAL journal, ``synchronous=FULL`` and one immediate
transaction per write, so a killed process never leaves a half-written row and several
processes can write at once. Chroma only holds derived vectors and re-syncs from the store
whenever the store's per-database revision differs from the one recorded in the collection.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import re
import sqlite3
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from t2sql.errors import IndexUnavailable, T2SQLError
from t2sql.fileio import write_text_atomic

if TYPE_CHECKING:  # chromadb is imported lazily at run time (~1 s)
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

SOURCES = {
    "feedback": "사용자 확인(정확해요)",
    "correction": "분석가 수정",
    "import": "가져온 파일",
    "admin": "관리 화면",
    "yaml": "스키마 yaml",
    "generated": "온보딩 연습 문제 (자동 생성·실행 검증)",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS revisions (db TEXT PRIMARY KEY, rev INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS examples (
    id INTEGER PRIMARY KEY AUTOINCREMENT, db TEXT NOT NULL, question TEXT NOT NULL, qkey TEXT NOT NULL,
    sql TEXT NOT NULL, source TEXT NOT NULL, author TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (db, qkey));
CREATE TABLE IF NOT EXISTS proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT, db TEXT NOT NULL, question TEXT NOT NULL, qkey TEXT NOT NULL,
    sql TEXT NOT NULL, source TEXT NOT NULL, author TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (db, qkey));
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, db TEXT NOT NULL, text TEXT NOT NULL, tkey TEXT NOT NULL,
    source TEXT NOT NULL, author TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (db, tkey));
"""
GENERATED = "generated"  # source of the pairs onboarding writes itself (kept apart from verified ones)
_EXAMPLE_COLS = "id, db, question, sql, source, author, created_at, updated_at"
_DOC_COLS = "id, db, text, source, author, created_at, updated_at"
TERM_BONUS = 0.3  # added to a definition's similarity when the question names its term
_PUNCT = re.compile(r"[\s?.!,~'\"`“”‘’]+")


class ExampleError(T2SQLError, ValueError):
    """A rejected example or definition; a ValueError whose Korean message can go straight to the user."""


@dataclass(frozen=True)
class Example:
    id: int
    db: str
    question: str
    sql: str
    source: str
    author: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Doc:
    id: int
    db: str
    text: str
    source: str
    author: str
    created_at: str
    updated_at: str


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)  # lines that could not be imported
    excluded: list[str] = field(default_factory=list)  # left out on purpose: they repeat a benchmark question


def normalize_question(q: str) -> str:
    """Key that treats questions differing only in spacing, punctuation or case as the same question."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", q)).lower()


def normalize_sql(sql: str) -> str:
    """Key that treats SQL differing only in whitespace, a trailing ';' or case as the same statement."""
    return " ".join(_clean_sql(sql).split()).lower()


def _clean_sql(sql: str) -> str:
    return re.sub(r"[\s;]+$", "", sql.strip())


def _doc_key(text: str) -> str:
    return " ".join(text.split())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _require(question: str, sql: str) -> None:
    if not question.strip():
        raise ExampleError("질문이 비어 있습니다. 예시로 저장할 질문을 입력하세요.")
    if not _clean_sql(sql):
        raise ExampleError("SQL이 비어 있습니다. 예시로 저장할 SQL을 입력하세요.")


class ExampleStore:
    """SQLite store of examples and docs; one connection per call, so it is safe across threads and processes."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._write() as con:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                con.execute(statement)
            con.execute("INSERT OR IGNORE INTO meta VALUES ('instance', ?)", (uuid.uuid4().hex[:12],))

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        con.execute("PRAGMA busy_timeout = 10000")
        if con.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            con.execute("PRAGMA journal_mode = WAL")  # persistent in the file; only the first opener switches
        con.execute("PRAGMA synchronous = FULL")
        return con

    @contextmanager
    def _tx(self, write: bool) -> Iterator[sqlite3.Connection]:
        """One transaction per call. Writes take the lock up front (IMMEDIATE), so concurrent writers wait
        for it instead of failing on a lock upgrade; reads see one snapshot, so a version matches its rows."""
        con = None
        try:
            con = self._connect()
            con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield con
            con.execute("COMMIT" if write else "ROLLBACK")
        except sqlite3.Error as exc:
            raise T2SQLError(
                f"검증된 예시 저장소({self.path})를 쓰거나 읽을 수 없습니다. 파일 권한과 디스크 공간을 "
                f"확인하세요: {exc}"
            ) from exc
        finally:
            if con is not None:
                if con.in_transaction:
                    con.rollback()
                con.close()

    def _read(self):
        return self._tx(write=False)

    def _write(self):
        return self._tx(write=True)

    @staticmethod
    def _bump(con: sqlite3.Connection, db: str) -> None:
        con.execute("INSERT INTO revisions VALUES (?, 1) ON CONFLICT (db) DO UPDATE SET rev = rev + 1", (db,))

    # --- examples ---------------------------------------------------------------------------

    def add(self, db: str, question: str, sql: str, source: str = "feedback", author: str = "") -> Example:
        """Save a pair; the same question saved again replaces the older SQL (corrections win)."""
        _require(question, sql)
        with self._write() as con:
            return self._upsert(con, "examples", db, question, sql, source, author)

    def _upsert(
        self, con: sqlite3.Connection, table: str, db: str, question: str, sql: str, source: str, author: str
    ) -> Example:
        now = _now()
        row = con.execute(
            f"INSERT INTO {table} (db, question, qkey, sql, source, author, created_at, updated_at)"
            f" VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (db, qkey) DO UPDATE SET question = excluded.question,"
            f" sql = excluded.sql, source = excluded.source, author = excluded.author, updated_at = excluded.updated_at"
            f" RETURNING {_EXAMPLE_COLS}",
            (db, question.strip(), normalize_question(question), _clean_sql(sql), source, author, now, now),
        ).fetchone()
        if table == "examples":
            self._bump(con, db)
        return Example(*row)

    def get(self, example_id: int) -> Example | None:
        with self._read() as con:
            row = con.execute(f"SELECT {_EXAMPLE_COLS} FROM examples WHERE id = ?", (example_id,)).fetchone()
        return Example(*row) if row else None

    def list(self, db: str) -> list[Example]:
        """Newest first."""
        with self._read() as con:
            return self._examples(con, db)

    @staticmethod
    def _examples(con: sqlite3.Connection, db: str) -> builtins.list[Example]:
        rows = con.execute(
            f"SELECT {_EXAMPLE_COLS} FROM examples WHERE db = ? ORDER BY updated_at DESC, id DESC", (db,)
        )
        return [Example(*r) for r in rows]

    def update(self, example_id: int, question: str | None = None, sql: str | None = None) -> Example:
        with self._write() as con:
            row = con.execute(f"SELECT {_EXAMPLE_COLS} FROM examples WHERE id = ?", (example_id,)).fetchone()
            if row is None:
                raise ExampleError(f"예시 #{example_id}을(를) 찾을 수 없습니다. 이미 삭제되었을 수 있습니다.")
            old = Example(*row)
            question, sql = (old.question if question is None else question), (old.sql if sql is None else sql)
            _require(question, sql)
            if con.execute(
                "SELECT 1 FROM examples WHERE db = ? AND qkey = ? AND id <> ?",
                (old.db, normalize_question(question), example_id),
            ).fetchone():
                raise ExampleError(
                    f"같은 질문의 예시가 이미 있습니다: '{question.strip()}'. "
                    "그 예시를 고치거나 지운 뒤 다시 시도하세요."
                )
            row = con.execute(
                "UPDATE examples SET question = ?, qkey = ?, sql = ?, updated_at = ? "
                f"WHERE id = ? RETURNING {_EXAMPLE_COLS}",
                (question.strip(), normalize_question(question), _clean_sql(sql), _now(), example_id),
            ).fetchone()
            self._bump(con, old.db)
        return Example(*row)

    def delete(self, example_id: int, db: str | None = None) -> bool:
        """Remove a pair; with ``db`` only when it belongs to that database."""
        return self._delete("examples", example_id, db)

    def _delete(self, table: str, row_id: int, db: str | None) -> bool:
        with self._write() as con:
            row = con.execute(
                f"DELETE FROM {table} WHERE id = ? AND (? IS NULL OR db = ?) RETURNING db", (row_id, db, db)
            ).fetchone()
            if row:
                self._bump(con, row[0])
        return row is not None

    # --- proposals: users' pairs waiting for an admin ------------------------------------------
    # A business user's "정확해요" or fixed SQL steers nobody's prompt until an admin approves it.

    def propose(self, db: str, question: str, sql: str, source: str = "feedback", author: str = "") -> Example:
        """Queue a pair for review; the same question proposed again replaces the older one."""
        _require(question, sql)
        with self._write() as con:
            return self._upsert(con, "proposals", db, question, sql, source, author)

    def proposals(self, db: str) -> builtins.list[Example]:
        """Oldest first (the review queue)."""
        with self._read() as con:
            rows = con.execute(f"SELECT {_EXAMPLE_COLS} FROM proposals WHERE db = ? ORDER BY id", (db,))
            return [Example(*r) for r in rows]

    def approve(self, proposal_id: int, db: str) -> Example:
        """Move a proposal into the verified examples (its source and author kept)."""
        with self._write() as con:
            row = con.execute(
                f"DELETE FROM proposals WHERE id = ? AND db = ? RETURNING {_EXAMPLE_COLS}", (proposal_id, db)
            ).fetchone()
            if row is None:
                raise ExampleError(f"검토 요청 #{proposal_id}을(를) 찾을 수 없습니다. 이미 처리되었을 수 있습니다.")
            pair = Example(*row)
            return self._upsert(con, "examples", db, pair.question, pair.sql, pair.source, pair.author)

    def reject(self, proposal_id: int, db: str) -> Example | None:
        """Drop a proposal; returns it (None when it was already handled)."""
        with self._write() as con:
            row = con.execute(
                f"DELETE FROM proposals WHERE id = ? AND db = ? RETURNING {_EXAMPLE_COLS}", (proposal_id, db)
            ).fetchone()
        return Example(*row) if row else None

    # --- business definitions ---------------------------------------------------------------

    def add_doc(self, db: str, text: str, source: str = "admin", author: str = "") -> Doc:
        """Save a definition; the same text (up to whitespace) is stored once."""
        if not text.strip():
            raise ExampleError("정의 내용이 비어 있습니다. 저장할 설명을 입력하세요.")
        now = _now()
        with self._write() as con:
            row = con.execute(
                f"SELECT {_DOC_COLS} FROM docs WHERE db = ? AND tkey = ?", (db, _doc_key(text))
            ).fetchone()
            if row is None:
                row = con.execute(
                    f"INSERT INTO docs (db, text, tkey, source, author, created_at, updated_at)"
                    f" VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {_DOC_COLS}",
                    (db, text.strip(), _doc_key(text), source, author, now, now),
                ).fetchone()
                self._bump(con, db)
        return Doc(*row)

    def docs(self, db: str) -> builtins.list[Doc]:
        with self._read() as con:
            return self._docs(con, db)

    @staticmethod
    def _docs(con: sqlite3.Connection, db: str) -> builtins.list[Doc]:
        rows = con.execute(f"SELECT {_DOC_COLS} FROM docs WHERE db = ? ORDER BY updated_at DESC, id DESC", (db,))
        return [Doc(*r) for r in rows]

    def delete_doc(self, doc_id: int, db: str | None = None) -> bool:
        """Remove a definition; with ``db`` only when it belongs to that database."""
        return self._delete("docs", doc_id, db)

    # --- versions, export, import -----------------------------------------------------------

    def version(self, db: str) -> str:
        """Store instance + revision counter, so a re-created file never repeats an old version."""
        with self._read() as con:
            return self._version(con, db)

    @staticmethod
    def _version(con: sqlite3.Connection, db: str) -> str:
        instance = con.execute("SELECT value FROM meta WHERE key = 'instance'").fetchone()[0]
        rev = con.execute("SELECT rev FROM revisions WHERE db = ?", (db,)).fetchone()
        return f"{instance}-{rev[0] if rev else 0}"

    def snapshot(self, db: str) -> tuple[str, builtins.list[Example], builtins.list[Doc]]:
        """Version, examples and docs read in one transaction (for the index)."""
        with self._read() as con:
            return self._version(con, db), self._examples(con, db), self._docs(con, db)

    def to_jsonl(self, db: str, context_for: Callable[[str], str] | None = None) -> str:
        """The examples oldest first, one JSON line each; with ``context_for`` each line is also a training record."""
        lines = []
        for ex in sorted(self.list(db), key=lambda e: e.id):
            record = {
                "id": f"{db}-ex-{ex.id}",
                "db_id": db,
                "question": ex.question,
                "sql": ex.sql,
                "difficulty": "unknown",
                "order_matters": False,
                "source": ex.source,
                "created_at": ex.created_at,
            }
            if context_for is not None:
                record.update(context=context_for(ex.sql), answer=ex.sql)
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
        return "".join(lines)

    def export_jsonl(self, db: str, path: Path, context_for: Callable[[str], str] | None = None) -> int:
        """``to_jsonl`` written atomically; returns the number of examples."""

        text = self.to_jsonl(db, context_for)
        write_text_atomic(Path(path), text)
        return text.count("\n")

    def import_pairs(self, db: str, pairs: Sequence[dict], source: str = "import") -> ImportReport:
        """Add or correct ``{"question", "sql"}`` pairs in one transaction (all or nothing on a crash)."""
        report = ImportReport()
        with self._write() as con:
            for pair in pairs:
                question, sql = pair["question"].strip(), _clean_sql(pair["sql"])
                now, key = _now(), normalize_question(question)
                old = con.execute("SELECT id, sql FROM examples WHERE db = ? AND qkey = ?", (db, key)).fetchone()
                if old is None:
                    con.execute(
                        "INSERT INTO examples (db, question, qkey, sql, source, author, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, '', ?, ?)",
                        (db, question, key, sql, source, now, now),
                    )
                    report.added += 1
                elif normalize_sql(old[1]) == normalize_sql(sql):
                    report.skipped += 1
                else:
                    con.execute(
                        "UPDATE examples SET question = ?, sql = ?, source = ?, updated_at = ? WHERE id = ?",
                        (question, sql, source, now, old[0]),
                    )
                    report.updated += 1
            if report.added or report.updated:
                self._bump(con, db)
        return report

    def replace_generated(self, db: str, pairs: Sequence[dict], source: str = GENERATED) -> int:
        """Swap the database's generated pairs (onboarding practice) for ``pairs`` in one transaction.

        Pairs from people are never touched: a generated pair whose question one of them already
        asks is left out. Returns how many were stored."""
        added = 0
        with self._write() as con:
            con.execute("DELETE FROM examples WHERE db = ? AND source = ?", (db, source))
            taken = {r[0] for r in con.execute("SELECT qkey FROM examples WHERE db = ?", (db,))}
            now = _now()
            for pair in pairs:
                key = normalize_question(pair["question"])
                if key in taken:
                    continue
                taken.add(key)
                con.execute(
                    "INSERT INTO examples (db, question, qkey, sql, source, author, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, 'onboarding', ?, ?)",
                    (db, pair["question"].strip(), key, _clean_sql(pair["sql"]), source, now, now),
                )
                added += 1
            self._bump(con, db)
        return added


def read_pairs(path: Path) -> tuple[list[dict], list[str]]:
    """``{"line", "question", "sql"}`` from a JSONL file (``answer`` accepted for ``sql``), and Korean
    messages naming the lines that could not be read."""
    pairs, errors = [], []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExampleError(f"예시 파일을 읽을 수 없습니다 ({path}): {exc}") from exc
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{number}번째 줄: JSON 형식이 아닙니다 ({exc.msg}).")
            continue
        question = record.get("question") if isinstance(record, dict) else None
        sql = (record.get("sql") or record.get("answer")) if isinstance(record, dict) else None
        if not (isinstance(question, str) and isinstance(sql, str) and question.strip() and _clean_sql(sql)):
            errors.append(f"{number}번째 줄: question과 sql(또는 answer) 항목이 필요합니다.")
            continue
        pairs.append({"line": number, "question": question.strip(), "sql": _clean_sql(sql)})
    return pairs, errors


class _Synced(NamedTuple):
    client: ClientAPI
    version: str
    examples: Collection  # Chroma collection of example questions
    docs: Collection  # Chroma collection of definitions
    by_id: dict[int, Example]  # the store's examples at that version


class ExampleIndex:
    """Chroma collections per database (examples and docs), re-synced from the store when its version moves."""

    def __init__(self, store: ExampleStore, client_provider: Callable[[], ClientAPI], embedder):
        self.store = store
        self.client_provider = client_provider
        self.embedder = embedder
        self._lock = threading.Lock()
        self._yaml: dict[str, tuple[str, ...]] = {}  # db -> yaml docs of its last sync
        self._synced: dict[str, _Synced] = {}

    @staticmethod
    def _names(db: str) -> tuple[str, str]:
        digest = hashlib.sha1(db.encode()).hexdigest()[:16]
        return f"examples_{digest}", f"docs_{digest}"

    def sync(self, db: str, yaml_docs: Sequence[str] | None = None) -> _Synced:
        """Bring both collections in line with the store; ``None`` keeps the yaml docs of the last sync.

        Per question this costs one small version read; the rows are read only when the version moved.
        """
        with self._lock:
            yaml = self._yaml.get(db, ()) if yaml_docs is None else tuple(yaml_docs)
            self._yaml[db] = yaml
            yaml_hash = hashlib.sha1(json.dumps(yaml, ensure_ascii=False).encode()).hexdigest()[:12]
            client = self.client_provider()
            cached = self._synced.get(db)
            if cached and cached.client is client and cached.version == f"{self.store.version(db)}-{yaml_hash}":
                return cached
            version, examples, docs = self.store.snapshot(db)
            version += f"-{yaml_hash}"
            try:
                colls = []
                for name, wanted in zip(
                    self._names(db),
                    (
                        {str(e.id): e.question for e in examples},
                        {**{f"doc-{d.id}": d.text for d in docs}, **{f"yaml-{n}": t for n, t in enumerate(yaml)}},
                    ),
                ):
                    coll = client.get_or_create_collection(
                        name,
                        embedding_function=self.embedder,
                        metadata={"database": db},
                        configuration={"hnsw": {"space": "cosine"}},
                    )
                    if (coll.metadata or {}).get("version") != version or coll.count() != len(wanted):
                        self._reconcile(coll, wanted)
                        coll.modify(metadata={"database": db, "version": version})
                    colls.append(coll)
            except Exception as exc:
                raise IndexUnavailable(
                    f"검증된 예시 색인(Chroma)을 맞출 수 없습니다 ({db}). 예시는 그대로 보관되어 있으니 "
                    f"잠시 후 다시 시도하세요: {exc}"
                ) from exc
            example_coll, doc_coll = colls
            self._synced[db] = _Synced(client, version, example_coll, doc_coll, {e.id: e for e in examples})
            return self._synced[db]

    @staticmethod
    def _reconcile(coll, wanted: dict[str, str]) -> None:
        """Embed only what changed: delete ids no longer in the store, upsert new or edited texts."""
        have = coll.get(include=["documents"])
        current = dict(zip(have["ids"], have["documents"]))
        stale = [i for i in current if i not in wanted]
        if stale:
            coll.delete(ids=stale)
        fresh = [i for i, text in wanted.items() if current.get(i) != text]
        for start in range(0, len(fresh), 64):
            part = fresh[start : start + 64]
            coll.upsert(ids=part, documents=[wanted[i] for i in part])

    def _query(self, coll, question: str, n: int) -> list[tuple[str, float, str]]:
        """(id, similarity, text) best first; nothing to search gives []."""
        try:
            n = min(n, coll.count())
            if n <= 0:
                return []
            res = coll.query(query_texts=[question], n_results=n, include=["distances", "documents"])
        except Exception as exc:
            raise IndexUnavailable(f"검증된 예시 색인 검색에 실패했습니다. 잠시 후 다시 시도하세요: {exc}") from exc
        return [(i, 1.0 - d, t) for i, d, t in zip(res["ids"][0], res["distances"][0], res["documents"][0])]

    def similar(self, db: str, question: str, k: int = 3, min_similarity: float = 0.5) -> list[tuple[Example, float]]:
        """Up to k stored pairs most like the question, at most one per distinct SQL."""
        synced = self.sync(db)
        found, seen = [], set()
        for example_id, score, _ in self._query(synced.examples, question, max(4 * k, 10)):
            example = synced.by_id.get(int(example_id))
            if score < min_similarity or example is None or normalize_sql(example.sql) in seen:
                continue
            seen.add(normalize_sql(example.sql))
            found.append((example, score))
            if len(found) >= k:
                break
        return found

    def relevant_docs(
        self, db: str, question: str, k: int = 3, min_similarity: float = 0.3, yaml_docs: Sequence[str] = ()
    ) -> list[str]:
        """Definitions (stored and from the yaml) most related to the question, best first.

        A short definition embeds poorly next to a question, so one whose defined term
        ("매출 = …") the question names gets ``TERM_BONUS`` on top of its similarity.
        """
        synced = self.sync(db, yaml_docs)
        asked = normalize_question(question)
        scored = [
            (s + TERM_BONUS * any(t in asked for t in _terms(text)), text)
            for _, s, text in self._query(synced.docs, question, 1000)
        ]
        return [text for s, text in sorted(scored, key=lambda x: -x[0]) if s >= min_similarity][:k]


def _terms(doc: str) -> list[str]:
    """Defined terms of "term (alias) = meaning": ["term", "alias"], normalised like questions."""
    head = re.split(r"[=:]", doc, maxsplit=1)[0]
    if head == doc or len(head) > 40:
        return []
    return [t for t in map(normalize_question, re.split(r"[()（）/,]", head)) if len(t) >= 2]
