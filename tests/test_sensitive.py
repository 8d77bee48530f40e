"""Sensitive-column lineage, policies and masking, checked on the real sample and SQLite databases.

Every lineage case is analysed on the guard-normalised SQL and then run: the number of output
columns must match the analysis, every column that shows a raw e-mail / phone / name / password
hash must be one the analysis flagged, and after masking no raw value may be left anywhere.
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from t2sql.db.catalog import build_catalog, load_annotations
from t2sql.db.demo import sample_path
from t2sql.db.engine import open_database
from t2sql.errors import GuardRefusal
from t2sql.guard import statement as guard
from t2sql.guard.sensitive import (
    Exposure,
    analyse,
    catalog_schema,
    enforce,
    mask_rows,
    mask_value,
    sensitive_columns,
)
from t2sql.settings import Settings

EMAIL = re.compile(r"[^\s@*'\"\[\],]+@[\w-]+\.[\w.]+")  # a raw address: no '*' right before '@'
PHONE = re.compile(r"\b0\d{1,2}-\d{3,4}-\d{4}\b")
HASH = re.compile(r"\b[0-9a-f]{64}\b")
HANGUL = re.compile(r"[가-힣]")

# customers: customer_id 0, name 1, email 2, phone 3, gender 4, birth_year 5, city 6, grade 7,
# signup_date 8, marketing_opt_in 9, password_hash 10, last_login_at 11 (12 columns)
# orders: order_id 0, customer_id 1, ..., shipping_city 9 (10 columns)
ALL_CUSTOMER = {("customers", "name"), ("customers", "email"), ("customers", "phone"), ("customers", "password_hash")}
E, P, N, H = ("customers", "email"), ("customers", "phone"), ("customers", "name"), ("customers", "password_hash")
REVIEW_JOIN = (
    "FROM reviews r JOIN products p ON p.product_id = r.product_id JOIN customers c ON c.customer_id = r.customer_id"
)


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shop(sample_dir):
    """(database, schema mapping, sensitive mapping, raw sensitive values) of the shop sample."""
    db = open_database(f"duckdb:///{sample_path(sample_dir, 'shop')}")
    catalog = build_catalog(db, load_annotations(Settings().schema_dir, "shop"), sample_values=0)
    raw = db.run("SELECT name, email, phone, password_hash FROM customers", max_rows=100_000).rows
    values = {v for row in raw for v in row if v}
    return db, catalog_schema(catalog), sensitive_columns(catalog), values


SQLITE_SENSITIVE = {"customers": {"email", "phone"}}


@pytest.fixture(scope="module")
def lite(tmp_path_factory):
    """A small real SQLite file whose customers.email / phone are marked via the mapping."""
    path = tmp_path_factory.mktemp("sens") / "people.sqlite"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT, city TEXT);
        CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers, amount INTEGER);
        INSERT INTO customers VALUES
            (1, '김민수', 'minsu@example.com', '010-1234-5678', '서울'),
            (2, '이서연', 'seoyeon@example.com', '010-2345-6789', '부산'),
            (3, '박지훈', 'jihoon@example.com', NULL, '서울'),
            (4, '최유진', NULL, '02-345-6789', '대구');
        INSERT INTO orders VALUES (10, 1, 5000), (11, 1, 7000), (12, 2, 3000), (13, 4, 1000);
        """
    )
    con.commit()
    con.close()
    db = open_database(f"sqlite:///{path}")
    catalog = build_catalog(db, {}, sample_values=0)
    values = {
        "minsu@example.com",
        "seoyeon@example.com",
        "jihoon@example.com",
        "010-1234-5678",
        "010-2345-6789",
        "02-345-6789",
    }
    return db, catalog_schema(catalog), SQLITE_SENSITIVE, values


# --- Helpers -----------------------------------------------------------------------------------


def _strings(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return [str(value)]


def _raw(value, known: set[str]) -> bool:
    """Does this cell show a raw sensitive value?"""
    for text in _strings(value):
        if text in known or EMAIL.search(text) or PHONE.search(text) or HASH.search(text):
            return True
    return False


def _raw_columns(rows: list[tuple], known: set[str]) -> set[int]:
    return {i for row in rows for i, v in enumerate(row) if _raw(v, known)}


def _run_and_check(env, sql: str, dialect: str, allow_counts: bool = True) -> tuple[Exposure, list[tuple], list[tuple]]:
    """Guard, analyse the normalised SQL, run it, mask; check widths and that nothing raw is left."""
    db, schema, sensitive, known = env
    approved = guard.check(sql, dialect, max_rows=200)
    exposure = analyse(approved.sql, dialect, schema, sensitive, allow_counts)
    result = db.run(approved.sql, max_rows=200)
    width = len(result.columns)
    if exposure.width is not None:
        assert exposure.width == width, (exposure, result.columns)
    positions = exposure.positions(width)
    assert _raw_columns(result.rows, known) <= set(positions), (result.columns, positions)
    masked = mask_rows(result.rows, positions)
    assert len(masked) == len(result.rows)
    assert not _raw_columns(masked, known)
    untouched = [i for i in range(width) if i not in positions]
    assert [[r[i] for i in untouched] for r in masked] == [[r[i] for i in untouched] for r in result.rows]
    return exposure, result.rows, masked


# --- Lineage on the shop sample (DuckDB) ------------------------------------------------------
# (id, sql, masked positions, sources) with allow_counts=True

DUCKDB_CASES = [
    ("star", "SELECT * FROM customers", (1, 2, 3, 10), ALL_CUSTOMER),
    ("star-mixed-case", "select * from CUSTOMERS where City = '서울'", (1, 2, 3, 10), ALL_CUSTOMER),
    ("from-first", "FROM customers", (1, 2, 3, 10), ALL_CUSTOMER),
    ("qualified-star", "SELECT c.* FROM customers AS c", (1, 2, 3, 10), ALL_CUSTOMER),
    ("star-exclude", "SELECT * EXCLUDE (email, password_hash) FROM customers", (1, 2), {N, P}),
    ("star-replace", "SELECT * REPLACE (lower(email) AS email) FROM customers", (1, 2, 3, 10), ALL_CUSTOMER),
    (
        "join-star-on",
        "SELECT * FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
        (11, 12, 13, 20),
        ALL_CUSTOMER,
    ),
    ("join-star-using", "SELECT * FROM orders o JOIN customers c USING (customer_id)", (10, 11, 12, 19), ALL_CUSTOMER),
    (
        "join-star-using-reversed",
        "SELECT * FROM customers c JOIN orders o USING (customer_id)",
        (1, 2, 3, 10),
        ALL_CUSTOMER,
    ),
    (
        "join-mixed-stars",
        "SELECT o.order_id, c.*, o.total_amount FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
        (2, 3, 4, 11),
        ALL_CUSTOMER,
    ),
    ("alias", "SELECT email AS contact, city FROM customers", (0,), {E}),
    ("alias-reference", "SELECT email AS e, upper(e) AS u, city FROM customers", (0, 1), {E}),
    ("alias-shadowing-column", "SELECT email AS city, upper(city) AS c2 FROM customers", (0,), {E}),
    (
        "functions",
        "SELECT customer_id, lower(email), email || '', substr(phone, 1, 3), upper(city) FROM customers",
        (1, 2, 3),
        {E, P},
    ),
    ("case", "SELECT CASE WHEN grade = 'VIP' THEN name ELSE '-' END AS who, grade FROM customers", (0,), {N}),
    (
        "case-condition-only",
        "SELECT CASE WHEN email LIKE '%naver%' THEN 'naver' ELSE 'other' END AS kind FROM customers",
        (0,),
        {E},
    ),
    ("coalesce", "SELECT COALESCE(phone, email, 'none') AS contact, city FROM customers", (0,), {E, P}),
    ("concat", "SELECT concat(name, '(', city, ')') AS label FROM customers", (0,), {N}),
    ("cast", "SELECT CAST(phone AS VARCHAR) AS p, birth_year FROM customers", (0,), {P}),
    ("same-name-join-customer", f"SELECT p.name AS product, c.name AS buyer, r.rating {REVIEW_JOIN}", (1,), {N}),
    ("same-name-join-product-only", f"SELECT p.name, c.city, r.rating {REVIEW_JOIN}", (), set()),
    (
        "derived-table",
        "SELECT t.contact FROM (SELECT email AS contact, city FROM customers) AS t WHERE t.city = '서울'",
        (0,),
        {E},
    ),
    ("derived-table-star", "SELECT * FROM (SELECT city, phone FROM customers) AS t", (1,), {P}),
    ("derived-table-column-alias", "SELECT b, a FROM (SELECT city, phone FROM customers) AS t(a, b)", (0,), {P}),
    (
        "cte",
        "WITH c AS (SELECT customer_id, email FROM customers) "
        "SELECT o.order_id, c.email FROM orders o JOIN c USING (customer_id)",
        (1,),
        {E},
    ),
    (
        "cte-chain",
        "WITH a AS (SELECT customer_id, email AS e, city FROM customers), "
        "b AS (SELECT city, upper(e) AS ue FROM a), c AS (SELECT * FROM b) SELECT ue, city FROM c",
        (0,),
        {E},
    ),
    (
        "cte-chain-clean-column",
        "WITH a AS (SELECT email AS e, city FROM customers), b AS (SELECT * FROM a) "
        "SELECT city, count(*) AS n FROM b GROUP BY city",
        (),
        set(),
    ),
    ("cte-shadowing-table", "WITH customers AS (SELECT city, email FROM customers) SELECT * FROM customers", (1,), {E}),
    (
        "cte-recursive",
        "WITH RECURSIVE r(n, v) AS (SELECT 1, 'start' UNION ALL SELECT r.n + 1, c.phone FROM r "
        "JOIN customers c ON c.customer_id = r.n WHERE r.n < 4) SELECT v, n FROM r",
        (0,),
        {P},
    ),
    (
        "scalar-subquery",
        "SELECT o.order_id, (SELECT c.email FROM customers c WHERE c.customer_id = o.customer_id) "
        "AS buyer FROM orders o",
        (1,),
        {E},
    ),
    (
        "scalar-subquery-clean",
        "SELECT c.city, (SELECT max(o.total_amount) FROM orders o "
        "WHERE o.customer_id = c.customer_id) AS top FROM customers c",
        (),
        set(),
    ),
    (
        "correlated-outer-ref",
        "SELECT c.city, (SELECT c.phone || ' / ' || count(*) FROM orders o "
        "WHERE o.customer_id = c.customer_id) AS info FROM customers c",
        (1,),
        {P},
    ),
    ("union", "SELECT city FROM customers UNION SELECT email FROM customers", (0,), {E}),
    (
        "union-same-name-columns",
        "SELECT name, 'p' AS kind FROM products UNION ALL SELECT name, city FROM customers",
        (0,),
        {N},
    ),
    (
        "union-clean",
        "SELECT city, customer_id FROM customers UNION ALL SELECT shipping_city, order_id FROM orders",
        (),
        set(),
    ),
    ("except", "SELECT name FROM products EXCEPT SELECT name FROM customers", (0,), {N}),
    (
        "union-by-name",
        "SELECT city, email FROM customers UNION ALL BY NAME "
        "SELECT status AS email, 1 AS extra, shipping_city AS city FROM orders",
        (1,),
        {E},
    ),
    (
        "window-argument",
        "SELECT customer_id, first_value(email) OVER (PARTITION BY city ORDER BY signup_date) AS f FROM customers",
        (1,),
        {E},
    ),
    (
        "window-partition-only",
        "SELECT customer_id, row_number() OVER (PARTITION BY email ORDER BY phone) AS rn FROM customers",
        (),
        set(),
    ),
    ("window-count", "SELECT city, count(email) OVER (PARTITION BY city) AS n FROM customers", (), set()),
    ("counts", "SELECT count(email), count(DISTINCT phone), count(*) FROM customers", (), set()),
    (
        "value-aggregates",
        "SELECT city, min(email), max(phone), string_agg(name, ','), list(email), "
        "array_agg(phone), any_value(email), first(password_hash) FROM customers GROUP BY city",
        (1, 2, 3, 4, 5, 6, 7),
        ALL_CUSTOMER,
    ),
    (
        "ordered-set-aggregate",
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY email) AS med, "
        "mode() WITHIN GROUP (ORDER BY phone) AS top, arg_max(email, birth_year) AS am FROM customers",
        (0, 1, 2),
        {E, P},
    ),
    # Conservative: every argument of a value-returning aggregate counts, even max_by's ordering key.
    ("aggregate-key-argument", "SELECT max_by(city, email) AS mb, max(birth_year) AS y FROM customers", (0,), {E}),
    ("group-concat", "SELECT city, group_concat(email, ',') AS emails FROM customers GROUP BY city", (1,), {E}),
    (
        "filter-group-order",
        "SELECT city, count(*) AS n FROM customers WHERE email LIKE '%@naver.com' "
        "AND phone IS NOT NULL GROUP BY city ORDER BY min(email)",
        (),
        set(),
    ),
    ("group-by-sensitive", "SELECT count(*) AS dup FROM customers GROUP BY email HAVING count(*) > 1", (), set()),
    (
        "join-on-sensitive",
        "SELECT c1.customer_id, c2.customer_id FROM customers c1 JOIN customers c2 "
        "ON c1.email = c2.email AND c1.customer_id < c2.customer_id",
        (),
        set(),
    ),
    (
        "where-in-subquery",
        "SELECT order_id FROM orders WHERE customer_id IN "
        "(SELECT customer_id FROM customers WHERE phone LIKE '010-1%')",
        (),
        set(),
    ),
    (
        "aggregate-filter",
        "SELECT count(*) FILTER (WHERE email LIKE '%gmail%') AS g, "
        "sum(birth_year) FILTER (WHERE phone IS NOT NULL) AS s FROM customers",
        (),
        set(),
    ),
    ("whole-row-value", "SELECT c FROM customers AS c", (0,), ALL_CUSTOMER),
    ("whole-row-in-function", "SELECT to_json(c) AS j, c.city FROM customers c", (0,), ALL_CUSTOMER),
    ("unnest", "SELECT x FROM unnest((SELECT list(email) FROM customers)) AS u(x)", (0,), {E}),
    (
        "semi-join-star",
        "SELECT * FROM customers c SEMI JOIN orders o ON o.customer_id = c.customer_id",
        (1, 2, 3, 10),
        ALL_CUSTOMER,
    ),
    ("positional-join-star", "SELECT * FROM customers POSITIONAL JOIN orders", (1, 2, 3, 10), ALL_CUSTOMER),
    ("lateral", "SELECT c.city, l.* FROM customers c, LATERAL (SELECT c.email AS m, c.grade AS g) l", (1,), {E}),
    ("clean-columns", "SELECT customer_id, signup_date, last_login_at, grade FROM customers", (), set()),
]


@pytest.mark.parametrize("sql,positions,sources", [c[1:] for c in DUCKDB_CASES], ids=[c[0] for c in DUCKDB_CASES])
def test_duckdb_lineage_and_masking(shop, sql, positions, sources):
    exposure, raw, masked = _run_and_check(shop, sql, "duckdb")
    assert exposure.columns == positions
    assert set(exposure.sources) == sources
    assert not exposure.all_columns
    assert exposure.sensitive == bool(positions)
    if positions:
        assert raw, "the case must return rows to prove anything"


# Columns that must really show raw values before masking: proves the positions point at them.
VISIBLE = [
    ("SELECT * FROM customers", {1, 2, 3, 10}),
    ("SELECT * FROM orders o JOIN customers c USING (customer_id)", {10, 11, 12, 19}),
    ("SELECT * FROM orders o JOIN customers c ON o.customer_id = c.customer_id", {11, 12, 13, 20}),
    ("SELECT * EXCLUDE (email, password_hash) FROM customers", {1, 2}),
    (
        "SELECT o.order_id, c.*, o.total_amount FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
        {2, 3, 4, 11},
    ),
]


@pytest.mark.parametrize("sql,visible", VISIBLE)
def test_raw_values_sit_exactly_where_analysis_says(shop, sql, visible):
    exposure, raw, _ = _run_and_check(shop, sql, "duckdb")
    assert _raw_columns(raw, shop[3]) == visible == set(exposure.columns)


COUNTS_OFF = [
    ("count", "SELECT count(email) FROM customers", (0,), {E}),
    ("count-distinct", "SELECT count(DISTINCT phone), count(*) FROM customers", (0,), {P}),
    ("window-count", "SELECT city, count(email) OVER (PARTITION BY city) AS n FROM customers", (1,), {E}),
    ("count-star-filtered", "SELECT count(*) FILTER (WHERE email LIKE '%a%') AS n FROM customers", (), set()),
    ("group-count", "SELECT city, count(*) FROM customers GROUP BY city", (), set()),
]


@pytest.mark.parametrize("sql,positions,sources", [c[1:] for c in COUNTS_OFF], ids=[c[0] for c in COUNTS_OFF])
def test_allow_counts_off(shop, sql, positions, sources):
    exposure, _, _ = _run_and_check(shop, sql, "duckdb", allow_counts=False)
    assert exposure.columns == positions
    assert set(exposure.sources) == sources
    on = analyse(sql, "duckdb", shop[1], shop[2], allow_counts=True)
    assert on.columns == ()  # the same query passes when counts are allowed


# --- Fail closed ---------------------------------------------------------------------------------

UNTRACEABLE = [
    ("columns-regex", "SELECT COLUMNS('e.*') FROM customers"),
    ("pivot", "SELECT * FROM customers PIVOT (count(*) FOR city IN ('서울', '부산'))"),
    ("columns-lambda", "SELECT COLUMNS(c -> c LIKE '%e%') FROM customers"),
    ("positional-reference", "SELECT #3, city FROM customers"),
    ("unpivot", "SELECT * FROM customers UNPIVOT (v FOR k IN (email, phone))"),
]


@pytest.mark.parametrize("sql", [c[1] for c in UNTRACEABLE], ids=[c[0] for c in UNTRACEABLE])
def test_untraceable_constructs_mask_everything(shop, sql):
    exposure, raw, masked = _run_and_check(shop, sql, "duckdb")
    assert exposure.all_columns and exposure.note
    assert set(exposure.sources) == ALL_CUSTOMER
    width = len(raw[0])
    assert exposure.positions(width) == tuple(range(width))
    assert set(range(width)) <= set(exposure.columns)  # code that only reads .columns masks all too
    with pytest.raises(GuardRefusal, match="확인하지 못해"):
        enforce(exposure, "block")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT nosuch FROM customers",
        "SELECT * FROM customers, not_a_table",
        "SELEC email FROM customers",
        "SELECT email FROM customers; SELECT 1",
        "",
        "SELECT email FROM customers WHERE (",
    ],
)
def test_analysis_failure_never_raises_and_fails_closed(shop, sql):
    exposure = analyse(sql, "duckdb", shop[1], shop[2])
    assert exposure.all_columns and exposure.sensitive
    assert exposure.positions(3) == (0, 1, 2)
    with pytest.raises(GuardRefusal):
        enforce(exposure, "block")


def test_table_missing_from_schema_fails_closed(shop):
    schema = {k: v for k, v in shop[1].items() if k != "customers"}
    exposure = analyse("SELECT city FROM customers", "duckdb", schema, shop[2])
    assert exposure.all_columns


def test_queries_without_sensitive_tables_are_clean(shop):
    _, schema, sensitive, _ = shop
    for sql in (
        "SELECT name, price FROM products",
        "SELECT * FROM orders",
        "SELECT 1",
        "SELECT p.name FROM products p JOIN categories c ON c.category_id = p.category_id",
    ):
        exposure = analyse(sql, "duckdb", schema, sensitive)
        assert exposure == Exposure() and exposure.positions(4) == ()
    assert analyse("SELECT * FROM customers", "duckdb", schema, {}) == Exposure()
    assert analyse("SELECT * FROM customers", "duckdb", schema, {"customers": set()}) == Exposure()
    # Unparsable text cannot show which tables it reads: it fails closed.
    assert analyse("SELEC name FROM products", "duckdb", schema, sensitive).all_columns


def test_width_mismatch_masks_everything():
    exposure = Exposure(columns=(1,), sources=(E,), width=3)
    assert exposure.positions(3) == (1,)
    assert exposure.positions(4) == (0, 1, 2, 3)


# --- SQLite ------------------------------------------------------------------------------------
# customers: customer_id 0, name 1, email 2, phone 3, city 4; orders: order_id 0, customer_id 1, amount 2

SQLITE_CASES = [
    ("star", "SELECT * FROM customers", (2, 3), {E, P}),
    ("join-star-on", "SELECT * FROM orders o JOIN customers c ON o.customer_id = c.customer_id", (5, 6), {E, P}),
    ("join-star-using", "SELECT * FROM orders JOIN customers USING (customer_id)", (4, 5), {E, P}),
    ("natural-join", "SELECT * FROM customers NATURAL JOIN orders", (2, 3), {E, P}),
    (
        "qualified-star",
        "SELECT o.amount, c.* FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
        (3, 4),
        {E, P},
    ),
    ("names-not-sensitive-here", "SELECT name, city FROM customers", (), set()),
    (
        "expressions",
        "SELECT lower(email), email || '', substr(phone, 1, 3), "
        "CASE WHEN phone IS NULL THEN email END, coalesce(phone, '-'), city FROM customers",
        (0, 1, 2, 3, 4),
        {E, P},
    ),
    ("group-concat", "SELECT city, group_concat(email, ';') FROM customers GROUP BY city", (1,), {E}),
    ("counts", "SELECT city, count(email), count(DISTINCT phone) FROM customers GROUP BY city", (), set()),
    ("min-max", "SELECT min(email), max(phone), max(city) FROM customers", (0, 1), {E, P}),
    (
        "cte-union",
        "WITH a AS (SELECT customer_id, email AS contact FROM customers) "
        "SELECT contact FROM a UNION SELECT city FROM customers",
        (0,),
        {E},
    ),
    ("derived", "SELECT x.p FROM (SELECT phone AS p, city FROM customers) x WHERE x.city = '서울'", (0,), {P}),
    (
        "scalar-subquery",
        "SELECT o.order_id, (SELECT c.email FROM customers c WHERE c.customer_id = o.customer_id) FROM orders o",
        (1,),
        {E},
    ),
    (
        "window",
        "SELECT name, last_value(phone) OVER (ORDER BY customer_id) AS lp, "
        "rank() OVER (ORDER BY email) AS r FROM customers",
        (1,),
        {P},
    ),
    ("filter-only", "SELECT name FROM customers WHERE email LIKE '%example.com' ORDER BY phone", (), set()),
    ("alias-order", "SELECT email AS e, city FROM customers ORDER BY e", (0,), {E}),
    (
        "implicit-recursive-cte",
        "WITH r(n, e) AS (SELECT 1, 'x' UNION ALL SELECT n + 1, "
        "(SELECT email FROM customers WHERE customer_id = n) FROM r WHERE n < 3) SELECT n, e FROM r",
        (1,),
        {E},
    ),
]


@pytest.mark.parametrize("sql,positions,sources", [c[1:] for c in SQLITE_CASES], ids=[c[0] for c in SQLITE_CASES])
def test_sqlite_lineage_and_masking(lite, sql, positions, sources):
    exposure, raw, masked = _run_and_check(lite, sql, "sqlite")
    assert exposure.columns == positions
    assert set(exposure.sources) == sources
    assert raw


def test_sqlite_star_positions_match_real_output(lite):
    _, raw, masked = _run_and_check(lite, "SELECT * FROM orders JOIN customers USING (customer_id)", "sqlite")
    assert _raw_columns(raw, lite[3]) == {4, 5}
    assert masked[0][4] == "mi***@example.com" and masked[0][5] == "010-****-5678"
    assert masked[0][3] == "김민수"  # names are not sensitive in this database


def test_sensitive_columns_from_catalog(shop):
    assert shop[2] == {"customers": {"name", "email", "phone", "password_hash"}}
    assert list(shop[1]["customers"])[:4] == ["customer_id", "name", "email", "phone"]


# --- Policies ------------------------------------------------------------------------------------


def test_block_refuses_in_korean_naming_the_column(shop):
    exposure = analyse("SELECT city, email FROM customers", "duckdb", shop[1], shop[2])
    with pytest.raises(GuardRefusal) as err:
        enforce(exposure, "block")
    message = str(err.value)
    assert "customers.email" in message and "COUNT" in message and HANGUL.search(message)
    assert "customers.phone" not in message


def test_block_without_counts_gives_other_advice(shop):
    exposure = analyse("SELECT count(phone) FROM customers", "duckdb", shop[1], shop[2], allow_counts=False)
    with pytest.raises(GuardRefusal) as err:
        enforce(exposure, " BLOCK ")
    assert "customers.phone" in str(err.value) and "COUNT" not in str(err.value)


def test_block_lets_clean_queries_through_and_mask_never_raises(shop):
    clean = analyse("SELECT city, count(email) FROM customers GROUP BY city", "duckdb", shop[1], shop[2])
    enforce(clean, "block")
    exposed = analyse("SELECT * FROM customers", "duckdb", shop[1], shop[2])
    enforce(exposed, "mask")
    enforce(Exposure(all_columns=True), "mask")


def test_block_message_lists_many_columns_briefly():
    sources = tuple(("t", f"c{i}") for i in range(7))
    with pytest.raises(GuardRefusal, match=r"t\.c0, .* 외 2개"):
        enforce(Exposure(columns=(0,), sources=sources, width=1), "block")


@pytest.mark.parametrize("policy", ["", "hide", None, "allow"])
def test_unknown_policy_is_a_value_error(policy):
    with pytest.raises(ValueError):
        enforce(Exposure(), policy)


# --- Masking -------------------------------------------------------------------------------------

MASKS = [
    (None, None),
    ("coffee1@naver.com", "co***@naver.com"),
    ("ab@example.com", "a***@example.com"),
    ("a@example.com", "***@example.com"),
    ("010-3171-1495", "010-****-1495"),
    ("02-345-6789", "02-***-6789"),
    ("01031711495", "010****1495"),
    ("+82 10 3171 1495", "+82 ** **** 1495"),
    ("송영호", "송***"),
    ("d31f1c78c036e09994801441f81000b7", "d***"),
    ("x", "***"),
    ("", "***"),
    ("1234", "1***"),  # too short for a phone number: treated as text
    (19891231, "***"),
    (3.5, "***"),
    (True, "***"),
    (b"bytes", "***"),
    (__import__("datetime").date(2024, 1, 2), "***"),
    (["a@b.com"], "***"),
]


@pytest.mark.parametrize("value,expected", MASKS, ids=[repr(m[0])[:24] for m in MASKS])
def test_mask_value(value, expected):
    assert mask_value(value) == expected


def test_mask_rows_masks_only_given_positions():
    rows = [(1, "kim@x.com", "010-1111-2222", None), (2, None, "서울", "z")]
    assert mask_rows(rows, (1, 3, 9)) == [(1, "k***@x.com", "010-1111-2222", None), (2, None, "서울", "***")]
    assert mask_rows(rows, ()) == rows
    assert mask_rows([], (0,)) == []


def test_mask_value_does_not_mistake_text_with_an_at_sign_for_an_address():
    blob = '{"name":"송영호","email":"coffee1@naver.com","phone":"010-3171-1495"}'
    assert mask_value(blob) == "{***"
    assert mask_value("a@b@c.com") == "a***"
