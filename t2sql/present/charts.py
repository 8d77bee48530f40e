"""Pick a sensible chart for a result table, and build it with Korean axis titles.

The choice is a pure function of the result's shape so it is predictable and testable:
one number -> metric card, time + number -> line, category + number -> bar,
two numbers -> scatter, anything else -> no chart (the table is the answer).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import altair as alt
import pandas as pd

KINDS = {"metric": "숫자 카드", "line": "선 그래프", "bar": "막대 그래프", "scatter": "산점도"}
# column role -> Vega-Lite encoding type of the x axis
ENCODING_TYPES: dict[str, Literal["temporal", "quantitative", "nominal"]] = {
    "time": "temporal",
    "number": "quantitative",
    "category": "nominal",
}
MAX_BARS = 50  # more categories than this are unreadable as bars; show the top ones


@dataclass(frozen=True)
class ChartSpec:
    kind: str  # one of KINDS
    x: str = ""  # column on the x axis ("" for a metric)
    y: str = ""  # numeric column
    color: str = ""  # optional second category (one line/bar colour per value)


def column_roles(frame: pd.DataFrame) -> dict[str, str]:
    """Each column's role: ``time``, ``number`` or ``category``."""
    roles = {}
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_datetime64_any_dtype(series) or _looks_like_dates(series):
            roles[name] = "time"
        elif pd.api.types.is_bool_dtype(series):
            roles[name] = "category"
        elif pd.api.types.is_numeric_dtype(series) or _is_decimal(series):
            roles[name] = "number"
        else:
            roles[name] = "category"
    return roles


def suggest(frame: pd.DataFrame) -> ChartSpec | None:
    """The chart that best fits the result, or None when a table says it better."""
    if frame.empty:
        return None
    roles = column_roles(frame)
    numbers = [c for c, r in roles.items() if r == "number" and not _is_identifier(c)]
    times = [c for c, r in roles.items() if r == "time"]
    categories = [c for c, r in roles.items() if r == "category"]
    if len(frame) == 1 and len(frame.columns) == 1 and numbers:
        return ChartSpec("metric", y=numbers[0])
    if not numbers:
        return None
    if times:
        color = categories[0] if categories and frame[categories[0]].nunique() <= 10 else ""
        return ChartSpec("line", x=times[0], y=numbers[0], color=color)
    if categories:
        return ChartSpec("bar", x=categories[0], y=numbers[0])
    year_like = [c for c in numbers if _is_period_number(frame, c)]
    if year_like and len(numbers) >= 2:  # e.g. (year, month) or (month, revenue)
        y = next(c for c in numbers if c not in year_like) if len(year_like) < len(numbers) else numbers[-1]
        return ChartSpec("line", x=year_like[0], y=y)
    if len(numbers) >= 2:
        return ChartSpec("scatter", x=numbers[0], y=numbers[1])
    return None


def options(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Columns the user may pick per axis (for the switchers in the UI)."""
    roles = column_roles(frame)
    return {
        "x": list(frame.columns),
        "y": [c for c, r in roles.items() if r == "number"],
        "color": [c for c, r in roles.items() if r == "category"],
    }


def axis_titles(columns, tables, labels: dict[str, str]) -> dict[str, str]:
    """Result column -> Korean title from the schema (``catalog.labels()``) of the queried tables."""
    return {col: labels[f"{t}.{col}"] for t in tables for col in columns if f"{t}.{col}" in labels}


def metric_text(series: pd.Series) -> str:
    """The first value of a one-number result, with thousands separators; '-' for NULL/empty."""
    value = series.iloc[0] if len(series) else None
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    try:
        return f"{value:,}"
    except (TypeError, ValueError):
        return str(value)


def build(frame: pd.DataFrame, spec: ChartSpec, titles: dict[str, str] | None = None):
    """An Altair chart for ``spec``; ``titles`` maps column -> Korean axis title."""

    titles = titles or {}
    data = _prepare(frame, spec)
    x_type = ENCODING_TYPES[column_roles(data)[spec.x]]
    x = alt.X(spec.x, type=x_type, title=titles.get(spec.x, spec.x))
    y = alt.Y(spec.y, type="quantitative", title=titles.get(spec.y, spec.y))
    tooltip = [alt.Tooltip(c, title=titles.get(c, c)) for c in (spec.x, spec.y, spec.color) if c]
    if spec.kind == "line":
        chart = alt.Chart(data).mark_line(point=True)
    elif spec.kind == "bar":
        chart = alt.Chart(data).mark_bar()
        x = alt.X(spec.x, type=x_type, title=titles.get(spec.x, spec.x), sort="-y" if x_type == "nominal" else None)
    elif spec.kind == "scatter":
        chart = alt.Chart(data).mark_circle(size=60)
    else:
        raise ValueError(f"not a chart kind: {spec.kind}")
    encoding = {"x": x, "y": y, "tooltip": tooltip}
    if spec.color:
        encoding["color"] = alt.Color(spec.color, type="nominal", title=titles.get(spec.color, spec.color))
    return chart.encode(**encoding).properties(height=360)


def _prepare(frame: pd.DataFrame, spec: ChartSpec) -> pd.DataFrame:
    """Only the charted columns, decimals as floats, date strings as dates, top bars only."""
    cols = [c for c in dict.fromkeys((spec.x, spec.y, spec.color)) if c]
    data = frame[cols].copy()
    for c in cols:
        if _is_decimal(data[c]):
            data[c] = data[c].astype(float)
        elif _looks_like_dates(data[c]):
            data[c] = pd.to_datetime(data[c].astype(str), errors="coerce")
    if spec.kind == "bar" and len(data) > MAX_BARS:
        data = data.nlargest(MAX_BARS, spec.y)
    return data


def _is_decimal(series: pd.Series) -> bool:

    values = series.dropna()
    return (
        pd.api.types.is_object_dtype(series)
        and len(values) > 0
        and all(isinstance(v, Decimal) for v in values.head(20))
    )


def _looks_like_dates(series: pd.Series) -> bool:
    """Date/datetime objects or strings like 2024-03, 2024-03-01 (what strftime/date_trunc give)."""

    values = series.dropna().head(20)
    if values.empty or not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
        return False
    if all(isinstance(v, (dt.date, dt.datetime)) for v in values):
        return True
    return all(
        isinstance(v, str) and pd.Series([v]).str.fullmatch(r"\d{4}-\d{2}(-\d{2})?([ T].*)?").iloc[0] for v in values
    )


def _is_identifier(column: str) -> bool:
    name = column.lower()
    return name == "id" or name.endswith("_id")


def _is_period_number(frame: pd.DataFrame, column: str) -> bool:
    """Year (1900-2100) or month (1-12) columns produced by EXTRACT/strftime."""
    name = column.lower()
    values = pd.to_numeric(frame[column], errors="coerce").dropna()
    if values.empty:
        return False
    if any(k in name for k in ("year", "연도", "년")):
        return bool(values.between(1900, 2100).all())
    if any(k in name for k in ("month", "월")):
        return bool(values.between(1, 12).all())
    return False
