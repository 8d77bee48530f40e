"""Schema-constrained decoding: the xgrammar grammar admits real SQL over the schema and nothing else."""

from __future__ import annotations

import sqlite3

import pytest

from t2sql.db.catalog import Catalog, Column, Table, build_catalog
from t2sql.db.engine import Database
from t2sql.generation import grammar as G

SHOP_SQLITE = """
CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, name TEXT, city TEXT, grade TEXT, signup_date TEXT);
CREATE TABLE products (product_id INTEGER PRIMARY KEY, product_name TEXT, category TEXT, price INTEGER);
CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(customer_id),
                     order_date TEXT, status TEXT, amount INTEGER);
CREATE TABLE order_items (order_id INTEGER REFERENCES orders(order_id),
                          product_id INTEGER REFERENCES products(product_id), quantity INTEGER, unit_price INTEGER);
CREATE TABLE "OrderNotes" ("NoteId" INTEGER PRIMARY KEY, "OrderId" INTEGER REFERENCES orders(order_id),
                           "Body" TEXT, "order" TEXT, "고객 메모" TEXT);
INSERT INTO customers VALUES (1, '김민수', '서울', 'VIP', '2023-01-02'), (2, '이서연', '부산', '일반', '2023-05-11'),
                             (3, 'O''Brien', NULL, '일반', NULL);
INSERT INTO products VALUES (1, '노트북', '전자', 1200000), (2, '마우스', '전자', 30000), (3, '커피', '식품', 5000);
INSERT INTO orders VALUES (1, 1, '2024-01-05', '완료', 1230000), (2, 2, '2024-02-10', '취소', 30000),
                          (3, 1, '2024-02-11', '완료', 5000);
INSERT INTO order_items VALUES (1, 1, 1, 1200000), (1, 2, 1, 30000), (2, 2, 1, 30000), (3, 3, 1, 5000);
INSERT INTO "OrderNotes" VALUES (1, 1, '빠른 배송', '긴급', '문 앞');
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """(catalog, database) of a small SQLite shop with a PascalCase table, a reserved and a Korean column."""
    path = tmp_path_factory.mktemp("grammar") / "shop.sqlite"
    con = sqlite3.connect(path)
    con.executescript(SHOP_SQLITE)
    con.commit()
    con.close()
    db = Database(f"sqlite:///{path}")
    yield build_catalog(db), db
    db.dispose()


@pytest.fixture(scope="module")
def sales(tmp_path_factory):
    """(catalog, database) of a small DuckDB file with PascalCase (quoted) identifiers and timestamps."""
    import duckdb

    path = tmp_path_factory.mktemp("grammar") / "sales.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        'CREATE TABLE "Customers" ("CustomerId" INTEGER PRIMARY KEY, "CustomerName" VARCHAR, '
        '"Region" VARCHAR, joined_on DATE)'
    )
    con.execute(
        'CREATE TABLE sales (sale_id INTEGER PRIMARY KEY, "CustomerId" INTEGER REFERENCES "Customers"("CustomerId"), '
        "sold_at TIMESTAMP, amount DOUBLE, channel VARCHAR)"
    )
    con.execute(
        "INSERT INTO \"Customers\" VALUES (1, '김민수', '서울', '2023-01-02'), (2, '이서연', '부산', '2023-05-11')"
    )
    con.execute(
        "INSERT INTO sales VALUES (1, 1, '2024-01-05 10:00:00', 120.5, 'web'), "
        "(2, 2, '2024-02-10 12:30:00', 80.0, 'store'), (3, 1, '2024-02-11 09:00:00', 42.0, 'web')"
    )
    con.close()
    db = Database(f"duckdb:///{path}")
    yield build_catalog(db), db
    db.dispose()


def pg_catalog() -> Catalog:
    """A PostgreSQL-dialect catalog built by hand (no server needed for the grammar)."""
    return Catalog(
        "hr",
        "postgres",
        {
            "Employees": Table(
                "Employees",
                [
                    Column("EmpId", "INTEGER"),
                    Column("FullName", "TEXT"),
                    Column("dept_id", "INTEGER"),
                    Column("hired_on", "DATE"),
                ],
            ),
            "departments": Table("departments", [Column("dept_id", "INTEGER"), Column("dept_name", "TEXT")]),
        },
    )


SQLITE_VALID = [
    "SELECT COUNT(*) FROM orders;",
    "SELECT name, city FROM customers WHERE grade = 'VIP' ORDER BY name LIMIT 10;",
    "SELECT c.name, SUM(o.amount) AS total_amount FROM orders o JOIN customers c ON o.customer_id = c.customer_id "
    "GROUP BY c.customer_id, c.name ORDER BY total_amount DESC LIMIT 5;",
    "SELECT status, COUNT(*) FROM orders GROUP BY status HAVING COUNT(*) >= 2;",
    "SELECT strftime('%Y-%m', order_date) AS month, COUNT(*) AS cnt FROM orders GROUP BY month ORDER BY month;",
    "SELECT ROUND(100.0 * SUM(CASE WHEN status = '취소' THEN 1 ELSE 0 END) / COUNT(*), 2) FROM orders;",
    "SELECT product_name FROM products WHERE price > (SELECT AVG(price) FROM products);",
    "SELECT name FROM customers WHERE customer_id IN (SELECT customer_id FROM orders WHERE status = '완료');",
    "SELECT name FROM customers WHERE customer_id NOT IN "
    "(SELECT customer_id FROM orders WHERE customer_id IS NOT NULL);",
    "SELECT category, product_name, price FROM (SELECT category, product_name, price, ROW_NUMBER() OVER "
    "(PARTITION BY category ORDER BY price DESC) AS rn FROM products) ranked WHERE rn = 1;",
    "SELECT name FROM customers WHERE city IN ('서울', '부산') "
    "UNION SELECT product_name FROM products WHERE category = '전자';",
    "WITH monthly AS (SELECT strftime('%Y-%m', order_date) AS month, SUM(amount) AS total FROM orders GROUP BY month) "
    "SELECT month, total FROM monthly ORDER BY total DESC LIMIT 3;",
    "SELECT COUNT(DISTINCT customer_id) FROM orders WHERE order_date >= '2024-01-01' AND order_date < '2025-01-01';",
    "SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id "
    "AND o.amount BETWEEN 10000 AND 50000);",
    "SELECT name, COALESCE(city, '미상') FROM customers WHERE name LIKE '김%';",
    'SELECT "NoteId", "Body" FROM "OrderNotes" WHERE "OrderId" = 1;',
    'SELECT n."Body", o.amount FROM OrderNotes n JOIN orders o ON n.OrderId = o.order_id;',
    'SELECT OrderNotes."order", "고객 메모" FROM OrderNotes;',
    "SELECT p.category, SUM(oi.quantity * oi.unit_price) AS revenue FROM order_items oi "
    "JOIN products p ON oi.product_id = p.product_id JOIN orders o ON oi.order_id = o.order_id "
    "WHERE o.status <> '취소' GROUP BY p.category;",
    "SELECT name, signup_date FROM customers WHERE signup_date IS NULL OR NOT grade = 'VIP';",
    "SELECT customer_id, amount, SUM(amount) OVER (PARTITION BY customer_id ORDER BY order_date) AS running_total, "
    "LAG(amount) OVER (ORDER BY order_date) AS prev_amount FROM orders;",
    "SELECT status, DENSE_RANK() OVER (ORDER BY SUM(amount) DESC) AS rnk FROM orders GROUP BY status;",
    "SELECT CAST(strftime('%Y', order_date) AS INTEGER) AS year, AVG(amount) FROM orders GROUP BY year;",
    "SELECT DISTINCT city FROM customers",
    "SELECT name FROM customers WHERE "
    "(SELECT COUNT(*) FROM orders WHERE orders.customer_id = customers.customer_id) > 1;",
    "SELECT name, amount FROM customers, orders WHERE customers.customer_id = orders.customer_id;",
    "SELECT category, SUM(price) AS revenue FROM products GROUP BY category ORDER BY revenue DESC, category;",
    "SELECT strftime('%m', order_date) AS mon, COUNT(*) FROM orders GROUP BY mon ORDER BY mon;",
    "SELECT status, strftime('%m', order_date) AS mon, COUNT(*) AS cnt FROM orders GROUP BY status,mon "
    "ORDER BY status,cnt DESC;",
    "SELECT yr, cnt FROM (SELECT strftime('%Y', order_date) AS yr, COUNT(*) AS cnt FROM orders GROUP BY yr) "
    "ORDER BY yr;",
    "SELECT customer_id FROM orders INTERSECT SELECT customer_id FROM customers WHERE grade = 'VIP';",
    "SELECT order_id FROM orders EXCEPT SELECT order_id FROM order_items;",
    "select name from customers where city = '서울' order by name desc limit 3;",
    "SELECT name FROM customers WHERE name = 'O''Brien';",
    "SELECT o.* FROM orders o LEFT JOIN customers c ON o.customer_id = c.customer_id WHERE c.customer_id IS NULL;",
    "SELECT julianday('2024-12-31') - julianday(order_date) AS diff FROM orders "
    "WHERE order_date >= date('2024-01-01');",
    "SELECT CASE status WHEN '완료' THEN 'done' ELSE 'other' END AS label, COUNT(*) AS n "
    "FROM orders GROUP BY 1 ORDER BY 2 DESC;",
]

DUCKDB_VALID = [
    "SELECT date_trunc('month', sold_at) AS month, SUM(amount) AS revenue FROM sales GROUP BY month ORDER BY month;",
    "SELECT EXTRACT(YEAR FROM sold_at) AS year, COUNT(*) FROM sales GROUP BY year;",
    "SELECT strftime(sold_at, '%Y-%m') AS ym, AVG(amount) FROM sales GROUP BY ym;",
    'SELECT c."CustomerName", SUM(s.amount) AS total_amount FROM sales s JOIN "Customers" c '
    'ON s."CustomerId" = c."CustomerId" GROUP BY c."CustomerName";',
    "SELECT CustomerName, Region FROM Customers WHERE Region ILIKE '서%';",
    "SELECT * FROM sales WHERE sold_at >= DATE '2024-02-01' AND sold_at < DATE '2024-02-01' + INTERVAL 1 MONTH;",
    "SELECT sold_at::DATE AS day, COUNT(*) FROM sales GROUP BY day;",
    "SELECT channel, amount, LAG(amount, 1) OVER (PARTITION BY channel ORDER BY sold_at) AS prev_amount FROM sales;",
    'SELECT "Customers"."Region", COUNT(*) AS cnt FROM "Customers" JOIN sales '
    'ON sales."CustomerId" = "Customers"."CustomerId" GROUP BY "Customers"."Region";',
]

POSTGRES_VALID = [
    'SELECT "FullName", to_char(hired_on, \'YYYY-MM\') AS month FROM "Employees";',
    'SELECT d.dept_name, COUNT(*) AS cnt FROM "Employees" e JOIN departments d ON e.dept_id = d.dept_id '
    "WHERE EXTRACT(YEAR FROM e.hired_on) = 2024 GROUP BY d.dept_name;",
    "SELECT date_trunc('month', hired_on)::date AS month, COUNT(*) FROM \"Employees\" "
    "WHERE hired_on >= NOW() - INTERVAL '365 days' GROUP BY 1;",
]


@pytest.mark.parametrize("sql", SQLITE_VALID)
def test_sqlite_grammar_accepts_real_queries(shop, sql):
    catalog, db = shop
    assert G.accepts(catalog, sql), sql
    db.run(sql)  # and it really is valid SQL for this database


@pytest.mark.parametrize("sql", DUCKDB_VALID)
def test_duckdb_grammar_accepts_real_queries(sales, sql):
    catalog, db = sales
    assert G.accepts(catalog, sql), sql
    db.run(sql)


@pytest.mark.parametrize("sql", POSTGRES_VALID)
def test_postgres_grammar_accepts_real_queries(sql):
    assert G.accepts(pg_catalog(), sql), sql


SQLITE_INVALID = {
    "made-up table": "SELECT * FROM payments;",
    "made-up table in a join": "SELECT c.name FROM customers c JOIN payments p ON p.customer_id = c.customer_id;",
    "made-up column": "SELECT nickname FROM customers;",
    "made-up qualified column": "SELECT c.nickname FROM customers c;",
    "column of another table": "SELECT orders.name FROM orders;",
    "column of another table (2)": "SELECT products.amount FROM products;",
    "unterminated string": "SELECT name FROM customers WHERE city = '서울;",
    "reserved column unquoted": "SELECT order FROM OrderNotes;",
    "korean column unquoted": "SELECT 고객 메모 FROM OrderNotes;",
    "not a select": "DELETE FROM orders;",
    "two statements": "SELECT 1 FROM orders; DROP TABLE orders;",
    "table name as alias": "SELECT orders.name FROM customers orders;",
    "string literal over the cap": "SELECT name FROM customers WHERE city = '" + "가" * (G.MAX_STRING_CHARS + 1) + "';",
    "in list over the cap": "SELECT name FROM customers WHERE customer_id IN ("
    + ", ".join(str(i) for i in range(G.MAX_IN_ITEMS + 1))
    + ");",
    "comment": "SELECT name FROM customers -- hi",
    "duckdb-only syntax in sqlite": "SELECT amount::TEXT FROM orders;",
    "group by a keyword": "SELECT COUNT(*) FROM orders GROUP BY where;",
    "made-up column beside an alias": "SELECT SUM(amount) AS revenue FROM orders WHERE revenu > 0 ORDER BY revenue;",
}


@pytest.mark.parametrize("sql", SQLITE_INVALID.values(), ids=SQLITE_INVALID.keys())
def test_sqlite_grammar_rejects(shop, sql):
    assert not G.accepts(shop[0], sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT customers.Region FROM customers;",  # exact case only
        "SELECT Customers.amount FROM Customers;",
        "SELECT sales.Region FROM sales;",
        "SELECT * FROM sales WHERE channel = 'web",
    ],
)
def test_duckdb_grammar_rejects(sales, sql):
    assert not G.accepts(sales[0], sql)


def test_postgres_needs_quotes_for_mixed_case():
    catalog = pg_catalog()
    assert G.accepts(catalog, 'SELECT "FullName" FROM "Employees";')
    assert not G.accepts(catalog, "SELECT FullName FROM Employees;")  # folds to fullname / employees
    assert not G.accepts(catalog, 'SELECT "fullname" FROM "Employees";')
    assert G.needs_quotes("FullName", "postgres") and not G.needs_quotes("FullName", "duckdb")
    assert G.needs_quotes("order", "sqlite") and G.needs_quotes("고객 메모", "sqlite")
    assert G.identifier_forms('we"ird', "sqlite") == ['"we""ird"']


def test_tables_restrict_from_and_columns(shop):
    catalog = shop[0]
    assert G.accepts(catalog, "SELECT amount FROM orders;", tables=["orders"])
    assert not G.accepts(catalog, "SELECT name FROM customers;", tables=["orders"])
    assert not G.accepts(catalog, "SELECT price FROM orders;", tables=["orders"])  # products.price not retrieved
    assert G.accepts(catalog, "SELECT name FROM customers;", tables=["ORDERS", "customers", "nope"])
    assert G.accepts(catalog, "SELECT name FROM customers;", tables=[])  # nothing usable: all tables


def test_caps_on_select_items_and_subquery_depth(shop):
    catalog = shop[0]
    three = "SELECT name, city, grade FROM customers;"
    assert G.accepts(catalog, three, max_select_items=3)
    assert not G.accepts(catalog, "SELECT name, city, grade, signup_date FROM customers;", max_select_items=3)
    nested = (
        "SELECT name FROM customers WHERE customer_id IN (SELECT customer_id FROM orders WHERE order_id IN "
        "(SELECT order_id FROM order_items WHERE product_id IN (SELECT product_id FROM products)));"
    )
    assert G.accepts(catalog, nested, max_depth=3)
    assert not G.accepts(catalog, nested, max_depth=2)
    assert not G.accepts(
        catalog, "SELECT name FROM customers WHERE customer_id IN (SELECT customer_id FROM orders);", max_depth=0
    )


def test_statement_end(shop):
    catalog = shop[0]
    assert G.accepts(catalog, "SELECT name FROM customers")  # end of text
    assert G.accepts(catalog, "SELECT name FROM customers ;")
    assert not G.accepts(catalog, "SELECT name FROM customers; ")  # nothing after ';'
    assert not G.accepts(catalog, "SELECT name FROM customers;;")


def test_grammar_text_is_stable_and_dialect_checked(shop):
    catalog = shop[0]
    assert G.sql_grammar(catalog) == G.sql_grammar(catalog)
    assert "root ::=" in G.sql_grammar(catalog)
    bad = Catalog(catalog.database, "mysql", catalog.tables)
    with pytest.raises(ValueError):
        G.sql_grammar(bad)


def test_within_caps():
    assert G.within_caps("SELECT 'a''b' FROM t")
    assert not G.within_caps("SELECT '" + "x" * (G.MAX_STRING_CHARS + 1) + "' FROM t")
    assert not G.within_caps("SELECT " + "x" * (G.MAX_WORD_CHARS + 1) + " FROM t")
    assert G._tail_state("SELECT 'ab''c") == (4, None, 0)
    assert G._tail_state("SELECT 'abc'") == (None, 3, 0)
    assert G._tail_state('SELECT "x y" abc') == (None, None, 3)


# --------------------------------------------------------------------------------------- generation


def _sql_names(sql: str, dialect: str) -> tuple[set[str], set[str], set[str]]:
    """(tables read, column names referenced, aliases defined) of a parsed statement."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read=dialect)
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    tables = {t.name for t in tree.find_all(exp.Table)} - ctes
    columns = {c.name for c in tree.find_all(exp.Column) if c.name != "*"}
    aliases = {a.alias for a in tree.find_all(exp.Alias)} | {t.alias for t in tree.find_all(exp.TableAlias)}
    return tables, columns, aliases


def test_tiny_model_generates_schema_valid_sql_under_the_grammar(tiny_model_dir, shop):
    """The random tiny model, steered only by the grammar (and a preference for short answers), writes
    SQL that parses and names only real tables and columns; batched sampling rows that stop early
    (and get padding) do not break the processor."""
    import torch
    from transformers import LogitsProcessor, StoppingCriteria, StoppingCriteriaList

    from t2sql.generation.base import finished
    from t2sql.generation.transformers_backend import TransformersGenerator
    from t2sql.prompt import build_prompt

    catalog, db = shop
    gen = TransformersGenerator(str(tiny_model_dir), max_new_tokens=96)
    model, tok = gen.model, gen.tokenizer
    tables = ["orders", "customers"]
    prompt = build_prompt(catalog.ddl(tables), "주문 금액 합계는?")
    inputs = tok(prompt, return_tensors="pt")
    start = inputs["input_ids"].shape[1]

    # A random model rarely chooses to finish: prefer ';', ')' and the schema's own words (the grammar
    # still decides what is allowed), and inside a string literal its closing quote.
    prefer = torch.zeros(model.config.vocab_size)
    words = [
        " FROM",
        " WHERE",
        " =",
        *[" " + t for t in tables],
        *[" " + c.name for t in tables for c in catalog.tables[t].columns],
    ]
    for word in words:
        prefer[tok(word, add_special_tokens=False)["input_ids"][0]] += 6.0
    enders = [tok.convert_tokens_to_ids(t) for t in (";", ")")] + [tok.eos_token_id]
    quote = tok.convert_tokens_to_ids("'")

    class PreferShort(LogitsProcessor):
        def __call__(self, input_ids, scores):
            for row in range(input_ids.shape[0]):
                if G._tail_state(tok.decode(input_ids[row, start:], skip_special_tokens=True))[0] is None:
                    scores[row, enders] += 20.0
                    scores[row] += prefer.to(scores.device)
                else:
                    scores[row, quote] += 20.0
            return scores

    class EachRowFinished(StoppingCriteria):  # as in TransformersGenerator.sample
        def __call__(self, input_ids, scores, **kwargs):
            done = [finished(tok.decode(r[start:], skip_special_tokens=True)) for r in input_ids]
            return torch.tensor(done, dtype=torch.bool, device=input_ids.device)

    cache = G.GrammarCache()
    grammar = cache.processor(tok, catalog, tables, vocab_size=model.config.vocab_size)
    torch.manual_seed(0)
    with torch.inference_mode():
        out = model.generate(
            **inputs,
            max_new_tokens=96,
            do_sample=True,
            temperature=1.0,
            num_return_sequences=4,
            logits_processor=[PreferShort(), grammar],
            stopping_criteria=StoppingCriteriaList([EachRowFinished()]),
            pad_token_id=tok.pad_token_id,
        )
    texts = [tok.decode(row[start:], skip_special_tokens=True) for row in out]
    assert grammar.steps > 0 and cache.last_compile_ms is not None

    real_tables = set(tables)
    real_columns = {c.name for t in tables for c in catalog.tables[t].columns}
    text_grammar = G.sql_grammar(catalog, tables)
    done = [t for t in texts if t.rstrip().endswith(";")]
    assert done, texts
    for text in texts:
        if text not in done:  # ran out of tokens: still a valid beginning of a statement
            import xgrammar as xgr

            matcher = xgr.GrammarMatcher(G._text_compiled(text_grammar), terminate_without_stop_token=True)
            assert matcher.accept_string(text), text
            continue
        assert G.accepts(catalog, text, tables), text
        used_tables, used_columns, aliases = _sql_names(text, "sqlite")
        assert used_tables <= real_tables, text
        for column in used_columns:  # a real column, or an alias of the query (maybe used before its AS)
            assert column in real_columns | aliases or _alias_shaped(column, real_columns | real_tables), text


def _alias_shaped(name: str, bases: set[str]) -> bool:
    """In the grammar's column-alias vocabulary: [affix_]base[_affix] (see t2sql.grammar)."""
    bases = bases | set(G.ALIAS_WORDS)
    affixes = set(G.ALIAS_AFFIXES)
    candidates = {name} | {name[len(a) + 1 :] for a in affixes if name.startswith(a + "_")}
    candidates |= {c[: -len(a) - 1] for c in set(candidates) for a in affixes if c.endswith("_" + a)}
    return bool(candidates & bases)


def test_cache_compiles_once_per_key(tiny_model_dir, shop):
    from transformers import AutoTokenizer

    catalog = shop[0]
    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    cache = G.GrammarCache()
    cache.prepare(tok)
    first, vocab, _ = cache.compiled(tok, catalog, ["orders", "customers"])
    again, _, _ = cache.compiled(tok, catalog, ["customers", "orders"])  # order does not matter
    assert again is first and vocab >= len(tok)
    other, _, _ = cache.compiled(tok, catalog, ["orders"])
    assert other is not first
    assert cache.processor(tok, catalog, ["orders"]) is not cache.processor(tok, catalog, ["orders"])
