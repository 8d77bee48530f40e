"""Relative dates in Korean questions, resolved before prompting.

Decision: the model never computes dates. "지난달", "올해", "최근 7일" … are rewritten into the
absolute forms the training data uses ("2024년 2월", "2024년", "2024-03-01부터 2024-03-08 전까지"),
relative to a reference day (``T2SQL_TODAY``, default the real today). This keeps the SQL portable
(plain literals, no engine-specific ``CURRENT_DATE`` arithmetic), makes answers reproducible, and
lets the user see in the rewritten question exactly which period was used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

from t2sql.errors import T2SQLError


def _month_start(d: date, offset: int = 0) -> date:
    index = d.year * 12 + d.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def _month(d: date) -> str:
    return f"{d.year}년 {d.month}월"


def _quarter(d: date, offset: int = 0) -> str:
    index = d.year * 4 + (d.month - 1) // 3 + offset
    return f"{index // 4}년 {index % 4 + 1}분기"


def _range(start: date, end_exclusive: date) -> str:
    return f"{start.isoformat()}부터 {end_exclusive.isoformat()} 전까지"


def _week(today: date, offset: int) -> str:
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
    return _range(monday, monday + timedelta(days=7))


UNIT_DAYS = {"일": 1, "주": 7}

# (pattern, replacement builder) — longer phrases first so "지난 3개월" wins over "지난".
RULES: list[tuple[str, Callable[[date, re.Match[str]], str]]] = [
    (
        r"(최근|지난)\s*(\d+)\s*(일|주)(간|동안)?",
        lambda t, m: _range(t - timedelta(days=int(m[2]) * UNIT_DAYS[m[3]]) + timedelta(days=1), t + timedelta(days=1)),
    ),
    (
        r"(최근|지난)\s*(\d+)\s*(개월|달)(간|동안)?",
        lambda t, m: _range(_month_start(t, -int(m[2]) + 1), _month_start(t, 1)),
    ),
    (r"재작년", lambda t, m: f"{t.year - 2}년"),
    (r"작년|지난\s*해|전년(?!\s*대비)|지난해", lambda t, m: f"{t.year - 1}년"),
    (r"올해|금년|이번\s*해|올\s*해", lambda t, m: f"{t.year}년"),
    (r"지난\s*달|저번\s*달|전월|지난달", lambda t, m: _month(_month_start(t, -1))),
    (r"이번\s*달|이달|금월", lambda t, m: _month(t)),
    (r"다음\s*달", lambda t, m: _month(_month_start(t, 1))),
    (r"지난\s*분기|전\s*분기", lambda t, m: _quarter(t, -1)),
    (r"이번\s*분기", lambda t, m: _quarter(t)),
    (r"지난\s*주|저번\s*주|전주", lambda t, m: _week(t, -1)),
    (r"이번\s*주|금주", lambda t, m: _week(t, 0)),
    (r"그제|그저께", lambda t, m: (t - timedelta(days=2)).isoformat()),
    (r"어제", lambda t, m: (t - timedelta(days=1)).isoformat()),
    (r"오늘", lambda t, m: t.isoformat()),
]
_COMPILED = [(re.compile(p), build) for p, build in RULES]


def resolve_relative_dates(question: str, today: date) -> str:
    """Rewrite relative date phrases into absolute ones; other text is left untouched."""
    text = question
    for pattern, build in _COMPILED:
        text = pattern.sub(partial(build, today), text)
    return text


def parse_today(value: str) -> date:
    """``T2SQL_TODAY`` (YYYY-MM-DD) or the real today when empty."""
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise T2SQLError(
            f"기준일 설정(T2SQL_TODAY)이 날짜가 아닙니다: '{value}'. 2024-03-15처럼 YYYY-MM-DD로 적어 주세요."
        ) from exc
