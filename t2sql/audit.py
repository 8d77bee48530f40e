"""Audit log: one JSON line per query the app ran or refused.

Durable: every record is appended with ``O_APPEND``, flushed and fsync'ed before the call
returns. Rotation-safe: the file is reopened for every record, so an external ``logrotate``
(rename or truncate) never loses lines, and the built-in size rotation (``audit.jsonl.1`` …)
runs under an exclusive file lock (``filelock``) so several processes can share one log.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock

from t2sql.fileio import read_jsonl

KEEP = 5  # rotated files kept next to the live one


class AuditLog:
    def __init__(self, path: Path, max_mb: float = 20.0, keep: int = KEEP):
        self.path = Path(path)
        self.max_bytes = int(max_mb * 1024 * 1024)
        self.keep = keep
        self._lock = threading.Lock()
        self._file_lock = FileLock(self.path.with_name(self.path.name + ".lock"))

    def record(
        self,
        *,
        session: str,
        database: str,
        sql: str,
        status: str,
        rows: int | None = None,
        duration_ms: float | None = None,
        reason: str = "",
    ) -> dict:
        """Append one entry; ``status`` is ``ok``, ``refused`` or ``error`` for a query, and ``proposed``,
        ``approved`` or ``rejected`` for a pair sent to or decided by an admin."""
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "session": session,
            "database": database,
            "status": status,
            "refused": status == "refused",
            "rows": rows,
            "duration_ms": None if duration_ms is None else round(duration_ms, 1),
            "sql": sql,
            "reason": reason,
        }
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self._file_lock:
            self._rotate_if_full(len(line))
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        return entry

    def read(self) -> list[dict]:
        """Entries of the live file, oldest first (for the UI and tests)."""
        if not self.path.is_file():
            return []
        return read_jsonl(self.path)

    def _rotate_if_full(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size == 0 or size + incoming <= self.max_bytes:
            return
        for n in range(self.keep - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{n}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{n + 1}"))
        self.path.replace(self.path.with_name(f"{self.path.name}.1"))
