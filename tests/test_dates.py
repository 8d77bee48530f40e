from datetime import date

import pytest

from t2sql.errors import T2SQLError
from t2sql.question.dates import parse_today, resolve_relative_dates

TODAY = date(2024, 3, 15)  # a Friday


@pytest.mark.parametrize(
    "question, expected",
    [
        ("지난달 매출 알려줘", "2024년 2월 매출 알려줘"),
        ("저번 달 주문 수", "2024년 2월 주문 수"),
        ("이번 달 신규 가입자", "2024년 3월 신규 가입자"),
        ("올해 매출", "2024년 매출"),
        ("작년 대비 올해", "2023년 대비 2024년"),
        ("재작년 리드 수", "2022년 리드 수"),
        ("지난 분기 광고비", "2023년 4분기 광고비"),
        ("이번 분기 광고비", "2024년 1분기 광고비"),
        ("최근 7일 주문", "2024-03-09부터 2024-03-16 전까지 주문"),
        ("지난 30일간 접속자", "2024-02-15부터 2024-03-16 전까지 접속자"),
        ("최근 3개월 매출", "2024-01-01부터 2024-04-01 전까지 매출"),
        ("지난주 가입자", "2024-03-04부터 2024-03-11 전까지 가입자"),
        ("어제 주문", "2024-03-14 주문"),
        ("2023년 5월 매출", "2023년 5월 매출"),
        ("지역별 고객 수", "지역별 고객 수"),
    ],
)
def test_relative_dates_become_absolute(question, expected):
    assert resolve_relative_dates(question, TODAY) == expected


def test_month_arithmetic_crosses_years():
    assert resolve_relative_dates("지난달", date(2024, 1, 10)) == "2023년 12월"
    assert resolve_relative_dates("지난 분기", date(2024, 2, 1)) == "2023년 4분기"


def test_parse_today():
    assert parse_today("2025-01-02") == date(2025, 1, 2)
    assert parse_today("") == date.today()
    with pytest.raises(T2SQLError, match="YYYY-MM-DD"):
        parse_today("어제")
