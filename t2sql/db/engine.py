"""Read-only database access: resolve a database name, open it read-only, run one bounded query.

The guard already proved the SQL is one read query; this module does not rely on that. It
treats every statement as hostile and makes the connection itself harmless, because a
"read-only" connection alone is not: read-only SQLite and DuckDB connections can still ATTACH
(and so create) files, create TEMP objects, change settings and, for DuckDB, DETACH the
database for every other connection; psycopg2 runs every statement of a ``;``-separated string.

* Exactly one statement per call, checked by the engine's own parser where it has one: DuckDB's
  ``extract_statements`` (one statement, of type SELECT), SQLite's own one-statement rule, and
  for PostgreSQL a small fail-closed scanner plus a server-side cursor (``DECLARE ... CURSOR
  FOR`` accepts nothing but a query without data-modifying CTEs).
* DuckDB: ``read_only``, external access off (no files, URLs or extensions), configuration
  locked, a memory limit, no spill files; each query runs on a fresh ``duplicate()`` of the
  pooled connection, so temp objects, variables and session settings die with it.
* SQLite: ``mode=ro`` + ``query_only``, no attached databases (limit 0), and an authorizer that
  allows reads, recursive CTEs, functions except file/extension ones, and schema-introspection
  pragmas: everything else (writes, TEMP objects, ATTACH, PRAGMA assignments, transactions) is
  denied when the statement is compiled.
* PostgreSQL: read-only transactions that are always rolled back, a statement timeout, and
  ``DISCARD ALL`` when a connection returns to the pool (advisory locks, prepared statements,
  session settings). A superuser can still read server files (``pg_read_file``) in a read-only
  transaction: production should connect as a role without superuser or ``pg_read_server_files``.
* Bounds: a time limit that really cancels the statement, a row cap, and a cap on the memory the
  fetched rows take (``Result.truncated_reason`` says which one cut the result).

This module imports no model code so the ``sql`` CLI path starts fast.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa

from t2sql.db import demo
from t2sql.db.registry import served_databases
from t2sql.db.sandbox import Job, Sandbox
from t2sql.errors import DatabaseUnavailable, QueryError, QueryTimeout, T2SQLError
from t2sql.settings import Settings
from t2sql.sqltext import DIALECTS

DUCKDB_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "python_enable_replacements": False,  # a table name must never resolve to a Python variable
    "temp_directory": "",  # never spill to disk: no file may appear next to the database
    "allow_persistent_secrets": False,  # no secret store on disk
    "lock_configuration": True,
}

# SQLite authorizer tables: what a statement may do while it is compiled.
SQLITE_ALLOWED_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE})
# Functions that reach files, extensions or memory addresses (most are absent from Python's
# build; denied anyway in case a custom build or an extension provides them).
SQLITE_DENIED_FUNCTIONS = frozenset(
    {
        "load_extension",
        "readfile",
        "writefile",
        "edit",
        "fts3_tokenizer",
        "fsdir",
        "zipfile",
        "sqlar_compress",
        "sqlar_uncompress",
        "shell",
        "system",
    }
)
# Pragmas that only read the schema (SQLAlchemy's inspector uses them), with any argument.
SQLITE_INTROSPECTION_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
    }
)
# Pragmas that may be read but never assigned (``PRAGMA query_only`` yes, ``= 0`` no);
# SQLAlchemy reads read_uncommitted on first connect.
SQLITE_STATUS_PRAGMAS = frozenset({"database_list", "query_only", "read_uncommitted"})

FETCH_CHUNK = 500  # rows fetched per round trip while the row and size caps are checked
_pg_cursor_ids = itertools.count(1)
_LINE_END = re.compile(r"[\r\n]")

MSG_ONE_STATEMENT = "SQL 문은 한 번에 하나만 실행할 수 있습니다."
MSG_ONLY_SELECT = "읽기 전용 조회(SELECT)만 실행할 수 있습니다."
MSG_TIMEOUT = "쿼리가 제한 시간({:g}초)을 넘어 취소되었습니다. 조건을 더 좁혀 보세요."
MSG_OUT_OF_MEMORY = "쿼리가 메모리 한도를 넘어 중단되었습니다. 조건을 좁히거나 집계해서 결과를 줄여 보세요."
MSG_FAILED = "데이터베이스가 쿼리를 실행하지 못했습니다: {}"
TRUNCATION_MESSAGES = {
    "rows": "결과가 {max_rows}행을 넘어 처음 {shown}행만 보여 줍니다.",
    "size": "결과가 메모리 한도({max_mb:g}MB)를 넘어 처음 {shown}행만 보여 줍니다.",
}


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple]
    truncated: bool  # more rows existed than were returned
    elapsed_ms: float
    truncated_reason: str | None = None  # "rows" (the row cap) or "size" (the memory cap); None when complete
    max_rows: int = 0
    max_result_mb: float = 0.0
    masked: tuple[str, ...] = ()  # output columns whose values were masked (sensitive data)

    @property
    def truncation_message(self) -> str:
        """A Korean sentence for the UI explaining why rows are missing; "" when complete."""
        template = TRUNCATION_MESSAGES.get(self.truncated_reason or "")
        if not template:
            return ""
        return template.format(max_rows=self.max_rows, max_mb=self.max_result_mb, shown=len(self.rows))

    def to_frame(self):
        """A pandas DataFrame with unique column names (``a.id, b.id`` -> ``id, id_2``)."""
        import pandas as pd  # pandas: kept off the start-up path of `sql`

        seen: dict[str, int] = {}
        names = []
        for col in self.columns:
            seen[col] = seen.get(col, 0) + 1
            names.append(col if seen[col] == 1 else f"{col}_{seen[col]}")
        return pd.DataFrame(self.rows, columns=names)


def resolve_url(db: str, settings: Settings, progress=None) -> str:
    """A sample name (``shop``), a name from the databases file, a file path or any SQLAlchemy URL
    -> a SQLAlchemy URL.

    Sample databases are built on first use so a fresh checkout works at once.
    """

    db = db.strip()
    served = served_databases(settings.databases_file)
    if db in served:
        return served[db].url
    if db in demo.SAMPLE_NAMES:
        path = demo.sample_path(settings.sample_dir, db)
        if not path.exists():
            demo.build_samples(settings.sample_dir, [db], progress=progress)
        return f"duckdb:///{path}"
    if "://" in db:
        return db
    suffix = Path(db).suffix.lower()
    if suffix in (".duckdb", ".ddb"):
        return f"duckdb:///{Path(db).resolve()}"
    if suffix in (".sqlite", ".sqlite3", ".db"):
        return f"sqlite:///{Path(db).resolve()}"
    raise DatabaseUnavailable(
        f"'{db}'은(는) 알 수 없는 데이터베이스입니다. 샘플 이름({', '.join(demo.SAMPLE_NAMES)}) "
        "또는 SQLAlchemy URL(sqlite:///경로, duckdb:///경로, postgresql://…)을 입력하세요."
    )


def database_label(url: str) -> str:
    """A short name for a URL without credentials (for index names, logs and the UI)."""
    parsed = sa.engine.make_url(url)
    if parsed.database and parsed.get_backend_name() in ("duckdb", "sqlite"):
        return Path(parsed.database).stem
    return parsed.render_as_string(hide_password=True)


class Database:
    """One read-only database behind a SQLAlchemy engine; safe to share between threads."""

    def __init__(self, url: str, timeout_s: float = 10.0, memory_limit: str = "2GB"):
        try:
            parsed = sa.engine.make_url(url)
        except Exception as exc:
            raise DatabaseUnavailable(f"데이터베이스 URL 형식이 올바르지 않습니다: {url}") from exc
        self.url = url
        self.backend = parsed.get_backend_name()
        if self.backend not in DIALECTS:
            raise DatabaseUnavailable(
                f"지원하지 않는 데이터베이스 종류입니다: {self.backend}. "
                "DuckDB, SQLite, PostgreSQL을 사용할 수 있습니다."
            )
        self.dialect = DIALECTS[self.backend]
        self.label = database_label(url)
        self.timeout_s = timeout_s
        self.memory_limit = memory_limit
        self.engine = _ENGINE_FACTORIES[self.backend](parsed, timeout_s, memory_limit)
        self._check_connection()

    def _check_connection(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1").fetchall()
        except Exception as exc:
            raise DatabaseUnavailable(f"데이터베이스에 연결할 수 없습니다 ({self.label}): {_short(exc)}") from exc

    def run(
        self, sql: str, max_rows: int = 1000, timeout_s: float | None = None, max_result_mb: float = 50.0
    ) -> Result:
        """Run exactly one read statement in a query worker (``sandbox``): OS limits on memory and
        CPU, a deadline enforced by killing the worker, and the row and size caps of ``run_here``."""
        timeout_s = self.timeout_s if timeout_s is None else timeout_s
        return pool().run(Job(self.url, sql, max_rows, timeout_s, max_result_mb, self.memory_limit))

    def run_here(
        self, sql: str, max_rows: int = 1000, timeout_s: float | None = None, max_result_mb: float = 50.0
    ) -> Result:
        """Run exactly one read statement in this process with a time limit, a row cap and a
        result-size cap (what a worker does; ``run`` is the entry point for user queries).

        The statement is expected to be guard-approved, but nothing here depends on it: anything
        other than one read query is refused or made harmless by the connection (module doc).
        """
        timeout_s = self.timeout_s if timeout_s is None else timeout_s
        max_bytes = max_result_mb * 1024 * 1024
        started = time.perf_counter()
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            try:
                with _statement_cursor(self.backend, raw, sql) as (cursor, cancel):
                    timer = threading.Timer(timeout_s, _quietly, args=(cancel,))
                    timer.start()
                    try:
                        cursor.execute(sql)
                        rows, reason = _fetch_bounded(cursor, max_rows, max_bytes)
                        columns = [d[0] for d in cursor.description or ()]
                    finally:
                        timer.cancel()
            except T2SQLError:
                raise
            except Exception as exc:
                if _is_timeout(exc) or time.perf_counter() - started >= timeout_s:
                    raise QueryTimeout(MSG_TIMEOUT.format(timeout_s)) from exc
                if isinstance(exc, MemoryError) or "out of memory" in _short(exc).lower():  # SQLite: MemoryError
                    raise QueryError(MSG_OUT_OF_MEMORY) from exc
                raise QueryError(MSG_FAILED.format(_short(exc))) from exc
            finally:
                _end_transaction(self.backend, raw)
        elapsed_ms = (time.perf_counter() - started) * 1000
        return Result(columns, rows, reason is not None, elapsed_ms, reason, max_rows, max_result_mb)

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, timeout_s: float = 10.0, memory_limit: str = "2GB") -> Database:
    """One ``Database`` per URL per process (DuckDB allows one configuration per file per process)."""
    return _open_database(url, float(timeout_s), memory_limit)


@lru_cache(maxsize=32)
def _open_database(url: str, timeout_s: float, memory_limit: str) -> Database:
    return Database(url, timeout_s, memory_limit)


# --- Running one statement -------------------------------------------------------------------


@contextmanager
def _statement_cursor(backend: str, raw, sql: str) -> Iterator[tuple[Any, Callable[[], None]]]:
    """A cursor on which ``sql`` may run as one read statement, and the call that cancels it.

    The cursor is the driver's own DB-API cursor (DuckDB, sqlite3 or psycopg), hence ``Any``.

    Refuses (QueryError) what the backend's own parser shows is not a single read statement.
    """
    if backend == "duckdb":
        _check_duckdb_statement(raw, sql)
        cursor = raw.duplicate()  # a fresh connection: its temp catalog and settings die with it
        cancel = cursor.interrupt
    elif backend == "sqlite":
        cursor = raw.cursor()  # sqlite3 itself refuses a second statement; the authorizer the rest
        cancel = raw.interrupt
    else:
        if not _single_postgres_statement(sql):
            raise QueryError(MSG_ONE_STATEMENT)
        # A named cursor is sent as DECLARE ... CURSOR FOR <sql>: the server accepts only a query
        # there (no COPY, SET, COMMIT, or data-modifying CTE), and rows are fetched in chunks.
        cursor = raw.cursor(name=f"t2sql_query_{next(_pg_cursor_ids)}")
        cancel = raw.cancel
    try:
        yield cursor, cancel
    finally:
        _quietly(cursor.close)


def _check_duckdb_statement(raw, sql: str) -> None:
    """DuckDB's own parser must see exactly one statement, and it must be a query."""

    try:
        statements = raw.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(MSG_FAILED.format(_short(exc))) from exc
    if len(statements) != 1:
        raise QueryError(MSG_ONE_STATEMENT)
    # MULTI: a PIVOT without an IN list, which DuckDB runs as a query for the pivot values, then the pivot.
    if statements[0].type not in (duckdb.StatementType.SELECT, duckdb.StatementType.MULTI):
        raise QueryError(MSG_ONLY_SELECT)


def _fetch_bounded(cursor, max_rows: int, max_bytes: float) -> tuple[list[tuple], str | None]:
    """Fetch in chunks until the rows run out, ``max_rows`` is passed, or ``max_bytes`` would be.

    Returns the rows kept and why fetching stopped early ("rows" / "size"), or None.
    """
    rows: list[tuple] = []
    size = 0
    while chunk := cursor.fetchmany(FETCH_CHUNK):
        for row in chunk:
            if len(rows) >= max_rows:
                return rows, "rows"
            row = tuple(row)
            size += _approx_bytes(row)
            if size > max_bytes:
                return rows, "size"
            rows.append(row)
    return rows, None


def _approx_bytes(row: tuple) -> int:
    """Python memory one fetched row takes (the tuple and its values)."""
    return sys.getsizeof(row) + sum(sys.getsizeof(value) for value in row)


def _end_transaction(backend: str, raw) -> None:
    """Roll back whatever the statement began (DuckDB's per-query connection is already closed)."""
    if backend != "duckdb":
        _quietly(raw.rollback)


def _quietly(action: Callable[[], object]) -> None:
    """Cancel/close/rollback on a best-effort basis: the statement may have just finished."""
    try:
        action()
    except Exception:
        pass


def _single_postgres_statement(sql: str) -> bool:
    """Whether PostgreSQL would see at most one statement in ``sql`` (fails closed).

    psycopg2 sends text with the simple-query protocol, which runs every ``;``-separated
    statement, so ``SELECT 1; COMMIT; SET ...; DELETE ...`` must never reach it. The scanner
    skips quoted strings and identifiers and (nested) comments; dollar quotes and backslash
    escapes are where a small scanner could disagree with the server, so with either present
    any ``;`` before the end is refused.
    """
    body = sql.rstrip().rstrip(";")
    if ";" in body and ("$" in body or "\\" in body):
        return False
    i, n = 0, len(sql)
    ended = False  # a top-level ';' was seen: only whitespace, comments and more ';' may follow
    while i < n:
        ch, pair = sql[i], sql[i : i + 2]
        if pair == "--":  # to the end of the line; the server ends it at \r as well as \n
            end = _LINE_END.search(sql, i)
            i = n if end is None else end.end()
        elif pair == "/*":
            i = _skip_block_comment(sql, i)
            if i < 0:
                return False
        elif ch.isspace():
            i += 1
        elif ch == ";":
            ended, i = True, i + 1
        elif ended:
            return False
        elif ch in "'\"":
            i = _skip_quoted(sql, i)
            if i < 0:
                return False
        else:
            i += 1
    return True


def _skip_quoted(sql: str, i: int) -> int:
    """Index after the '...' or "..." starting at ``i`` (doubled quotes escape); -1 if unterminated."""
    quote = sql[i]
    i += 1
    while True:
        end = sql.find(quote, i)
        if end < 0:
            return -1
        if sql[end + 1 : end + 2] == quote:
            i = end + 2
            continue
        return end + 1


def _skip_block_comment(sql: str, i: int) -> int:
    """Index after the /* ... */ starting at ``i``; PostgreSQL nests them. -1 if unterminated."""
    depth, i = 0, i
    while i < len(sql):
        pair = sql[i : i + 2]
        if pair == "/*":
            depth, i = depth + 1, i + 2
        elif pair == "*/":
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        else:
            i += 1
    return -1


# --- Engines ---------------------------------------------------------------------------------


def _duckdb_engine(url: sa.engine.URL, timeout_s: float, memory_limit: str) -> sa.Engine:
    path = _existing_file(url)
    config = {**DUCKDB_CONFIG, "memory_limit": memory_limit}
    return sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True, "config": config})


def _sqlite_engine(url: sa.engine.URL, timeout_s: float, memory_limit: str) -> sa.Engine:
    path = _existing_file(url)
    uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"

    def connect():
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only = ON")
        if hasattr(conn, "enable_load_extension"):
            conn.enable_load_extension(False)
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)  # no ATTACH, not even VACUUM INTO's
        conn.set_authorizer(_sqlite_authorizer)  # last: the setup above needs its pragma
        return conn

    return sa.create_engine("sqlite://", creator=connect, poolclass=sa.pool.QueuePool)


def _sqlite_authorizer(
    action: int, arg1: str | None, arg2: str | None, db_name: str | None, trigger: str | None
) -> int:
    """Allow reads, recursive CTEs, harmless functions and read-only pragmas; deny the rest."""
    if action in SQLITE_ALLOWED_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:  # arg2 is the function name
        return sqlite3.SQLITE_DENY if (arg2 or "").lower() in SQLITE_DENIED_FUNCTIONS else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:  # arg1 is the pragma, arg2 its argument or value
        name = (arg1 or "").lower()
        if name in SQLITE_INTROSPECTION_PRAGMAS or (name in SQLITE_STATUS_PRAGMAS and arg2 is None):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _postgres_engine(url: sa.engine.URL, timeout_s: float, memory_limit: str) -> sa.Engine:
    options = f"-c default_transaction_read_only=on -c statement_timeout={int(timeout_s * 1000)}"
    engine = sa.create_engine(url, connect_args={"options": options, "connect_timeout": 5}, pool_pre_ping=True)
    sa.event.listen(engine, "checkin", _discard_postgres_session)
    return engine


def _discard_postgres_session(dbapi_connection, connection_record) -> None:
    """Back in the pool: drop session state a statement may have left (advisory locks, prepared
    statements, LISTEN, settings); the startup options (read-only, timeout) stay in force."""
    if dbapi_connection is None or dbapi_connection.closed:
        return
    try:
        dbapi_connection.rollback()
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cur:
            cur.execute("DISCARD ALL")
    except Exception:
        pass  # a broken connection is replaced by the pool's pre-ping
    finally:
        _quietly(lambda: setattr(dbapi_connection, "autocommit", False))


_ENGINE_FACTORIES = {"duckdb": _duckdb_engine, "sqlite": _sqlite_engine, "postgresql": _postgres_engine}


def _existing_file(url: sa.engine.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise DatabaseUnavailable("파일 경로가 있는 데이터베이스 URL이 필요합니다 (예: duckdb:///data/shop.duckdb).")
    path = Path(url.database).expanduser().resolve()
    if not path.is_file():
        raise DatabaseUnavailable(f"데이터베이스 파일을 찾을 수 없습니다: {path}")
    return path


def _is_timeout(exc: Exception) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return any(s in text for s in ("interrupt", "statement timeout", "canceling statement"))


def _short(exc: Exception) -> str:
    """The driver's own message, first line only, without SQLAlchemy's boilerplate."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def run_job(job: Job) -> Result:
    """What a query worker does with one job: open the database, run, close (see ``sandbox``)."""
    try:
        db = Database(job.url, job.timeout_s, job.memory_limit)
        try:
            return db.run_here(job.sql, job.max_rows, job.timeout_s, job.max_result_mb)
        finally:
            db.dispose()
    except T2SQLError:
        raise
    except MemoryError:
        raise QueryError(MSG_OUT_OF_MEMORY) from None
    except Exception as exc:
        raise QueryError(MSG_FAILED.format(f"{type(exc).__name__}: {exc}"[:300])) from None


_pool: Sandbox | None = None
_pool_lock = threading.Lock()


def pool() -> Sandbox:
    """The process's query workers, sized by ``T2SQL_QUERY_WORKERS`` / ``T2SQL_QUERY_MEMORY_MB``."""
    global _pool
    with _pool_lock:
        if _pool is None:
            settings = Settings.from_env()
            _pool = Sandbox(run_job, settings.query_workers, settings.query_memory_mb)
        return _pool
