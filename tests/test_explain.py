"""Korean explanations of SQL, generated from the sqlglot tree (t2sql.explain)."""

from __future__ import annotations

import pytest

from t2sql.present import explain as explain_module
from t2sql.present.explain import (
    EMPTY,
    MANY_STATEMENTS,
    NOT_A_QUERY,
    UNPARSABLE,
    explain,
    final_sound,
    with_particle,
)

# Things that mean the wording leaked Python or a template instead of Korean.
LEAKS = ("exp.", "None", "Column(", "Literal(", "Identifier(", "{", "}", "_Pred")

HEADLINE = (
    "SELECT c.city, COUNT(*) AS n FROM customers c JOIN orders o ON o.customer_id = c.customer_id "
    "WHERE o.ordered_at >= '2024-03-01' AND o.ordered_at < '2024-04-01' "
    "GROUP BY c.city ORDER BY n DESC LIMIT 10"
)


def case(dialect: str, sql: str, expected: list[str], forbidden: tuple[str, ...] = (), id: str = ""):
    return pytest.param(dialect, sql, expected, forbidden, id=id)


CASES = [
    # --- joins -----------------------------------------------------------------------------
    case(
        "duckdb",
        HEADLINE,
        ["연결합니다", "customer_id가 같은 행끼리", "별로 묶어", "큰 순", "상위 10개"],
        id="headline",
    ),
    case(
        "duckdb",
        "SELECT * FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id",
        [
            "customers 테이블과 orders 테이블을 customer_id가 같은 행끼리 연결하되",
            "짝이 없어도 customers 테이블의 행은 모두 남깁니다",
        ],
        id="left-join",
    ),
    case(
        "postgres",
        "SELECT * FROM a RIGHT JOIN b ON a.id = b.id",
        ["id가 같은 행끼리 연결", "짝이 없어도 b 테이블의 행은 모두 남깁니다"],
        id="right-join",
    ),
    case(
        "duckdb",
        "SELECT * FROM a FULL OUTER JOIN b USING (id)",
        ["id가 같은 행끼리 연결", "양쪽 행을 모두 남깁니다"],
        id="full-join-using",
    ),
    case("sqlite", "SELECT * FROM sizes CROSS JOIN colors", ["모든 행을 서로 짝지어", "모든 조합"], id="cross-join"),
    case(
        "duckdb",
        "SELECT o.order_id, p.name FROM orders o JOIN order_items i ON i.order_id = o.order_id "
        "JOIN products p ON p.product_id = i.product_id",
        [
            "orders 테이블과 order_items 테이블을 order_id가 같은 행끼리 연결합니다.",
            "지금까지 연결한 결과와 products 테이블을 product_id가 같은 행끼리 연결합니다.",
        ],
        id="three-tables",
    ),
    case(
        "duckdb",
        "SELECT * FROM orders o JOIN customers c ON o.buyer_id = c.id",
        ["buyer_id가 id와 같은 행끼리 연결"],
        id="join-different-names",
    ),
    case(
        "duckdb",
        "SELECT * FROM customers SEMI JOIN orders USING (customer_id)",
        ["orders 테이블에 customer_id가 같은 행이 있는 것만 남깁니다"],
        ("연결",),
        id="semi-join",
    ),
    # --- projection ------------------------------------------------------------------------
    case(
        "duckdb",
        "SELECT * FROM products",
        ["products 테이블에서 데이터를 가져옵니다.", "결과로 모든 열을 보여줍니다."],
        id="star",
    ),
    case(
        "sqlite",
        "SELECT name AS customer_name, city FROM customers",
        ["결과로 name(결과 이름 customer_name), city를 보여줍니다."],
        id="columns-alias",
    ),
    case("duckdb", "SELECT DISTINCT grade FROM customers", ["중복된 행을 제거하고 grade를 보여줍니다."], id="distinct"),
    case(
        "postgres",
        "SELECT DISTINCT ON (customer_id) customer_id, ordered_at FROM orders ORDER BY customer_id, ordered_at DESC",
        ["customer_id별로 첫 행 하나만 남겨", "ordered_at이 늦은 순"],
        id="distinct-on",
    ),
    case(
        "duckdb", "SELECT 1 + 1 AS two", ["테이블 없이 값을 바로 계산합니다.", "two(1 + 1로 계산한 값)"], id="no-from"
    ),
    # --- WHERE -----------------------------------------------------------------------------
    case(
        "duckdb",
        "SELECT * FROM products WHERE price > 1000 AND stock_qty <= 5 AND grade = 'VIP' AND city <> '서울'",
        ["price가 1000보다 크고", "stock_qty가 5 이하이고", "grade가 'VIP'이고", "city가 '서울'이 아닌 행만 고릅니다."],
        id="comparisons",
    ),
    case(
        "duckdb",
        "SELECT * FROM orders WHERE ordered_at >= '2024-03-01' AND ordered_at < '2024-04-01'",
        ["ordered_at이 2024-03-01 이상이고 2024-04-01 미만인 행만 고릅니다."],
        ("'2024-03-01'",),
        id="date-range-one-subject",
    ),
    case(
        "sqlite",
        "SELECT * FROM products WHERE price BETWEEN 1000 AND 5000",
        ["price가 1000 이상 5000 이하인 행만"],
        id="between",
    ),
    case(
        "duckdb",
        "SELECT * FROM products WHERE price NOT BETWEEN 1000 AND 5000",
        ["price가 1000부터 5000까지의 범위를 벗어나는 행만"],
        id="not-between",
    ),
    case(
        "duckdb",
        "SELECT * FROM customers WHERE city IN ('서울', '부산')",
        ["city가 '서울', '부산' 중 하나인"],
        id="in-list",
    ),
    case(
        "duckdb",
        "SELECT * FROM customers WHERE grade IN ('VIP') AND city NOT IN ('서울')",
        ["grade가 'VIP'이고 city가 '서울'이 아닌 행만"],
        ("중 하나", "어느 것도"),
        id="in-single-value",
    ),
    case(
        "postgres",
        "SELECT * FROM customers WHERE grade NOT IN ('일반', '실버')",
        ["grade가 '일반', '실버' 중 어느 것도 아닌"],
        id="not-in-list",
    ),
    case(
        "duckdb",
        "SELECT * FROM customers WHERE customer_id IN (SELECT customer_id FROM orders WHERE status = '취소')",
        ["customer_id가 orders 테이블에서 status가 '취소'인 행의 customer_id 중 하나인"],
        id="in-simple-subquery",
    ),
    case(
        "duckdb",
        "SELECT * FROM customers WHERE customer_id IN "
        "(SELECT customer_id FROM orders GROUP BY customer_id HAVING COUNT(*) >= 3)",
        ["하위 조회 1의 결과 중 하나인", "[하위 조회 1] customer_id별로 묶어", "행 수가 3 이상인 그룹만"],
        id="in-grouped-subquery",
    ),
    case(
        "duckdb", "SELECT * FROM customers WHERE city LIKE '서울%'", ["city가 '서울'로 시작하는 행만"], id="like-prefix"
    ),
    case(
        "sqlite", "SELECT * FROM products WHERE name LIKE '%펜%'", ["name에 '펜'이 들어가는 행만"], id="like-contains"
    ),
    case("duckdb", "SELECT * FROM stores WHERE name LIKE '%점'", ["name이 '점'으로 끝나는"], id="like-suffix"),
    case(
        "postgres",
        "SELECT * FROM customers WHERE email ILIKE '%@gmail.com'",
        ["email이 대소문자 구분 없이 '@gmail.com'으로 끝나는"],
        id="ilike",
    ),
    case(
        "duckdb", "SELECT * FROM orders WHERE memo NOT LIKE '%취소%'", ["memo에 '취소'가 들어가지 않는"], id="not-like"
    ),
    case("duckdb", "SELECT * FROM products WHERE code LIKE 'A_1%'", ["'A_1%' 패턴과 일치하는"], id="like-pattern"),
    case(
        "duckdb",
        "SELECT * FROM customers WHERE last_login_at IS NULL",
        ["last_login_at이 비어 있는 행만"],
        id="is-null",
    ),
    case(
        "postgres", "SELECT * FROM products WHERE brand IS NOT NULL", ["brand가 비어 있지 않은 행만"], id="is-not-null"
    ),
    case(
        "duckdb",
        "SELECT * FROM customers WHERE city = '서울' OR city = '부산'",
        ["city가 '서울'이거나 '부산'인 행만"],
        id="or-one-subject",
    ),
    case(
        "duckdb",
        "SELECT * FROM customers WHERE (city = '서울' OR grade = 'VIP') AND birth_year >= 1990",
        ["city가 '서울'이거나 grade가 'VIP'인 경우에 해당하고 birth_year가 1990 이상인 행만"],
        id="and-of-or",
    ),
    case(
        "duckdb",
        "SELECT * FROM customers WHERE NOT (city = '서울' OR city = '부산')",
        ["city가 '서울'이거나 '부산'인 경우가 아닌 행만"],
        id="not-group",
    ),
    case(
        "sqlite",
        "SELECT * FROM products WHERE is_active AND NOT is_gift",
        ["is_active가 참이고 is_gift가 거짓인 행만"],
        id="boolean-columns",
    ),
    case(
        "duckdb",
        "SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id)",
        ["orders 테이블에 customer_id가 같은 행이 하나라도 있는 행만"],
        id="exists",
    ),
    case(
        "postgres",
        "SELECT name FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id)",
        ["customer_id가 같은 행이 하나도 없는 행만"],
        id="not-exists",
    ),
    case(
        "duckdb",
        "SELECT * FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id "
        "AND o.product_id IN (SELECT product_id FROM order_items GROUP BY product_id HAVING COUNT(*) > 5))",
        [
            "orders 테이블에 customer_id가 같고 product_id가 하위 조회 1의 결과 중 하나인 행이 하나라도 있는 행만",
            "[하위 조회 1] product_id별로 묶어",
        ],
        id="nested-subqueries",
    ),
    case(
        "duckdb",
        "SELECT * FROM products WHERE price > (SELECT AVG(price) FROM products)",
        ["price가 products 테이블 전체의 price의 평균보다 큰 행만"],
        id="scalar-subquery-where",
    ),
    # --- aggregates, GROUP BY, HAVING ------------------------------------------------------
    case(
        "duckdb",
        "SELECT COUNT(DISTINCT customer_id) AS buyers FROM orders",
        ["전체 행을 하나로 모아 서로 다른 customer_id의 수(buyers)를 셉니다."],
        id="count-distinct",
    ),
    case(
        "sqlite",
        "SELECT category_id, SUM(price) AS s, AVG(price) AS a, MIN(price), MAX(price) FROM products "
        "GROUP BY category_id",
        ["category_id별로 묶어", "price의 합계(s)", "price의 평균(a)", "price의 최솟값", "price의 최댓값", "구합니다"],
        id="sum-avg-min-max",
    ),
    case("duckdb", "SELECT COUNT(*) FROM customers", ["전체 행을 하나로 모아 행 수를 셉니다."], id="count-star"),
    case(
        "postgres",
        "SELECT city, grade, COUNT(*) FROM customers GROUP BY city, grade HAVING COUNT(*) > 10",
        ["city, grade별로 묶어 행 수를 셉니다.", "묶은 결과 중 행 수가 10보다 큰 그룹만 남깁니다."],
        id="group-having",
    ),
    case(
        "duckdb",
        "SELECT COUNT(*) FILTER (WHERE status = '완료') AS done FROM orders",
        ["status가 '완료'인 행 수(done)"],
        id="filter",
    ),
    case(
        "postgres",
        "SELECT SUM(CASE WHEN status = '취소' THEN 1 ELSE 0 END) AS cancelled FROM orders",
        ["status가 '취소'인 행 수(cancelled)"],
        id="sum-case-count",
    ),
    # --- ORDER BY, LIMIT, OFFSET -----------------------------------------------------------
    case(
        "duckdb",
        "SELECT name, price FROM products ORDER BY price DESC, name ASC",
        ["price가 큰 순으로, 같으면 name이 작은 순으로 정렬합니다."],
        id="order-multi",
    ),
    case("duckdb", "SELECT * FROM products LIMIT 5", ["처음 5개 행만 보여줍니다."], id="limit-only"),
    case(
        "postgres",
        "SELECT * FROM orders ORDER BY ordered_at DESC LIMIT 10 OFFSET 20",
        ["ordered_at이 늦은 순으로 정렬한 뒤 앞의 20개를 건너뛰고 다음 10개를 보여줍니다."],
        id="limit-offset",
    ),
    # --- subqueries, CTEs, set operations --------------------------------------------------
    case(
        "duckdb",
        "SELECT name, (SELECT MAX(price) FROM products) AS top FROM products",
        ["products 테이블 전체의 price의 최댓값(top)"],
        id="scalar-subquery-select",
    ),
    case(
        "duckdb",
        "SELECT s.city, s.n FROM (SELECT city, COUNT(*) AS n FROM customers GROUP BY city) s WHERE s.n > 100",
        [
            "먼저 하위 조회로 s라는 중간 결과를 만듭니다.",
            "[s] city별로 묶어 행 수(n)를 셉니다.",
            "중간 결과 s에서 데이터를 가져옵니다.",
            "n이 100보다 큰 행만",
        ],
        id="from-subquery",
    ),
    case(
        "duckdb",
        "WITH monthly AS (SELECT customer_id, SUM(amount) AS total FROM orders GROUP BY customer_id), "
        "big_spenders AS (SELECT * FROM monthly WHERE total > 1000000) SELECT COUNT(*) FROM big_spenders",
        [
            "먼저 monthly라는 중간 결과를 만듭니다.",
            "[monthly] customer_id별로 묶어",
            "다음으로 big_spenders라는 중간 결과",
            "[big_spenders] 중간 결과 monthly에서",
            "이제 중간 결과를 이용해 최종 결과를 만듭니다.",
            "중간 결과 big_spenders에서",
        ],
        id="ctes",
    ),
    case(
        "postgres",
        "WITH RECURSIVE nums AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM nums WHERE n < 10) SELECT n FROM nums",
        ["nums라는 중간 결과를 반복(재귀) 방식으로 만듭니다.", "[nums 시작]", "[nums 반복] n이 10 미만인 행만"],
        id="recursive-cte",
    ),
    case(
        "duckdb",
        "SELECT city FROM customers UNION SELECT city FROM stores",
        ["[조회 1] customers 테이블", "[조회 2] stores 테이블", "두 조회 결과를 위아래로 합쳐 중복된 행은 하나만"],
        id="union",
    ),
    case(
        "sqlite",
        "SELECT city FROM a UNION ALL SELECT city FROM b UNION ALL SELECT city FROM c ORDER BY city",
        ["[조회 3]", "세 조회 결과를 위아래로 합쳐 중복된 행도 그대로", "city가 작은 순으로 정렬합니다."],
        id="union-all-three",
    ),
    case(
        "postgres",
        "SELECT id FROM a INTERSECT SELECT id FROM b",
        ["두 조회 결과에 모두 들어 있는 행만"],
        id="intersect",
    ),
    case("duckdb", "SELECT id FROM a EXCEPT SELECT id FROM b", ["첫 번째 조회 결과에서", "행을 뺍니다"], id="except"),
    # --- window functions ------------------------------------------------------------------
    case(
        "postgres",
        "SELECT customer_id, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY ordered_at) AS rn FROM orders",
        ["customer_id별로 나누어 ordered_at이 이른 순으로 행 번호(rn)를 매깁니다."],
        id="row-number",
    ),
    case(
        "duckdb",
        "SELECT name, RANK() OVER (PARTITION BY category_id ORDER BY price DESC) AS rk FROM products",
        ["category_id별로 나누어 price가 큰 순으로 순위(rk)를 매깁니다."],
        id="rank",
    ),
    case(
        "sqlite",
        "SELECT name, DENSE_RANK() OVER (ORDER BY score DESC) AS r FROM players",
        ["순위(r)를 매깁니다", "건너뛰지 않습니다"],
        id="dense-rank",
    ),
    case(
        "duckdb",
        "SELECT LAG(amount) OVER (ORDER BY ordered_at) AS prev, LEAD(amount, 2) OVER (ORDER BY ordered_at) "
        "AS nxt FROM orders",
        ["바로 앞 행의 amount(prev)를 가져옵니다", "2행 다음 행의 amount(nxt)"],
        id="lag-lead",
    ),
    case(
        "postgres",
        "SELECT SUM(amount) OVER (PARTITION BY customer_id ORDER BY ordered_at) AS running FROM orders",
        ["amount의 누적 합계(running)를 구합니다"],
        id="running-sum",
    ),
    case(
        "duckdb",
        "SELECT AVG(amount) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS ma FROM sales",
        ["앞 6행부터 현재 행까지의 amount의 평균(ma)"],
        ("누적",),
        id="moving-average",
    ),
    case(
        "duckdb",
        "SELECT customer_id, SUM(amount) OVER (PARTITION BY customer_id) AS total FROM orders",
        ["각 묶음의 amount의 합계(total)를 구해 각 행에 붙입니다."],
        id="window-total",
    ),
    # --- expressions -----------------------------------------------------------------------
    case(
        "duckdb",
        "SELECT name, CASE WHEN amount >= 100000 THEN '고액' WHEN amount >= 10000 THEN '중간' "
        "ELSE '소액' END AS tier FROM orders",
        ["tier(조건에 따라 분류한 값: amount가 100000 이상이면 '고액'", "그 밖에는 '소액')"],
        id="case-when",
    ),
    case(
        "duckdb",
        "SELECT EXTRACT(YEAR FROM ordered_at) AS y, COUNT(*) FROM orders GROUP BY y",
        ["ordered_at의 연도(y)", "y별로 묶어"],
        id="duckdb-extract",
    ),
    case(
        "sqlite",
        "SELECT strftime('%Y-%m', ordered_at) AS month, SUM(amount) FROM orders GROUP BY 1 ORDER BY month",
        ["ordered_at의 연월별로 묶어", "month가 이른 순"],
        id="sqlite-strftime",
    ),
    case(
        "postgres",
        "SELECT date_trunc('month', ordered_at) AS m, COUNT(*) FROM orders GROUP BY 1",
        ["월 단위로 자른 ordered_at별로 묶어 행 수를 셉니다."],
        id="postgres-date-trunc",
    ),
    case(
        "postgres",
        "SELECT DATE_PART('year', signup_date) AS y, to_char(signup_date, 'YYYY-MM') AS ym FROM customers",
        ["signup_date의 연도(y)", "signup_date의 연월(ym)"],
        id="postgres-date-part-to-char",
    ),
    case(
        "duckdb",
        "SELECT year(d), month(d), date_trunc('week', d) FROM t",
        ["d의 연도", "d의 월", "주 단위로 자른 d"],
        id="duckdb-date-functions",
    ),
    case(
        "postgres",
        "SELECT CAST(price AS INTEGER) AS p, ordered_at::date AS day FROM orders",
        ["정수로 변환한 price(p)", "날짜로 변환한 ordered_at(day)"],
        id="cast",
    ),
    case(
        "duckdb",
        "SELECT ROUND(100.0 * SUM(refund) / SUM(amount), 1) AS refund_pct FROM orders",
        ["refund_pct(100.0 * SUM(refund) / SUM(amount)으로 계산한 값, 소수점 1자리까지 반올림)"],
        id="ratio-round",
    ),
    case(
        "sqlite",
        "SELECT ROUND(AVG(price)) AS avg_price FROM products",
        ["정수로 반올림한 price의 평균(avg_price)"],
        id="round-aggregate",
    ),
    case(
        "duckdb",
        "SELECT COALESCE(phone, '없음') AS contact FROM customers",
        ["비어 있으면 '없음'으로 채운 phone(contact)"],
        id="coalesce",
    ),
    case("duckdb", "SELECT levenshtein(a, b) AS dist FROM words", ["dist(LEVENSHTEIN(a, b))"], id="unknown-function"),
]


@pytest.mark.parametrize(("dialect", "sql", "expected", "forbidden"), CASES)
def test_explain_wording(dialect, sql, expected, forbidden):
    lines = explain(sql, dialect)
    text = "\n".join(lines)
    for fragment in expected:
        assert fragment in text, f"{fragment!r} missing from:\n{text}"
    for fragment in (*LEAKS, *forbidden):
        assert fragment not in text, f"{fragment!r} must not appear in:\n{text}"
    for line in lines:  # plain polite sentences
        assert line.endswith("."), line
        assert "니다" in line, line


def test_headline_example_reads_as_expected_sentences():
    assert explain(HEADLINE, "duckdb") == [
        "customers 테이블과 orders 테이블을 customer_id가 같은 행끼리 연결합니다.",
        "ordered_at이 2024-03-01 이상이고 2024-04-01 미만인 행만 고릅니다.",
        "city별로 묶어 행 수(n)를 셉니다.",
        "결과로 city, 행 수(n)를 보여줍니다.",
        "n이 큰 순으로 정렬해 상위 10개를 보여줍니다.",
    ]


SHOP_LABELS = {
    "customers": "쇼핑몰 회원",
    "customers.city": "거주 도시 (시·도)",
    "orders": "주문 내역",
    "orders.ordered_at": "주문 시각. 결제 완료 기준",
    "orders.amount": "결제 금액: 원 단위",
}


def test_labels_use_short_korean_names_with_the_raw_name():
    text = "\n".join(explain(HEADLINE, "duckdb", SHOP_LABELS))
    assert "쇼핑몰 회원(customers) 테이블과 주문 내역(orders) 테이블을" in text
    assert "주문 시각(ordered_at)이 2024-03-01 이상이고" in text
    assert "거주 도시(city)별로 묶어" in text
    assert "시·도" not in text and "결제 완료" not in text  # only the short form
    assert "customer_id가 같은" in text  # unlabelled names stay raw


def test_labels_resolve_unqualified_columns_and_aggregates():
    text = "\n".join(explain("SELECT SUM(amount) AS total FROM orders WHERE amount > 0", "duckdb", SHOP_LABELS))
    assert "결제 금액(amount)의 합계(total)" in text
    assert "결제 금액(amount)이 0보다 큰 행만" in text


def test_postgresql_backend_name_is_accepted():
    sql = "SELECT * FROM t WHERE name ILIKE 'a%'"
    assert explain(sql, "postgresql") == explain(sql, "postgres")


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        ("서울", "으로/로", "서울로"),  # ㄹ batchim takes 로
        ("'서울'", "으로/로", "'서울'로"),
        ("'점'", "으로/로", "'점'으로"),
        ("'펜'", "이/가", "'펜'이"),
        ("도시", "은/는", "도시는"),
        ("회원", "은/는", "회원은"),
        ("고객", "과/와", "고객과"),
        ("customers 테이블", "과/와", "customers 테이블과"),
        ("city", "이/가", "city가"),
        ("ordered_at", "이/가", "ordered_at이"),  # 앳
        ("customer_id", "이/가", "customer_id가"),  # 아이디
        ("name", "을/를", "name을"),  # 네임
        ("type", "이/가", "type이"),  # 타입
        ("email", "으로/로", "email로"),  # 이메일: ㄹ
        ("total", "이/가", "total이"),
        ("stock", "이/가", "stock이"),
        ("price", "을/를", "price를"),
        ("'@gmail.com'", "으로/로", "'@gmail.com'으로"),  # 닷컴
        ("VIP", "을/를", "VIP를"),  # 브이아이피
        ("URL", "으로/로", "URL로"),  # 유알엘
        ("r", "이라는/라는", "r이라는"),  # a single letter is read by its name: 알
        ("b", "이/가", "b가"),  # 비
        ("2", "을/를", "2를"),
        ("3", "으로/로", "3으로"),
        ("1", "으로/로", "1로"),  # 일: ㄹ
        ("10", "을/를", "10을"),  # 십
        ("1.5", "이/가", "1.5가"),  # 오
        ("행 수(n)", "을/를", "행 수(n)를"),  # the word before the parentheses decides
        ("거주 도시(city)", "이/가", "거주 도시(city)가"),
        ("주문 시각(ordered_at)", "이/가", "주문 시각(ordered_at)이"),
        ("COUNT(*)", "으로/로", "COUNT(*)로"),  # 카운트
        ("SUM(x)", "으로/로", "SUM(x)으로"),  # 썸
        ("monthly", "이라는/라는", "monthly라는"),
        ("sub", "이라는/라는", "sub이라는"),
        ("*", "을/를", "*(을)를"),  # unknown reading: both forms
        ("+", "으로/로", "+(으)로"),
        ("…", "이라는/라는", "…(이)라는"),
    ],
)
def test_with_particle(word, pair, expected):
    assert with_particle(word, pair) == expected


@pytest.mark.parametrize(
    ("word", "sound"),
    [
        ("가", ""),
        ("각", "n"),
        ("갈", "l"),
        ("0", "n"),
        ("7", "l"),
        ("9", ""),
        ("table", "l"),
        ("zone", "n"),
        ("group", "n"),
        ("status", ""),
        ("", None),
        ("#", None),
    ],
)
def test_final_sound(word, sound):
    assert final_sound(word) == sound


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("", EMPTY),
        ("   \n ", EMPTY),
        (";", EMPTY),
        ("SELECT FROM", UNPARSABLE),
        ("SELECT 'unterminated", UNPARSABLE),
        ("((((", UNPARSABLE),
        ("DROP TABLE customers", NOT_A_QUERY),
        ("DELETE FROM orders", NOT_A_QUERY),
        ("UPDATE customers SET grade = 'VIP'", NOT_A_QUERY),
        ("INSERT INTO t SELECT * FROM s", NOT_A_QUERY),
        ("CREATE TABLE t AS SELECT 1", NOT_A_QUERY),
        ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", NOT_A_QUERY),
        ("SELECT 1; SELECT 2", MANY_STATEMENTS),
    ],
)
def test_fallback_sentences(sql, expected):
    assert explain(sql, "duckdb") == [expected]


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("garbage !! ???", "duckdb"),
        ("hello world", "sqlite"),
        ("PRAGMA table_info(t)", "sqlite"),
        ("SELECT", "duckdb"),
        ("SELECT * FROM t WHERE", "postgres"),
        ("VALUES (1, 2)", "duckdb"),
        ("SELECT " + "(" * 300 + "1" + ")" * 300, "duckdb"),
        ("SELECT * FROM t", "no-such-dialect"),
        ('SELECT "고객"."도시" FROM "고객"', "postgres"),
        ("SELECT * FROM read_csv('x.csv')", "duckdb"),
        ("SELECT a FROM t GROUP BY ROLLUP (a)", "postgres"),
        ("SELECT x FROM t WHERE x = ANY (SELECT y FROM u)", "postgres"),
    ],
)
def test_never_raises_on_odd_input(sql, dialect):
    lines = explain(sql, dialect)
    assert lines and all(isinstance(line, str) and line.strip() for line in lines)
    assert not any(leak in line for line in lines for leak in ("exp.", "Traceback"))


def test_never_raises_on_any_prefix_of_real_queries():
    """What an analyst has half-typed must still get an answer, never an exception."""
    sql_by_id = {param.id: param.values[1] for param in CASES}
    for sql in (HEADLINE, sql_by_id["ctes"], sql_by_id["and-of-or"], sql_by_id["case-when"], sql_by_id["lag-lead"]):
        for end in range(0, len(sql) + 1, 3):
            lines = explain(sql[:end], "duckdb")
            assert lines and all(isinstance(line, str) and line for line in lines), sql[:end]


def test_a_failing_clause_falls_back_without_hiding_the_others(monkeypatch):
    def broken(select, ctx):
        raise RuntimeError("boom")

    clauses = tuple((key, broken if fn.__name__ == "_where_clause" else fn) for key, fn in explain_module._CLAUSES)
    monkeypatch.setattr(explain_module, "_CLAUSES", clauses)
    lines = explain("SELECT name FROM customers WHERE city = '서울' ORDER BY name LIMIT 3", "duckdb")
    assert "이 부분은 자동 설명이 지원되지 않습니다: WHERE city = '서울'" in lines
    assert "customers 테이블에서 데이터를 가져옵니다." in lines
    assert "name이 작은 순으로 정렬해 상위 3개를 보여줍니다." in lines


def test_dialects_agree_on_the_same_query():
    sql = "SELECT city, COUNT(*) AS n FROM customers WHERE city LIKE '서%' GROUP BY city ORDER BY n DESC LIMIT 3"
    assert explain(sql, "duckdb") == explain(sql, "sqlite") == explain(sql, "postgres")
