"""Result downloads: CSV that Excel opens with Korean intact, and a real .xlsx workbook."""

from __future__ import annotations

import io
import re

import pandas as pd

# Excel guesses UTF-8 only when the file starts with a byte order mark.
CSV_ENCODING = "utf-8-sig"
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters openpyxl refuses
_FORMULA_START = ("=", "+", "-", "@")  # a cell starting like this would run as a formula in Excel


def to_csv(frame: pd.DataFrame) -> bytes:
    return _defused(frame).to_csv(index=False).encode(CSV_ENCODING)


def to_xlsx(frame: pd.DataFrame, sheet: str = "결과") -> bytes:
    data = _defused(frame)
    for col in data.columns:
        if _is_text(data[col]):
            data[col] = data[col].map(lambda v: _ILLEGAL_XLSX.sub("", v) if isinstance(v, str) else v)
        if isinstance(data[col].dtype, pd.DatetimeTZDtype):
            data[col] = data[col].dt.tz_localize(None)  # Excel has no time zones
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        data.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


def file_name(question: str, extension: str) -> str:
    """A short, filesystem-safe name from the question (Korean kept)."""
    stem = re.sub(r"[^\w가-힣]+", "_", question or "").strip("_")[:40] or "t2sql_결과"
    return f"{stem}.{extension}"


def _defused(frame: pd.DataFrame) -> pd.DataFrame:
    """Text that Excel would treat as a formula gets a leading apostrophe (CSV injection)."""
    data = frame.copy()
    for col in data.columns:
        if _is_text(data[col]):
            data[col] = data[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) and not _is_number(v) else v
            )
    return data


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
