"""When two query results are the same answer (the rule evaluation, practice-pair checks and
example overlap detection all share), and when a result holds no answer at all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Context, Decimal, InvalidOperation

_CENT = Decimal("0.01")
_WIDE = Context(prec=200)


def value_key(value) -> tuple:
    """A hashable, sortable key: numbers rounded to 2 decimals (3 == 3.0), NULL == NULL."""
    if value is None:
        return (0, "")
    if isinstance(value, (bool, int, float, Decimal)):
        number = Decimal(str(value) if isinstance(value, float) else int(value) if isinstance(value, bool) else value)
        if not number.is_finite():
            return (3, str(number))
        try:  # str(float) is the shortest repr, so 2.675 rounds like the Decimal('2.675') another DB returns
            return (1, number.quantize(_CENT, rounding="ROUND_HALF_UP", context=_WIDE))
        except InvalidOperation:
            return (1, number)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return (4, bytes(value).hex())
    return (2, str(value))  # text, dates and times compare by their text (SQLite stores dates as text)


def row_key(row: Iterable) -> tuple:
    """Column order and names are ignored: a row is a multiset of values."""
    return tuple(sorted(value_key(v) for v in row))


def results_match(pred_rows: Iterable[Iterable], gold_rows: Iterable[Iterable], order_matters: bool = False) -> bool:
    """Equal as multisets of rows (or as sequences when ``order_matters``)."""
    pred, gold = [row_key(r) for r in pred_rows], [row_key(r) for r in gold_rows]
    return pred == gold if order_matters else Counter(pred) == Counter(gold)


def hollow(rows: list[tuple]) -> bool:
    """No answer in it: no rows, only NULLs, or one row of NULL/0 (an aggregate over nothing). A practice
    question almost never means that, so onboarding drops such pairs."""
    if not rows:
        return True
    if len(rows) == 1 and all(v is None or (isinstance(v, (int, float, Decimal)) and v == 0) for v in rows[0]):
        return True
    return all(v is None for row in rows for v in row)
