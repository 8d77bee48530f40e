"""Value grounding, table-driven: which quoted values count as said, and which were made up."""

import pytest

from t2sql.guard.grounding import describe, text_values, ungrounded_values

CASES = [
    # (sql, what the user said, values nobody said)
    ("SELECT COUNT(*) FROM Customer", "고객은 모두 몇 명이야?", []),
    ("SELECT COUNT(*) FROM Customer WHERE Company = 'Apple Inc.'", "고객은 모두 몇 명이야?", ["Apple Inc."]),
    ("SELECT * FROM Customer WHERE Country = 'Brazil'", "Brazil에 사는 고객", []),
    ("SELECT * FROM customers WHERE city = '서울'", "서울에 사는 고객은?", []),  # particles around the value
    ("SELECT * FROM Customer WHERE Email LIKE '%@gmail.com'", "gmail.com 이메일 고객", []),  # wildcards, punctuation
    ("SELECT * FROM Employee WHERE Title = 'sales support agent'", "직함이 'Sales Support Agent'인 직원", []),  # case
    ("SELECT * FROM Artist WHERE Name LIKE 'A%'", "아티스트 목록", ["A%"]),
    ("SELECT * FROM t WHERE a = 'x' AND b = 'Rock' AND c = 'Jazz' AND d = 'Pop'", "목록", ["x", "Rock", "Jazz", "Pop"]),
    # derived values are not checked: dates, numbers, format strings
    (
        "SELECT COUNT(*) FROM Invoice WHERE InvoiceDate >= '2023-01-01' AND InvoiceDate < '2024-01-01'",
        "2023년 인보이스",
        [],
    ),
    ("SELECT COUNT(*) FROM Invoice WHERE strftime('%Y-%m', InvoiceDate) = '2024-03'", "2024년 3월 인보이스", []),
    ("SELECT * FROM orders WHERE amount > '100'", "100원 넘는 주문", []),
    # numbers written as text must be numbers the user said
    ("SELECT COUNT(*) FROM Customer WHERE Address LIKE '%1%'", "고객은 모두 몇 명이야?", ["%1%"]),
    ("SELECT COUNT(*) FROM Track WHERE UnitPrice = '1.99'", "가격이 1.99달러인 트랙", []),
    ("SELECT COUNT(*) FROM Invoice WHERE strftime('%m', InvoiceDate) = '03'", "3월 인보이스", []),
    ("SELECT * FROM orders WHERE amount > '100'", "큰 주문", ["100"]),
    ("SELECT * FROM orders WHERE status = ''", "상태가 빈 주문", []),  # nothing to say
    ("SELECT * FROM orders WHERE status = '배송중'", "배송 중인 주문", []),  # spacing
    ("SELECT * FROM orders WHERE status = '배송중' AND status = '배송중'", "주문", ["배송중"]),  # each value once
    ("SELECT * FROM orders WHERE", "주문", []),  # does not parse: no values
]


@pytest.mark.parametrize("sql,said,unsaid", CASES)
def test_ungrounded_values(sql, said, unsaid):
    assert ungrounded_values(sql, said, "sqlite") == unsaid


def test_text_values_skip_numbers_and_identifiers():
    sql = "SELECT \"Name\", 'a' AS label FROM t WHERE n = 3 AND s = 'b' AND d = DATE '2024-01-01'"
    assert text_values(sql, "sqlite") == ["a", "b"]


def test_describe_names_at_most_three_values():
    assert describe(["Apple Inc."]) == "질문에 없는 값 'Apple Inc.'(으)로 데이터를 거르고 있습니다."
    assert describe(list("abcd")).startswith("질문에 없는 값 'a', 'b', 'c' 등")
