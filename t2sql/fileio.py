"""Files written so that a crash never leaves half of one, and JSON-lines files read back."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from t2sql.errors import T2SQLError


def read_jsonl(path: Path) -> list[dict]:
    """Every non-blank line of a JSON-lines file, parsed."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def write_json_atomic(path: Path, data: dict) -> None:
    """A report written so that a crash never leaves half of it."""
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1, default=str))


def write_text_atomic(path: Path, text: str) -> None:
    """Temp file in the same folder, fsync, then os.replace: readers see the old file or the new one."""
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; these files are meant to be shared
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise T2SQLError(f"파일을 쓸 수 없습니다 ({path}). 폴더 권한과 디스크 공간을 확인하세요: {exc}") from exc
        raise
