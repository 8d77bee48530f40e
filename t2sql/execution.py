"""Read-only database access: resolve a database name, open it read-only, run one bounded query.

Defence in depth: the guard already proved the SQL is a read query, and the connection is
read-only as well (DuckDB ``read_only`` with external access off and configuration locked,
SQLite ``mode=ro`` + ``query_only``, PostgreSQL read-only transactions with a statement timeout).
This module imports no model code so the ``sql`` CLI path starts fast.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import urllib.parse
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from .errors import DatabaseUnavailable, QueryError, QueryTimeout
from .settings import Settings

SQLGLOT_DIALECTS = {"duckdb": "duckdb", "sqlite": "sqlite", "postgresql": "postgres"}

DUCKDB_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "python_enable_replacements": False,  # a table name must never resolve to a Python variable
    "lock_configuration": True,
}


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple]
    truncated: bool  # more rows existed than max_rows
    elapsed_ms: float

    def to_frame(self):
        """A pandas DataFrame with unique column names (``a.id, b.id`` -> ``id, id_2``)."""
        import pandas as pd

        seen: dict[str, int] = {}
        names = []
        for col in self.columns:
            seen[col] = seen.get(col, 0) + 1
            names.append(col if seen[col] == 1 else f"{col}_{seen[col]}")
        return pd.DataFrame(self.rows, columns=names)


def resolve_url(db: str, settings: Settings, progress=None) -> str:
    """A sample name (``shop``), a file path or any SQLAlchemy URL -> a SQLAlchemy URL.

    Sample databases are built on first use so a fresh checkout works at once.
    """
    from . import samples

    db = db.strip()
    if db in samples.SAMPLE_NAMES:
        path = samples.sample_path(settings.sample_dir, db)
        if not path.exists():
            samples.build_samples(settings.sample_dir, [db], progress=progress)
        return f"duckdb:///{path}"
    if "://" in db:
        return db
    suffix = Path(db).suffix.lower()
    if suffix in (".duckdb", ".ddb"):
        return f"duckdb:///{Path(db).resolve()}"
    if suffix in (".sqlite", ".sqlite3", ".db"):
        return f"sqlite:///{Path(db).resolve()}"
    raise DatabaseUnavailable(
        f"'{db}'은(는) 알 수 없는 데이터베이스입니다. 샘플 이름({', '.join(samples.SAMPLE_NAMES)}) "
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

    def __init__(self, url: str, timeout_s: float = 10.0):
        try:
            parsed = sa.engine.make_url(url)
        except Exception as exc:
            raise DatabaseUnavailable(f"데이터베이스 URL 형식이 올바르지 않습니다: {url}") from exc
        self.url = url
        self.backend = parsed.get_backend_name()
        if self.backend not in SQLGLOT_DIALECTS:
            raise DatabaseUnavailable(
                f"지원하지 않는 데이터베이스 종류입니다: {self.backend}. DuckDB, SQLite, PostgreSQL을 사용할 수 있습니다."
            )
        self.dialect = SQLGLOT_DIALECTS[self.backend]
        self.label = database_label(url)
        self.timeout_s = timeout_s
        self.engine = _ENGINE_FACTORIES[self.backend](parsed, timeout_s)
        self._check_connection()

    def _check_connection(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1").fetchall()
        except Exception as exc:
            raise DatabaseUnavailable(f"데이터베이스에 연결할 수 없습니다 ({self.label}): {_short(exc)}") from exc

    def run(self, sql: str, max_rows: int = 1000, timeout_s: float | None = None) -> Result:
        """Run exactly one already-approved statement with a time limit and a row cap."""
        timeout_s = self.timeout_s if timeout_s is None else timeout_s
        started = time.perf_counter()
        with self.engine.connect() as conn:
            timer = threading.Timer(timeout_s, _interrupt, args=(self.backend, conn))
            timer.start()
            try:
                cursor = conn.exec_driver_sql(sql)
                columns = list(cursor.keys())
                rows = [tuple(r) for r in cursor.fetchmany(max_rows + 1)]
            except Exception as exc:
                elapsed = time.perf_counter() - started
                if _is_timeout(exc) or elapsed >= timeout_s:
                    raise QueryTimeout(
                        f"쿼리가 제한 시간({timeout_s:g}초)을 넘어 취소되었습니다. 조건을 더 좁혀 보세요."
                    ) from exc
                raise QueryError(f"데이터베이스가 쿼리를 실행하지 못했습니다: {_short(exc)}") from exc
            finally:
                timer.cancel()
                conn.rollback()
        elapsed_ms = (time.perf_counter() - started) * 1000
        return Result(columns, rows[:max_rows], len(rows) > max_rows, elapsed_ms)

    def dispose(self) -> None:
        self.engine.dispose()


@lru_cache(maxsize=32)
def open_database(url: str, timeout_s: float = 10.0) -> Database:
    """One ``Database`` per URL per process (DuckDB allows one configuration per file per process)."""
    return Database(url, timeout_s)


def _duckdb_engine(url: sa.engine.URL, timeout_s: float) -> sa.Engine:
    path = _existing_file(url)
    return sa.create_engine(
        f"duckdb:///{path}", connect_args={"read_only": True, "config": dict(DUCKDB_CONFIG)}
    )


def _sqlite_engine(url: sa.engine.URL, timeout_s: float) -> sa.Engine:
    path = _existing_file(url)
    uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"

    def connect():
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only = ON")
        return conn

    return sa.create_engine("sqlite://", creator=connect, poolclass=sa.pool.QueuePool)


def _postgres_engine(url: sa.engine.URL, timeout_s: float) -> sa.Engine:
    options = f"-c default_transaction_read_only=on -c statement_timeout={int(timeout_s * 1000)}"
    return sa.create_engine(url, connect_args={"options": options, "connect_timeout": 5}, pool_pre_ping=True)


_ENGINE_FACTORIES = {"duckdb": _duckdb_engine, "sqlite": _sqlite_engine, "postgresql": _postgres_engine}


def _existing_file(url: sa.engine.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise DatabaseUnavailable("파일 경로가 있는 데이터베이스 URL이 필요합니다 (예: duckdb:///data/shop.duckdb).")
    path = Path(url.database).expanduser().resolve()
    if not path.is_file():
        raise DatabaseUnavailable(f"데이터베이스 파일을 찾을 수 없습니다: {path}")
    return path


def _interrupt(backend: str, conn: sa.Connection) -> None:
    """Cancel the running statement from the timer thread."""
    try:
        raw = conn.connection.driver_connection
        if backend in ("duckdb", "sqlite"):
            raw.interrupt()
        elif backend == "postgresql":
            raw.cancel()
    except Exception:
        pass  # the statement may have just finished


def _is_timeout(exc: Exception) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return any(s in text for s in ("interrupt", "statement timeout", "canceling statement"))


def _short(exc: Exception) -> str:
    """The driver's own message, first line only, without SQLAlchemy's boilerplate."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
