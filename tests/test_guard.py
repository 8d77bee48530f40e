"""The read-only SQL guard: what it refuses, what it lets through unchanged, and the row cap.

Allowed queries are also run against small real DuckDB and SQLite databases (and PostgreSQL
when its server binaries are installed) to prove the normalised SQL returns the same rows.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter

import duckdb
import pytest

from t2sql.errors import GuardRefusal
from t2sql.guard import statement as guard
from t2sql.sqltext import DIALECTS

HANGUL = re.compile(r"[가-힣]")
ALL = ("duckdb", "sqlite", "postgres")

# --- Refusals --------------------------------------------------------------------------------
# (dialects, id, sql, fragment expected in the Korean message)
NOT_READ = "읽기 전용 조회(SELECT)만"
STACKED = "하나만"
PARSE = "해석할 수 없습니다"
FILE = "파일이나 외부 주소"
SYSTEM = "시스템을 다루는 함수"
TABLE_FN = "테이블 함수"
UNKNOWN_FN = "허용 목록에 없는 함수"
EMPTY = "비어 있습니다"

REFUSED_EVERYWHERE = [
    ("delete", "DELETE FROM orders", "DELETE 문"),
    ("delete-where", "DELETE FROM orders WHERE id = 1", "DELETE 문"),
    ("update", "UPDATE products SET price = 0", "UPDATE 문"),
    ("insert", "INSERT INTO products VALUES (9, 'x', 'y', 1)", "INSERT 문"),
    ("insert-select", "INSERT INTO products SELECT * FROM products", "INSERT 문"),
    ("drop", "DROP TABLE orders", "DROP 문"),
    ("drop-if-exists", "DROP TABLE IF EXISTS orders", "DROP 문"),
    ("create-table-as", "CREATE TABLE copy AS SELECT * FROM orders", "CREATE 문"),
    ("create-view", "CREATE VIEW v AS SELECT 1", "CREATE 문"),
    ("create-index", "CREATE INDEX i ON orders (id)", "CREATE 문"),
    ("alter", "ALTER TABLE orders ADD COLUMN x INTEGER", "ALTER 문"),
    ("alter-rename", "ALTER TABLE orders RENAME TO old_orders", "ALTER 문"),
    ("mixed-case-delete", "dElEtE fRoM orders", "DELETE 문"),
    ("mixed-case-drop", "Drop Table Orders", "DROP 문"),
    ("stacked", "SELECT 1; DROP TABLE orders", STACKED),
    ("stacked-select-select", "SELECT 1; SELECT 2", STACKED),
    ("stacked-empty-between", "SELECT 1; ; DELETE FROM orders", STACKED),
    ("comment-block-semicolon", "SELECT 1 /* ; */; DELETE FROM orders", STACKED),
    ("comment-line-semicolon", "SELECT 1 -- \n; DROP TABLE orders", STACKED),
    ("delete-first-then-select", "DELETE FROM orders; SELECT 1", STACKED),
    ("begin", "BEGIN", "BEGIN 문"),
    ("commit", "COMMIT", "COMMIT 문"),
    ("rollback", "ROLLBACK", "ROLLBACK 문"),
    ("vacuum", "VACUUM", "VACUUM 문"),
    ("empty", "", EMPTY),
    ("whitespace", "   \n\t  ", EMPTY),
    ("only-semicolon", ";", EMPTY),
    ("only-comment", "-- 주석만 있음", EMPTY),
    ("garbage", "hello world garbage", PARSE),
    ("garbage-symbols", "SELECT FROM WHERE ((", PARSE),
    ("korean-prose", "지난달 서울 지역 매출 합계는 얼마였나요?", PARSE),
    ("korean-word", "매출", NOT_READ),
    ("bare-identifier", "checkpoint_x", NOT_READ),
    ("unknown-function", "SELECT frobnicate(1)", UNKNOWN_FN),
    ("three-part-name", "SELECT * FROM other_db.main.orders", "다른 데이터베이스"),
    ("file-path-table", "SELECT * FROM '/etc/passwd'", FILE),
    ("url-table", "SELECT * FROM 'https://x/y.csv'", FILE),
]
REFUSED_DUCKDB = [
    ("with-delete-returning", "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d", "DELETE 문"),
    ("select-into", "SELECT * INTO new_t FROM orders", "SELECT ... INTO"),
    ("insert-or-replace", "INSERT OR REPLACE INTO products VALUES (1, 'x', 'y', 1)", "INSERT 문"),
    ("attach", "ATTACH 'other.db' AS other", "ATTACH 문"),
    ("attach-readonly", "ATTACH 'other.db' AS other (READ_ONLY)", "ATTACH 문"),
    ("detach", "DETACH other", "DETACH 문"),
    ("copy-to", "COPY orders TO 'out.csv'", "COPY 문"),
    ("copy-query-to", "COPY (SELECT * FROM orders) TO 'out.parquet' (FORMAT PARQUET)", "COPY 문"),
    ("copy-from", "COPY orders FROM 'in.csv'", "COPY 문"),
    ("export-database", "EXPORT DATABASE 'dump'", PARSE),
    ("import-database", "IMPORT DATABASE 'dump'", PARSE),
    ("pragma", "PRAGMA table_info('orders')", "PRAGMA 문"),
    ("pragma-set", "PRAGMA threads=1", "PRAGMA 문"),
    ("set", "SET threads = 1", "SET 문"),
    ("set-variable", "SET VARIABLE x = 1", "SET 문"),
    ("reset", "RESET threads", "RESET 문"),
    ("install", "INSTALL httpfs", "INSTALL 문"),
    ("load", "LOAD httpfs", "LOAD 문"),
    ("call", "CALL pragma_version()", "CALL 문"),
    ("checkpoint", "CHECKPOINT", NOT_READ),
    ("force-checkpoint", "FORCE CHECKPOINT", "FORCE 문"),
    ("describe", "DESCRIBE orders", "DESCRIBE 문"),
    ("show-tables", "SHOW TABLES", "SHOW 문"),
    ("merge", "MERGE INTO products p USING products s ON p.id = s.id WHEN MATCHED THEN DELETE", "MERGE 문"),
    ("truncate", "TRUNCATE orders", "TRUNCATE 문"),
    ("read-csv-from", "SELECT * FROM read_csv('x.csv')", FILE),
    ("read-csv-auto-from", "SELECT * FROM read_csv_auto('x.csv')", FILE),
    ("read-csv-qualified", "SELECT * FROM main.read_csv('x.csv')", FILE),
    ("read-parquet-from", "SELECT * FROM read_parquet('x.parquet')", FILE),
    ("read-json-from", "SELECT * FROM read_json('x.json')", FILE),
    ("read-json-auto-from", "SELECT * FROM read_json_auto('x.json')", FILE),
    ("read-text-from", "SELECT * FROM read_text('/etc/passwd')", FILE),
    ("read-blob-from", "SELECT * FROM read_blob('/etc/passwd')", FILE),
    ("glob-from", "SELECT * FROM glob('/etc/*')", FILE),
    ("parquet-scan-from", "SELECT * FROM parquet_scan('x.parquet')", FILE),
    ("sqlite-scan-from", "SELECT * FROM sqlite_scan('x.db', 't')", FILE),
    ("read-csv-join", "SELECT * FROM orders o JOIN read_csv('x.csv') r ON TRUE", FILE),
    ("read-csv-lateral", "SELECT * FROM orders, LATERAL read_csv('x.csv')", FILE),
    ("read-csv-in-cte", "WITH f AS (SELECT * FROM read_csv('x.csv')) SELECT * FROM f", FILE),
    ("read-csv-in-subquery", "SELECT * FROM orders WHERE id IN (SELECT id FROM read_csv('x.csv'))", FILE),
    ("read-csv-select", "SELECT read_csv('x.csv')", FILE),
    ("read-parquet-select", "SELECT read_parquet('x.parquet')", FILE),
    ("read-json-select", "SELECT read_json('x.json')", FILE),
    ("read-text-select", "SELECT read_text('/etc/passwd')", FILE),
    ("read-blob-select", "SELECT read_blob('/etc/passwd')", FILE),
    ("glob-select", "SELECT glob('/etc/*')", FILE),
    ("read-text-quoted-name", "SELECT \"read_text\"('/etc/passwd')", FILE),
    ("file-path-double-quoted", 'SELECT * FROM "data.csv"', FILE),
    ("file-path-join", "SELECT * FROM orders JOIN 'x.parquet' p ON TRUE", FILE),
    ("s3-url-table", "SELECT * FROM 's3://bucket/x.parquet'", FILE),
    ("getenv", "SELECT getenv('HOME')", SYSTEM),
    ("current-setting", "SELECT current_setting('threads')", SYSTEM),
    ("query-table-fn", "SELECT * FROM query('DELETE FROM orders')", SYSTEM),
    ("query-table-table-fn", "SELECT * FROM query_table('orders')", SYSTEM),
    ("nextval", "SELECT nextval('seq')", SYSTEM),
    ("duckdb-settings-fn", "SELECT * FROM duckdb_settings()", SYSTEM),
    ("json-execute-sql", "SELECT * FROM json_execute_serialized_sql('x')", SYSTEM),
    ("generate-series-from", "SELECT * FROM generate_series(1, 10)", TABLE_FN),
    ("range-from", "SELECT * FROM range(10)", TABLE_FN),
    ("for-update", "SELECT * FROM orders FOR UPDATE", "FOR UPDATE"),
    ("values-root", "VALUES (1), (2)", NOT_READ),
    ("method-call-getenv", "SELECT 'HOME'.getenv()", SYSTEM),
    ("method-call-read-text", "SELECT '/etc/passwd'.read_text()", FILE),
    ("getenv-in-lambda", "SELECT list_transform([1], x -> getenv('HOME'))", SYSTEM),
    ("read-text-in-unnest", "SELECT * FROM orders, unnest([read_text('/etc/passwd')])", FILE),
    ("motherduck-name", 'SELECT * FROM "md:my_db".orders', FILE),
    ("deep-nesting", "SELECT " + "(" * 3000 + "1" + ")" * 3000, PARSE),
]
REFUSED_SQLITE = [
    ("insert-or-replace", "INSERT OR REPLACE INTO products VALUES (1, 'x', 'y', 1)", "INSERT 문"),
    ("replace-into", "REPLACE INTO products VALUES (1, 'x', 'y', 1)", "REPLACE 문"),
    ("with-delete", "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d", "DELETE 문"),
    ("attach", "ATTACH DATABASE 'other.db' AS other", "ATTACH 문"),
    ("detach", "DETACH DATABASE other", "DETACH 문"),
    ("pragma", "PRAGMA writable_schema = 1", "PRAGMA 문"),
    ("pragma-table-fn", "SELECT * FROM pragma_table_info('orders')", SYSTEM),
    ("vacuum-into", "VACUUM INTO '/tmp/copy.db'", "VACUUM 문"),
    ("reindex", "REINDEX", NOT_READ),
    ("analyze", "ANALYZE", "ANALYZE 문"),
    ("load-extension", "SELECT load_extension('/tmp/evil.so')", FILE),
    ("readfile", "SELECT readfile('/etc/passwd')", FILE),
    ("writefile", "SELECT writefile('/tmp/x', 'y')", FILE),
    ("edit", "SELECT edit('x', 'vi')", FILE),
    ("fts3-tokenizer", "SELECT fts3_tokenizer('simple')", SYSTEM),
    ("sqlite-function", "SELECT sqlite_compileoption_get(0)", SYSTEM),
    ("generate-series-from", "SELECT * FROM generate_series(1, 10)", TABLE_FN),
    ("json-each-from", "SELECT * FROM json_each('[1,2]')", TABLE_FN),
    ("create-trigger", "CREATE TRIGGER t AFTER INSERT ON orders BEGIN DELETE FROM orders; END", STACKED),
    ("for-update", "SELECT * FROM orders FOR UPDATE", "FOR UPDATE"),
]
REFUSED_POSTGRES = [
    ("with-delete-returning", "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d", "DELETE 문"),
    ("with-update-returning", "WITH u AS (UPDATE products SET price = 0 RETURNING id) SELECT * FROM u", "UPDATE 문"),
    ("with-insert-returning", "WITH i AS (INSERT INTO products VALUES (9) RETURNING id) SELECT 1", "INSERT 문"),
    ("select-into", "SELECT * INTO new_t FROM orders", "SELECT ... INTO"),
    ("select-into-temp", "SELECT * INTO TEMP new_t FROM orders", "SELECT ... INTO"),
    ("merge", "MERGE INTO products p USING products s ON p.id = s.id WHEN MATCHED THEN DELETE", "MERGE 문"),
    ("truncate", "TRUNCATE orders", "TRUNCATE 문"),
    ("grant", "GRANT SELECT ON orders TO public", "GRANT 문"),
    ("create-temp", "CREATE TEMP TABLE x AS SELECT 1", "CREATE 문"),
    ("create-function", "CREATE FUNCTION f() RETURNS int AS 'SELECT 1' LANGUAGE sql", "CREATE 문"),
    ("copy-to-program", "COPY orders TO PROGRAM 'rm -rf /'", "COPY 문"),
    ("copy-from-file", "COPY orders FROM '/etc/passwd'", "COPY 문"),
    ("set", "SET statement_timeout = 0", "SET 문"),
    ("set-role", "SET ROLE postgres", "SET 문"),
    ("reset", "RESET statement_timeout", "RESET 문"),
    ("show", "SHOW ALL", "SHOW 문"),
    ("call", "CALL do_things()", "CALL 문"),
    ("do-block", "DO $$ BEGIN DELETE FROM orders; END $$", "DO 문"),
    ("prepare", "PREPARE p AS DELETE FROM orders", "PREPARE 문"),
    ("execute", "EXECUTE p", "EXECUTE 문"),
    ("lock-table", "LOCK TABLE orders", "LOCK 문"),
    ("vacuum-full", "VACUUM FULL orders", "VACUUM 문"),
    ("listen", "LISTEN channel", NOT_READ),
    ("for-update", "SELECT * FROM orders FOR UPDATE", "FOR UPDATE"),
    ("for-share", "SELECT * FROM orders FOR SHARE", "FOR UPDATE"),
    ("for-no-key-update", "SELECT * FROM orders FOR NO KEY UPDATE", "FOR UPDATE"),
    ("for-update-in-subquery", "SELECT * FROM (SELECT * FROM orders FOR UPDATE) s", "FOR UPDATE"),
    ("pg-read-file", "SELECT pg_read_file('/etc/passwd')", FILE),
    ("pg-read-file-qualified", "SELECT pg_catalog.pg_read_file('/etc/passwd')", FILE),
    ("pg-read-binary-file", "SELECT pg_read_binary_file('/etc/passwd')", FILE),
    ("pg-ls-dir", "SELECT * FROM pg_ls_dir('.')", FILE),
    ("pg-stat-file", "SELECT pg_stat_file('x')", FILE),
    ("lo-import", "SELECT lo_import('/etc/passwd')", FILE),
    ("lo-export", "SELECT lo_export(1, '/tmp/x')", FILE),
    ("dblink", "SELECT * FROM dblink('host=x', 'SELECT 1') AS t(a int)", FILE),
    ("pg-sleep", "SELECT pg_sleep(100)", SYSTEM),
    ("pg-sleep-in-where", "SELECT * FROM orders WHERE pg_sleep(1) IS NOT NULL", SYSTEM),
    ("pg-sleep-for", "SELECT pg_sleep_for('5 minutes')", SYSTEM),
    ("pg-terminate-backend", "SELECT pg_terminate_backend(1)", SYSTEM),
    ("current-setting", "SELECT current_setting('data_directory')", SYSTEM),
    ("set-config", "SELECT set_config('statement_timeout', '0', false)", SYSTEM),
    ("nextval", "SELECT nextval('orders_id_seq')", SYSTEM),
    ("generate-series-from", "SELECT * FROM generate_series(1, 10)", TABLE_FN),
    ("lateral-generate-series", "SELECT * FROM orders o CROSS JOIN LATERAL generate_series(1, o.qty)", TABLE_FN),
    ("rows-from-pg-read-file", "SELECT * FROM ROWS FROM (pg_read_file('/etc/passwd'))", FILE),
    ("query-to-xml", "SELECT query_to_xml('DELETE FROM orders', true, true, '')", UNKNOWN_FN),
    ("for-update-skip-locked", "SELECT * FROM orders FOR UPDATE OF orders SKIP LOCKED", "FOR UPDATE"),
    ("pg-shadow", "SELECT * FROM pg_shadow", "시스템 카탈로그"),
    ("pg-authid-qualified", "SELECT rolpassword FROM pg_catalog.pg_authid", "시스템 카탈로그"),
]


def _refusal_params():
    for dialects, cases in (
        (ALL, REFUSED_EVERYWHERE),
        (("duckdb",), REFUSED_DUCKDB),
        (("sqlite",), REFUSED_SQLITE),
        (("postgres",), REFUSED_POSTGRES),
    ):
        for dialect in dialects:
            for case_id, sql, fragment in cases:
                yield pytest.param(dialect, sql, fragment, id=f"{dialect}-{case_id}")


@pytest.mark.parametrize(("dialect", "sql", "fragment"), list(_refusal_params()))
def test_refused(dialect, sql, fragment):
    with pytest.raises(GuardRefusal) as caught:
        guard.check(sql, dialect)
    message = str(caught.value)
    assert HANGUL.search(message), message
    assert fragment in message, message


# --- Allowed ---------------------------------------------------------------------------------
# (id, sql): valid against the fixture schema below in every dialect.
ALLOWED_EVERYWHERE = [
    (
        "join-3-tables",
        "SELECT c.name, p.name AS product, o.qty FROM orders o JOIN customers c ON c.id = o.customer_id "
        "JOIN products p ON p.id = o.product_id",
    ),
    ("left-join", "SELECT c.name, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id"),
    (
        "group-by-having",
        "SELECT c.city, COUNT(*) AS n, SUM(o.amount) AS total FROM orders o JOIN customers c ON c.id = o.customer_id "
        "GROUP BY c.city HAVING SUM(o.amount) > 100",
    ),
    ("order-by-limit", "SELECT name, price FROM products ORDER BY price DESC, name LIMIT 3"),
    ("order-by-limit-offset", "SELECT name FROM products ORDER BY id LIMIT 2 OFFSET 1"),
    (
        "cte",
        "WITH big AS (SELECT * FROM orders WHERE amount > 50) SELECT customer_id, COUNT(*) AS n FROM big "
        "GROUP BY customer_id",
    ),
    (
        "cte-multiple",
        "WITH per_customer AS (SELECT customer_id, SUM(amount) AS total FROM orders GROUP BY customer_id), "
        "ranked AS (SELECT customer_id, total FROM per_customer WHERE total > 0) "
        "SELECT c.name, r.total FROM ranked r JOIN customers c ON c.id = r.customer_id",
    ),
    (
        "cte-nested",
        "WITH outer_q AS (WITH inner_q AS (SELECT customer_id, amount FROM orders) "
        "SELECT customer_id, MAX(amount) AS top FROM inner_q GROUP BY customer_id) SELECT * FROM outer_q",
    ),
    ("cte-recursive", "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5) SELECT x FROM n"),
    (
        "window-functions",
        "SELECT customer_id, amount, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY amount DESC, id) AS rn, "
        "RANK() OVER (ORDER BY amount DESC) AS rk, SUM(amount) OVER (PARTITION BY customer_id) AS customer_total "
        "FROM orders",
    ),
    ("window-lag", "SELECT id, amount - LAG(amount) OVER (ORDER BY id) AS diff FROM orders"),
    ("subquery-where-in", "SELECT name FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE amount > 100)"),
    (
        "subquery-where-exists",
        "SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
    ),
    (
        "subquery-from",
        "SELECT t.city, t.n FROM (SELECT city, COUNT(*) AS n FROM customers GROUP BY city) AS t WHERE t.n >= 1",
    ),
    (
        "subquery-select",
        "SELECT c.name, (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) AS order_count FROM customers c",
    ),
    ("union-all", "SELECT name FROM customers UNION ALL SELECT name FROM products"),
    ("union", "SELECT city FROM customers UNION SELECT category FROM products"),
    ("intersect", "SELECT customer_id FROM orders INTERSECT SELECT id FROM customers"),
    ("except", "SELECT id FROM customers EXCEPT SELECT customer_id FROM orders"),
    (
        "case",
        "SELECT name, CASE WHEN price >= 100 THEN '고가' WHEN price >= 20 THEN '중가' ELSE '저가' END AS band "
        "FROM products",
    ),
    ("coalesce", "SELECT name, COALESCE(city, '미상') AS city FROM customers"),
    ("nullif", "SELECT id, amount / NULLIF(qty, 0) AS unit FROM orders"),
    ("like-korean", "SELECT name FROM customers WHERE city LIKE '%서울%'"),
    ("literal-drop-table", "SELECT 'DROP TABLE customers; --' AS note, name FROM customers"),
    ("literal-semicolon-delete", "SELECT name FROM customers WHERE name <> '; DELETE FROM orders;'"),
    ("korean-literal", "SELECT name, city FROM customers WHERE city = '서울'"),
    ("quoted-identifiers", 'SELECT "등급", "name" FROM "customers" WHERE "등급" = \'VIP\''),
    ("count-distinct", "SELECT COUNT(DISTINCT customer_id) AS buyers FROM orders"),
    ("cast", "SELECT id, CAST(amount AS INTEGER) AS whole FROM orders"),
    ("aggregates", "SELECT MIN(price), MAX(price), AVG(price), SUM(price), COUNT(*) FROM products"),
    ("mixed-case-keywords", "select Name, City from Customers where City = '부산' Order By Name"),
    ("parenthesised-root", "(SELECT name FROM products)"),
    ("trailing-semicolon", "SELECT name FROM products;"),
    ("comment-inside", "SELECT name /* 고객 이름 */ FROM customers -- 끝\n"),
    ("in-list-and-between", "SELECT name FROM products WHERE id IN (1, 2, 3) AND price BETWEEN 10 AND 200"),
    ("string-functions", "SELECT UPPER(name), LOWER(category), LENGTH(name), TRIM(name) FROM products"),
    ("round-abs", "SELECT ROUND(AVG(amount), 1), ABS(MIN(amount) - MAX(amount)) FROM orders"),
]
ALLOWED_BY_DIALECT = {
    "duckdb": [
        ("date-trunc", "SELECT date_trunc('month', ordered_at) AS m, SUM(amount) FROM orders GROUP BY 1 ORDER BY 1"),
        ("strftime", "SELECT strftime(ordered_at, '%Y-%m') AS m, COUNT(*) FROM orders GROUP BY 1"),
        ("extract", "SELECT EXTRACT(year FROM ordered_at) AS y, COUNT(*) FROM orders GROUP BY 1"),
        ("date-diff", "SELECT id, date_diff('day', ordered_at, DATE '2024-12-31') AS days FROM orders"),
        ("between-dates", "SELECT id FROM orders WHERE ordered_at BETWEEN DATE '2024-01-01' AND DATE '2024-03-31'"),
        ("interval", "SELECT id FROM orders WHERE ordered_at >= DATE '2024-06-30' - INTERVAL 90 DAY"),
        ("median-quantile", "SELECT median(amount), quantile_cont(amount, 0.9) FROM orders"),
        (
            "string-agg",
            "SELECT customer_id, string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM orders GROUP BY customer_id",
        ),
        ("list-functions", "SELECT list_sum([1, 2, 3]) AS s, array_length([1, 2]) AS n"),
        ("unnest-from", "SELECT * FROM unnest([1, 2, 3])"),
        ("from-first", "FROM products SELECT name"),
        (
            "qualify",
            "SELECT customer_id, amount FROM orders "
            "QUALIFY ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY amount DESC, id) = 1",
        ),
        ("schema-qualified", "SELECT name FROM main.customers"),
        ("greatest-least", "SELECT greatest(qty, 2), least(qty, 2) FROM orders"),
        ("regexp", "SELECT name FROM customers WHERE regexp_matches(name, '^김')"),
    ],
    "sqlite": [
        ("strftime", "SELECT strftime('%Y-%m', ordered_at) AS m, COUNT(*) FROM orders GROUP BY m"),
        ("julianday", "SELECT id, julianday('2024-12-31') - julianday(ordered_at) AS days FROM orders"),
        ("date-modifiers", "SELECT id FROM orders WHERE ordered_at >= date('2024-06-30', '-90 days')"),
        ("datetime", "SELECT datetime(ordered_at), time('12:00:00') FROM orders"),
        ("between-dates", "SELECT id FROM orders WHERE ordered_at BETWEEN '2024-01-01' AND '2024-03-31'"),
        ("group-concat", "SELECT customer_id, group_concat(id) FROM orders GROUP BY customer_id"),
        ("ifnull-instr-substr", "SELECT ifnull(city, '-'), instr(name, '김'), substr(name, 1, 1) FROM customers"),
        ("printf-total", "SELECT printf('%.1f', total(amount)) FROM orders"),
        ("iif", "SELECT iif(qty > 1, '여러 개', '한 개') FROM orders"),
        ("glob-operator", "SELECT name FROM products WHERE name GLOB '*상품*'"),
        ("schema-qualified", "SELECT name FROM main.customers"),
    ],
    "postgres": [
        ("date-trunc", "SELECT date_trunc('month', ordered_at) AS m, SUM(amount) FROM orders GROUP BY 1 ORDER BY 1"),
        ("to-char", "SELECT to_char(ordered_at, 'YYYY-MM') AS m, COUNT(*) FROM orders GROUP BY 1"),
        ("extract", "SELECT EXTRACT(year FROM ordered_at) AS y, COUNT(*) FROM orders GROUP BY 1"),
        ("age", "SELECT id, age(DATE '2024-12-31', ordered_at) FROM orders"),
        ("between-dates", "SELECT id FROM orders WHERE ordered_at BETWEEN DATE '2024-01-01' AND DATE '2024-03-31'"),
        ("interval", "SELECT id FROM orders WHERE ordered_at >= DATE '2024-06-30' - INTERVAL '90 days'"),
        ("string-agg", "SELECT customer_id, string_agg(id::text, ',' ORDER BY id) FROM orders GROUP BY customer_id"),
        ("double-colon-cast", "SELECT amount::int FROM orders"),
        ("ilike", "SELECT name FROM products WHERE name ILIKE '%상품%'"),
        (
            "distinct-on",
            "SELECT DISTINCT ON (customer_id) customer_id, amount FROM orders ORDER BY customer_id, amount DESC",
        ),
        ("percentile", "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) FROM orders"),
        ("fetch-first", "SELECT name FROM products ORDER BY id FETCH FIRST 2 ROWS ONLY"),
        ("schema-qualified", "SELECT name FROM guard_test.customers"),
    ],
}


def _allowed_params():
    for dialect in ALL:
        for case_id, sql in ALLOWED_EVERYWHERE + ALLOWED_BY_DIALECT[dialect]:
            yield pytest.param(dialect, sql, id=f"{dialect}-{case_id}")


ALLOWED = list(_allowed_params())


@pytest.mark.parametrize(("dialect", "sql"), ALLOWED)
def test_allowed(dialect, sql):
    approved = guard.check(sql, dialect)
    assert isinstance(approved, guard.Approved)
    assert re.search(r"\b(LIMIT|FETCH FIRST)\b", approved.sql)
    assert guard.check(approved.sql, dialect).sql == approved.sql, "normalising twice must be stable"


# --- Executing the normalised SQL ------------------------------------------------------------
SCHEMA = [
    'CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, city TEXT, "등급" TEXT, joined DATE)',
    "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, category TEXT, price INTEGER)",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, product_id INTEGER, qty INTEGER, "
    "amount INTEGER, ordered_at DATE)",
    "INSERT INTO customers VALUES (1, '김민수', '서울', 'VIP', '2023-01-10'), "
    "(2, '이서연', '부산', '일반', '2023-05-02'),"
    " (3, '박지훈', '서울특별시', 'VIP', '2024-02-20'), (4, '최유진', NULL, '일반', '2024-03-15'),"
    " (5, '정다은', '대구', '일반', '2024-04-01')",
    "INSERT INTO products VALUES (1, '노트북 상품', '전자', 1500), (2, '마우스', '전자', 30),"
    " (3, '커피 상품', '식품', 12), (4, '책상', '가구', 250)",
    "INSERT INTO orders VALUES (1, 1, 1, 1, 1500, '2024-01-05'), (2, 1, 2, 2, 60, '2024-01-20'),"
    " (3, 2, 3, 5, 60, '2024-02-11'), (4, 3, 4, 1, 250, '2024-03-03'), (5, 3, 2, 1, 30, '2024-04-18'),"
    " (6, 2, 1, 1, 1500, '2024-05-30'), (7, 4, 3, 0, 0, '2024-06-01'), (8, 1, 3, 3, 36, '2024-06-15')",
    'CREATE TABLE memo ("order" INTEGER, "group" TEXT, "select" TEXT)',
    "INSERT INTO memo VALUES (1, 'A', '삭제 DROP 금지'), (2, 'B', 'DELETE 요청')",
]
TABLES = ["customers", "products", "orders", "memo"]


@pytest.fixture(scope="module")
def duckdb_con():
    con = duckdb.connect(":memory:")
    for statement in SCHEMA:
        con.execute(statement)
    yield con
    con.close()


@pytest.fixture(scope="module")
def sqlite_con():
    con = sqlite3.connect(":memory:")
    for statement in SCHEMA:
        con.execute(statement)
    yield con
    con.close()


@pytest.fixture(scope="module")
def postgres_con(postgres_url):
    import sqlalchemy as sa

    engine = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        cur = raw.cursor()
        cur.execute("DROP SCHEMA IF EXISTS guard_test CASCADE; CREATE SCHEMA guard_test; SET search_path TO guard_test")
        for statement in SCHEMA:
            cur.execute(statement)
        yield cur
        cur.execute("DROP SCHEMA guard_test CASCADE")
    engine.dispose()


def _rows(con, sql):
    return [tuple(row) for row in con.execute(sql).fetchall()]


def _pg_rows(cur, sql):
    cur.execute(sql)
    return [tuple(row) for row in cur.fetchall()]


def _assert_same_rows(original, normalised, sql):
    ordered = "ORDER BY" in sql.upper() and "OVER (" not in sql.upper()
    if ordered:
        assert normalised == original
    else:
        assert Counter(map(repr, normalised)) == Counter(map(repr, original))


def _executable(dialect):
    return [
        pytest.param(sql, id=f"{dialect}-{case_id}")
        for case_id, sql in ALLOWED_EVERYWHERE + ALLOWED_BY_DIALECT[dialect]
    ]


@pytest.mark.parametrize("sql", _executable("duckdb"))
def test_normalised_sql_runs_same_on_duckdb(duckdb_con, sql):
    approved = guard.check(sql, "duckdb")
    original = _rows(duckdb_con, sql.rstrip().rstrip(";"))
    assert original, "each query should return rows on the fixture data"
    _assert_same_rows(original, _rows(duckdb_con, approved.sql), sql)


@pytest.mark.parametrize("sql", _executable("sqlite"))
def test_normalised_sql_runs_same_on_sqlite(sqlite_con, sql):
    approved = guard.check(sql, "sqlite")
    if sql.lstrip().startswith("("):  # SQLite itself cannot run a parenthesised top-level SELECT
        original = _rows(sqlite_con, sql.strip()[1:-1])
    else:
        original = _rows(sqlite_con, sql)
    assert original, "each query should return rows on the fixture data"
    _assert_same_rows(original, _rows(sqlite_con, approved.sql), sql)


@pytest.mark.parametrize("sql", _executable("postgres"))
def test_normalised_sql_runs_same_on_postgres(postgres_con, sql):
    approved = guard.check(sql, "postgres")
    original = _pg_rows(postgres_con, sql)
    assert original, "each query should return rows on the fixture data"
    _assert_same_rows(original, _pg_rows(postgres_con, approved.sql), sql)


# --- Row cap ---------------------------------------------------------------------------------
LIMIT_CASES = [
    # (id, dialect, sql, max_rows, limit_added, fragment in the normalised SQL)
    ("added-when-missing", "duckdb", "SELECT name FROM customers", 1000, True, "LIMIT 1000"),
    ("added-custom-cap", "sqlite", "SELECT name FROM customers", 10, True, "LIMIT 10"),
    ("kept-when-smaller", "duckdb", "SELECT name FROM customers LIMIT 5", 1000, False, "LIMIT 5"),
    ("kept-when-equal", "postgres", "SELECT name FROM customers LIMIT 1000", 1000, False, "LIMIT 1000"),
    ("lowered-when-larger", "sqlite", "SELECT name FROM customers LIMIT 5000", 1000, True, "LIMIT 1000"),
    (
        "lowered-keeps-offset",
        "postgres",
        "SELECT name FROM customers LIMIT 5000 OFFSET 20",
        1000,
        True,
        "LIMIT 1000 OFFSET 20",
    ),
    ("sqlite-offset-comma", "sqlite", "SELECT name FROM customers LIMIT 2, 3", 1000, False, "LIMIT 3 OFFSET 2"),
    (
        "union-added-outside",
        "duckdb",
        "SELECT name FROM customers UNION ALL SELECT name FROM products",
        1000,
        True,
        "SELECT name FROM products LIMIT 1000",
    ),
    (
        "union-lowered",
        "postgres",
        "SELECT name FROM customers UNION SELECT name FROM products LIMIT 99999",
        1000,
        True,
        "SELECT name FROM products LIMIT 1000",
    ),
    (
        "union-kept",
        "sqlite",
        "SELECT name FROM customers UNION SELECT name FROM products LIMIT 7",
        1000,
        False,
        "LIMIT 7",
    ),
    (
        "cte-root-limit",
        "duckdb",
        "WITH c AS (SELECT * FROM customers LIMIT 5000) SELECT * FROM c",
        1000,
        True,
        "LIMIT 5000) SELECT * FROM c LIMIT 1000",
    ),
    (
        "fetch-first-lowered",
        "postgres",
        "SELECT name FROM customers FETCH FIRST 5000 ROWS ONLY",
        1000,
        True,
        "FETCH FIRST 1000 ROWS ONLY",
    ),
    (
        "limit-all-wrapped",
        "postgres",
        "SELECT name FROM customers LIMIT ALL",
        1000,
        True,
        ") AS guarded_query LIMIT 1000",
    ),
    (
        "limit-expression-wrapped",
        "postgres",
        "SELECT name FROM customers LIMIT (SELECT 5)",
        1000,
        True,
        "LIMIT (SELECT 5)) AS guarded_query LIMIT 1000",
    ),
    (
        "limit-percent-wrapped",
        "duckdb",
        "SELECT name FROM customers LIMIT 10%",
        1000,
        True,
        ") AS guarded_query LIMIT 1000",
    ),
    (
        "limit-negative-wrapped",
        "sqlite",
        "SELECT name FROM customers LIMIT -1",
        1000,
        True,
        ") AS guarded_query LIMIT 1000",
    ),
]


@pytest.mark.parametrize(
    ("dialect", "sql", "max_rows", "added", "fragment"), [pytest.param(*case[1:], id=case[0]) for case in LIMIT_CASES]
)
def test_limit(dialect, sql, max_rows, added, fragment):
    approved = guard.check(sql, dialect, max_rows=max_rows)
    assert approved.limit_added is added
    assert fragment in approved.sql, approved.sql
    assert "5000" not in approved.sql.replace("LIMIT 5000)", "") and "99999" not in approved.sql


SERIES_3000 = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000) SELECT x FROM n"


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param(SERIES_3000, id="no-limit"),
        pytest.param(SERIES_3000 + " LIMIT 2500", id="larger-limit"),
        pytest.param(SERIES_3000 + " LIMIT -1", id="sqlite-unlimited"),
    ],
)
def test_cap_really_caps_rows_on_sqlite(sqlite_con, sql):
    approved = guard.check(sql, "sqlite", max_rows=1000)
    rows = _rows(sqlite_con, approved.sql)
    assert len(rows) == 1000 and approved.limit_added


def test_cap_really_caps_rows_on_duckdb(duckdb_con):
    approved = guard.check(SERIES_3000 + " ORDER BY x DESC", "duckdb", max_rows=10)
    assert _rows(duckdb_con, approved.sql) == [(x,) for x in range(3000, 2990, -1)]


def test_union_limit_applies_to_whole_result(sqlite_con):
    approved = guard.check("SELECT id FROM customers UNION ALL SELECT id FROM products", "sqlite", max_rows=6)
    assert approved.sql.endswith("LIMIT 6") and len(_rows(sqlite_con, approved.sql)) == 6


# --- Tables and output -----------------------------------------------------------------------
TABLE_CASES = [
    ("single", "SELECT * FROM orders", ("orders",)),
    (
        "join-sorted",
        "SELECT * FROM products p JOIN orders o ON o.product_id = p.id JOIN customers c ON TRUE",
        ("customers", "orders", "products"),
    ),
    ("cte-excluded", "WITH big AS (SELECT * FROM orders) SELECT * FROM big", ("orders",)),
    (
        "cte-chain-excluded",
        "WITH a AS (SELECT * FROM orders), b AS (SELECT * FROM a JOIN customers c ON TRUE) SELECT * FROM b",
        ("customers", "orders"),
    ),
    (
        "recursive-cte-only",
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3) SELECT x FROM n",
        (),
    ),
    (
        "subqueries",
        "SELECT (SELECT COUNT(*) FROM orders) FROM customers WHERE id IN (SELECT id FROM products)",
        ("customers", "orders", "products"),
    ),
    ("lowercased", 'SELECT * FROM Customers JOIN "ORDERS" ON TRUE', ("customers", "orders")),
    ("schema-qualified", "SELECT * FROM main.customers", ("main.customers",)),
    ("union", "SELECT id FROM customers UNION SELECT id FROM customers", ("customers",)),
    ("no-table", "SELECT 1", ()),
]


@pytest.mark.parametrize(("sql", "tables"), [pytest.param(*case[1:], id=case[0]) for case in TABLE_CASES])
def test_tables(sql, tables):
    assert guard.check(sql, "duckdb").tables == tables


def test_comments_are_dropped_from_normalised_sql():
    approved = guard.check("SELECT name /* DROP TABLE t; */ FROM customers -- x */ DELETE\n", "duckdb")
    assert "/*" not in approved.sql and "--" not in approved.sql and "DELETE" not in approved.sql


def test_string_literals_survive_normalisation():
    approved = guard.check("SELECT '서울; DROP TABLE t; --' AS s, '%부산%' AS p", "sqlite")
    assert "'서울; DROP TABLE t; --'" in approved.sql and "'%부산%'" in approved.sql


def test_dialect_table_and_unknown_dialect():
    assert DIALECTS == {"duckdb": "duckdb", "sqlite": "sqlite", "postgresql": "postgres"}
    with pytest.raises(GuardRefusal):
        guard.check("SELECT 1", "mysql")


def test_parse_uses_the_given_dialect():
    # '::' casts are PostgreSQL/DuckDB syntax; `x GLOB y` is SQLite's. Each parses in its own dialect.
    assert guard.check("SELECT 1::int", "postgres").sql.startswith("SELECT CAST(1 AS INT)")
    assert "GLOB" in guard.check("SELECT 'a' GLOB 'a*'", "sqlite").sql


def test_approved_is_frozen():
    approved = guard.check("SELECT 1", "duckdb")
    with pytest.raises(AttributeError):
        approved.sql = "DROP TABLE t"  # type: ignore[misc]


def test_refusal_does_not_print_sqlglot_warnings(capsys):
    with pytest.raises(GuardRefusal):
        guard.check("RESET threads", "duckdb")
    captured = capsys.readouterr()
    assert "unsupported syntax" not in captured.err + captured.out


# --- Resource abuse --------------------------------------------------------------------------
RECURSION = "끝나는 조건이 없는 재귀 CTE"
SERIES_LARGE = "범위가 너무 큽니다"
SERIES_LITERAL = "숫자나 날짜 상수로"
TOO_LONG = "값이 너무 깁니다"
UNBOUNDED = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n{}) SELECT count(*) FROM n"

RESOURCE_REFUSED = [
    # (dialects, id, sql, fragment)
    (ALL, "recursive-no-where", UNBOUNDED.format(""), RECURSION),
    (ALL, "recursive-where-true", UNBOUNDED.format(" WHERE TRUE"), RECURSION),
    (ALL, "recursive-where-constant", UNBOUNDED.format(" WHERE 1 = 1"), RECURSION),
    (
        ALL,
        "recursive-cross-join",
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT n.x + 1 FROM n CROSS JOIN orders) SELECT count(*) FROM n",
        RECURSION,
    ),
    (
        ALL,
        "recursive-join-on-true",
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT n.x + 1 FROM n JOIN orders ON TRUE) SELECT count(*) FROM n",
        RECURSION,
    ),
    (
        ALL,
        "recursive-three-operands",
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n",
        RECURSION,
    ),
    (ALL, "recursive-in-subquery", "SELECT * FROM (" + UNBOUNDED.format("") + ") s", RECURSION),
    (
        ("sqlite",),
        "recursive-without-keyword",
        "WITH n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n",
        RECURSION,
    ),
    (("duckdb",), "range-giant", "SELECT unnest(range(10000000000))", SERIES_LARGE),
    (("duckdb",), "range-just-over", "SELECT unnest(range(1000001))", SERIES_LARGE),
    (("duckdb",), "range-negative-step", "SELECT unnest(range(0, -5000000, -1))", SERIES_LARGE),
    (
        ("duckdb",),
        "generate-series-in-unnest-from",
        "SELECT * FROM unnest(generate_series(1, 100000000000))",
        SERIES_LARGE,
    ),
    (("duckdb",), "generate-series-list", "SELECT list_sum(generate_series(1, 5000000000))", SERIES_LARGE),
    (
        ("duckdb",),
        "timestamp-series-seconds",
        "SELECT unnest(generate_series(TIMESTAMP '2000-01-01', TIMESTAMP '2001-01-01', INTERVAL 1 SECOND))",
        SERIES_LARGE,
    ),
    (("duckdb",), "range-column-bound", "SELECT unnest(range(qty)) FROM orders", SERIES_LITERAL),
    (("duckdb",), "range-zero-step", "SELECT range(1, 10, 0)", SERIES_LITERAL),
    (("duckdb",), "range-expression-bound", "SELECT range(1, 10 * 1000)", SERIES_LITERAL),
    (
        ("duckdb",),
        "date-series-no-step",
        "SELECT generate_series(DATE '2024-01-01', DATE '2024-12-31')",
        SERIES_LITERAL,
    ),
    (("postgres",), "generate-series-select", "SELECT generate_series(1, 10000000000)", SERIES_LARGE),
    (("postgres",), "generate-series-column", "SELECT generate_series(1, qty) FROM orders", SERIES_LITERAL),
    (
        ("postgres",),
        "date-series-minutes",
        "SELECT generate_series('2000-01-01'::timestamp, '2024-01-01'::timestamp, '1 minute'::interval)",
        SERIES_LARGE,
    ),
    (ALL, "repeat-giant", "SELECT length(repeat('x', 300000000))", TOO_LONG),
    (("duckdb", "postgres"), "lpad-giant", "SELECT lpad(name, 2000000000, 'x') FROM customers", TOO_LONG),
]
RESOURCE_ALLOWED = [
    # (dialects, id, sql)
    (ALL, "recursive-where", UNBOUNDED.format(" WHERE x < 10")),
    (
        ALL,
        "recursive-tree-join",
        "WITH RECURSIVE t(id) AS (SELECT id FROM customers WHERE id = 1 UNION ALL "
        "SELECT o.id FROM orders o JOIN t ON o.customer_id = t.id) SELECT * FROM t",
    ),
    (ALL, "non-recursive-same-name", "WITH orders AS (SELECT * FROM orders) SELECT count(*) FROM orders"),
    (ALL, "cross-join", "SELECT count(*) FROM orders a CROSS JOIN orders b CROSS JOIN customers c"),
    (ALL, "repeat-column", "SELECT repeat('*', qty) FROM orders"),
    (ALL, "repeat-small", "SELECT repeat('-', 20)"),
    (("duckdb",), "range-small", "SELECT unnest(range(5))"),
    (("duckdb",), "range-at-cap", "SELECT unnest(range(1000000))"),
    (("duckdb",), "date-spine", "SELECT unnest(generate_series(DATE '2024-01-01', DATE '2024-12-31', INTERVAL 1 DAY))"),
    (
        ("duckdb",),
        "month-spine",
        "SELECT unnest(generate_series(DATE '2000-01-01', DATE '2024-12-01', INTERVAL 1 MONTH))",
    ),
    (("postgres",), "generate-series-small", "SELECT generate_series(1, 12)"),
    (("postgres",), "date-spine", "SELECT generate_series('2024-01-01'::date, '2024-12-31'::date, '1 day'::interval)"),
]


@pytest.mark.parametrize(
    ("dialect", "sql", "fragment"),
    [
        pytest.param(d, sql, fragment, id=f"{d}-{case_id}")
        for dialects, case_id, sql, fragment in RESOURCE_REFUSED
        for d in dialects
    ],
)
def test_resource_abuse_refused(dialect, sql, fragment):
    with pytest.raises(GuardRefusal) as caught:
        guard.check(sql, dialect)
    assert fragment in str(caught.value) and HANGUL.search(str(caught.value)), str(caught.value)


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [pytest.param(d, sql, id=f"{d}-{case_id}") for dialects, case_id, sql in RESOURCE_ALLOWED for d in dialects],
)
def test_bounded_resources_allowed(dialect, sql):
    approved = guard.check(sql, dialect)
    assert guard.check(approved.sql, dialect).sql == approved.sql


def test_new_system_tables_refused_on_sqlite():
    for table in ("dbstat", "sqlite_dbpage"):
        with pytest.raises(GuardRefusal):
            guard.check(f"SELECT * FROM {table}", "sqlite")


# --- Only the database's own tables ------------------------------------------------------------
SYSTEM_CATALOG = "시스템 카탈로그"
NOT_LISTED = "테이블 목록에 없는"
CATALOG_REFUSED = [
    # (dialects, id, sql, fragment): system catalogs under any quoting or casing, and unlisted tables
    (("duckdb",), "duckdb-settings-view", "SELECT name, value FROM duckdb_settings", SYSTEM_CATALOG),
    (("duckdb",), "duckdb-databases-quoted-upper", 'SELECT path FROM "DUCKDB_DATABASES"', SYSTEM_CATALOG),
    (("duckdb",), "duckdb-logs", "SELECT * FROM duckdb_logs", SYSTEM_CATALOG),
    (("duckdb",), "duckdb-tables-in-main", "SELECT * FROM main.duckdb_tables", SYSTEM_CATALOG),
    (("duckdb", "postgres"), "pg-settings-qualified", "SELECT * FROM pg_catalog.pg_settings", SYSTEM_CATALOG),
    (("duckdb", "postgres"), "pg-class-quoted", 'SELECT relname FROM "pg_catalog"."pg_class"', SYSTEM_CATALOG),
    (ALL, "pg-settings-bare", "SELECT * FROM pg_settings", SYSTEM_CATALOG),
    (ALL, "information-schema", "SELECT table_name FROM information_schema.tables", SYSTEM_CATALOG),
    (ALL, "information-schema-upper", "SELECT * FROM INFORMATION_SCHEMA.COLUMNS", SYSTEM_CATALOG),
    (
        ALL,
        "catalog-in-subquery",
        "SELECT * FROM orders WHERE id IN (SELECT 1 FROM information_schema.tables)",
        SYSTEM_CATALOG,
    ),
    (ALL, "catalog-in-cte", "WITH s AS (SELECT * FROM pg_settings) SELECT * FROM s", SYSTEM_CATALOG),
    (ALL, "catalog-joined", "SELECT o.id FROM orders o JOIN information_schema.columns c ON TRUE", SYSTEM_CATALOG),
    (("sqlite", "duckdb"), "pragma-as-table", "SELECT * FROM pragma_database_list", SYSTEM_CATALOG),
    (("sqlite",), "pragma-as-table-upper", "SELECT * FROM PRAGMA_TABLE_INFO", SYSTEM_CATALOG),
    (("sqlite",), "sqlite-master", "SELECT name FROM sqlite_master WHERE type = 'table'", SYSTEM_CATALOG),
    (("sqlite",), "sqlite-schema-bracket", "SELECT sql FROM [sqlite_schema]", SYSTEM_CATALOG),
    (("sqlite",), "sqlite-temp-master", "SELECT * FROM temp.sqlite_temp_master", SYSTEM_CATALOG),
    (ALL, "unlisted-table", "SELECT * FROM payroll", NOT_LISTED),
    (ALL, "listed-name-other-schema", "SELECT * FROM hr.customers", NOT_LISTED),
    (("duckdb",), "summarize-unlisted", "SUMMARIZE payroll", NOT_LISTED),
]


@pytest.mark.parametrize(
    ("dialect", "sql", "fragment"),
    [
        pytest.param(d, sql, fragment, id=f"{d}-{case_id}")
        for dialects, case_id, sql, fragment in CATALOG_REFUSED
        for d in dialects
    ],
)
def test_only_the_databases_own_tables_are_read(dialect, sql, fragment):
    with pytest.raises(GuardRefusal) as caught:
        guard.check(sql, dialect, tables=TABLES)
    assert fragment in str(caught.value) and HANGUL.search(str(caught.value)), str(caught.value)


def test_an_unlisted_table_refusal_names_the_closest_tables():
    with pytest.raises(GuardRefusal, match="비슷한 테이블: customers") as caught:
        guard.check("SELECT * FROM customer", "duckdb", tables=TABLES)
    assert "customer)" in str(caught.value)


def test_system_catalogs_are_refused_even_without_a_table_list():
    for dialect, sql in (
        ("duckdb", "SELECT * FROM duckdb_settings"),
        ("sqlite", "SELECT * FROM sqlite_master"),
        ("postgres", "SELECT * FROM information_schema.tables"),
    ):
        with pytest.raises(GuardRefusal, match=SYSTEM_CATALOG):
            guard.check(sql, dialect)


# --- Analytics a business analyst writes: must run -------------------------------------------
ANALYTICS = [
    # (dialects, id, sql)
    (
        ALL,
        "rank-window",
        "SELECT customer_id, amount, RANK() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS r FROM orders",
    ),
    (
        ALL,
        "running-total",
        "SELECT id, SUM(amount) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) "
        "AS total FROM orders",
    ),
    (ALL, "lag-change", "SELECT id, amount - LAG(amount) OVER (ORDER BY id) AS change FROM orders"),
    (
        ALL,
        "cte-chain",
        "WITH spend AS (SELECT customer_id, SUM(amount) AS s FROM orders GROUP BY customer_id), "
        "mean AS (SELECT AVG(s) AS m FROM spend) SELECT spend.customer_id FROM spend, mean "
        "WHERE spend.s > mean.m",
    ),
    (ALL, "union", "SELECT city FROM customers WHERE city IS NOT NULL UNION SELECT category FROM products"),
    (ALL, "except-never-ordered", "SELECT id FROM customers EXCEPT SELECT customer_id FROM orders"),
    (ALL, "intersect", "SELECT id FROM products INTERSECT SELECT product_id FROM orders"),
    (
        ALL,
        "korean-literal-with-keywords",
        'SELECT "select" FROM memo WHERE "select" LIKE \'%DROP%\' OR "select" = \'DELETE 요청\'',
    ),
    (ALL, "keyword-named-columns", 'SELECT "order", "group", "select" FROM memo ORDER BY "order"'),
    (
        ALL,
        "correlated-subquery",
        "SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o "
        "WHERE o.customer_id = c.id AND o.amount > 100)",
    ),
    (
        ("sqlite",),
        "recursive-cte-bounded-by-limit",
        "WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt LIMIT 12) SELECT x FROM cnt",
    ),
    (
        ("duckdb",),
        "qualify",
        "SELECT customer_id, amount FROM orders "
        "QUALIFY ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY amount DESC) = 1",
    ),
    (
        ("duckdb",),
        "pivot-statement",
        "PIVOT orders ON product_id USING SUM(amount) GROUP BY customer_id ORDER BY customer_id",
    ),
    (
        ("duckdb",),
        "pivot-statement-limit",
        "PIVOT orders ON product_id IN (1, 2) USING SUM(amount) GROUP BY customer_id ORDER BY customer_id LIMIT 2",
    ),
    (
        ("duckdb",),
        "pivot-subquery",
        "SELECT * FROM (PIVOT orders ON product_id USING SUM(amount) GROUP BY customer_id) p ORDER BY customer_id",
    ),
    (("duckdb",), "unpivot-statement", "UNPIVOT products ON id, price INTO NAME field VALUE amount"),
    (("duckdb",), "from-first", "FROM orders SELECT customer_id, SUM(amount) AS s GROUP BY customer_id"),
    (("duckdb",), "group-by-all", "SELECT customer_id, SUM(amount) FROM orders GROUP BY ALL"),
    (("duckdb",), "summarize", "SUMMARIZE orders"),
    (("duckdb",), "summarize-query", "SUMMARIZE SELECT amount FROM orders WHERE qty > 0"),
    (("postgres",), "filter-clause", "SELECT COUNT(*) FILTER (WHERE qty > 1) AS many FROM orders"),
]


def _analytics(dialect):
    return [pytest.param(sql, id=f"{dialect}-{case_id}") for dialects, case_id, sql in ANALYTICS if dialect in dialects]


def _same_rows_after_guard(rows, sql, dialect):
    approved = guard.check(sql, dialect, tables=TABLES)
    original, guarded = rows(sql), rows(approved.sql)
    assert guarded, "each analytics query returns rows on the fixture data"
    _assert_same_rows(original, guarded, sql)


@pytest.mark.parametrize("sql", _analytics("duckdb"))
def test_analytics_run_on_duckdb(duckdb_con, sql):
    _same_rows_after_guard(lambda q: _rows(duckdb_con, q), sql, "duckdb")


@pytest.mark.parametrize("sql", _analytics("sqlite"))
def test_analytics_run_on_sqlite(sqlite_con, sql):
    _same_rows_after_guard(lambda q: _rows(sqlite_con, q), sql, "sqlite")


@pytest.mark.parametrize("sql", _analytics("postgres"))
def test_analytics_run_on_postgres(postgres_con, sql):
    _same_rows_after_guard(lambda q: _pg_rows(postgres_con, q), sql, "postgres")
