"""Training records read from a JSON-lines, JSON, CSV or Parquet file, a folder of ``{split}.jsonl`` files
(what ``gen-data`` and onboarding write) or a Hugging Face dataset id."""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import pandas as pd

from t2sql.errors import T2SQLError
from t2sql.fileio import read_jsonl

REQUIRED = ("db_id", "context", "question", "answer")


def load_records(source: str | Path, split: str = "train") -> list[dict]:
    """Records from a .jsonl/.json/.csv/.parquet file, a folder holding ``{split}.jsonl`` (or .json/.csv/.parquet),
    or else a Hugging Face dataset id (``datasets.load_dataset(source, split=split)``)."""
    path = Path(source)
    suffixes = (".jsonl", ".json", ".csv", ".parquet")
    if path.is_dir():
        found = next((path / f"{split}{s}" for s in suffixes if (path / f"{split}{s}").is_file()), None)
        if found is None:
            raise T2SQLError(
                f"'{path}' 폴더에 {split}.jsonl 파일이 없습니다. 먼저 학습 데이터를 생성하세요 (gen-data)."
            )
        path = found
    if path.is_file():
        rows = _read_file(path)
    elif path.suffix.lower() in suffixes or str(source).startswith((".", "/", "~")):
        raise T2SQLError(f"학습 데이터 파일을 찾을 수 없습니다: {path}")
    else:
        try:
            import datasets  # optional: only for a dataset id
        except ImportError as exc:
            raise T2SQLError(
                f"'{source}'은(는) 로컬 파일이 아니어서 Hugging Face 데이터셋으로 읽으려 했지만 "
                "`datasets` 패키지가 없습니다. "
                "`pip install datasets`로 설치하거나 JSONL/CSV/Parquet 파일 경로를 지정하세요."
            ) from exc
        try:
            rows = [dict(r) for r in datasets.load_dataset(str(source), split=split)]
        except Exception as exc:
            raise T2SQLError(f"Hugging Face 데이터셋 '{source}'({split})을(를) 불러오지 못했습니다: {exc}") from exc
    out = []
    for r in rows:
        missing = [k for k in REQUIRED if k not in r]
        if missing:
            raise T2SQLError(f"학습 데이터에 필요한 열이 없습니다: {', '.join(missing)} (필요: {', '.join(REQUIRED)})")
        rec = {k: ("" if v is None or (isinstance(v, float) and math.isnan(v)) else v) for k, v in r.items()}
        for k in REQUIRED:
            rec[k] = str(rec[k])
        out.append(rec)
    return out


def _read_file(path: Path) -> list[dict]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return read_jsonl(path)
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, list) else data.get("data") or data.get("records") or []
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")
    if suffix == ".parquet":
        con = duckdb.connect()
        try:
            cur = con.execute("SELECT * FROM read_parquet(?)", [str(path)])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]
        finally:
            con.close()
    raise T2SQLError(f"지원하지 않는 학습 데이터 형식입니다: {path.suffix} (jsonl, json, csv, parquet 가능)")
