"""The databases an operator lets the app serve, from a databases file (``databases.yaml``).

Without it, a browser user could make the server open any URL it can reach (another file on its
disk, a host inside the company network). The file names each database; the app offers the
samples and these names, and the free URL field only when the operator turns it on
(``T2SQL_ALLOW_CUSTOM_URL``). Credentials never sit in the file: ``${VAR}`` in a URL is read from
the environment (the app also exports its Streamlit secrets there)::

    databases:
      - name: sales
        url: postgresql://analyst:${SALES_DB_PASSWORD}@db.internal:5432/sales
        description: 영업·주문 데이터
        sensitive_policy: block     # optional: mask | block (overrides T2SQL_SENSITIVE_POLICY)
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from t2sql.errors import SettingsError

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
POLICIES = ("", "mask", "block")


@dataclass(frozen=True)
class Served:
    name: str
    url: str  # with ${VAR} already filled in: never show it (it may hold a password)
    description: str = ""
    sensitive_policy: str = ""


def load_served(path: Path, env: Mapping[str, str] | None = None) -> dict[str, Served]:
    """Name -> database from the file; {} when there is none. Mistakes are Korean errors naming the entry."""

    path = Path(path)
    if not path.is_file():
        return {}
    env = os.environ if env is None else env
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(
            f"데이터베이스 목록 파일({path.name})을 읽을 수 없습니다: {str(exc).splitlines()[0]}"
        ) from None
    entries = data.get("databases") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise SettingsError(f"데이터베이스 목록 파일({path.name})에는 `databases:` 아래에 항목 목록이 있어야 합니다.")
    served: dict[str, Served] = {}
    for n, entry in enumerate(entries, 1):
        where = f"{path.name}의 {n}번째 항목"
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("url"):
            raise SettingsError(f"{where}에 name과 url이 모두 있어야 합니다.")
        name = str(entry["name"]).strip()
        if name in served:
            raise SettingsError(f"{where}: 이름 '{name}'이(가) 두 번 나옵니다.")
        policy = str(entry.get("sensitive_policy") or "").strip()
        if policy not in POLICIES:
            raise SettingsError(f"{where}: sensitive_policy는 mask 또는 block이어야 합니다 ('{policy}').")
        served[name] = Served(
            name,
            _fill(str(entry["url"]), env, f"{where} ({name})"),
            str(entry.get("description") or "").strip(),
            policy,
        )
    return served


def served_databases(path: Path) -> dict[str, Served]:
    """``load_served`` read again only when the file changes."""
    path = Path(path)
    return _cached(str(path), path.stat().st_mtime_ns if path.is_file() else 0)


@lru_cache(maxsize=8)
def _cached(path: str, mtime_ns: int) -> dict[str, Served]:  # noqa: ARG001 - part of the cache key
    return load_served(Path(path))


def _fill(url: str, env: Mapping[str, str], where: str) -> str:
    def value(match: re.Match) -> str:
        if match.group(1) not in env:
            raise SettingsError(f"{where}의 URL에 필요한 환경 변수 {match.group(1)}이(가) 설정되어 있지 않습니다.")
        return env[match.group(1)]

    return VARIABLE.sub(value, url)
