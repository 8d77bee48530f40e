"""Fixes of generated SQL, table-driven over a real SQLite file: each fixed SQL must run and give
the result of a hand-written query, and SQL with nothing to fix is left alone; then through the
pipeline on the DuckDB sample, with a scripted model."""

import sqlite3

import pytest
from conftest import PromptModel

from t2sql import fixes
from t2sql.db.catalog import build_catalog
from t2sql.db.engine import Database
from t2sql.fixes import complete_joins, finder, values_where_stored
from t2sql.pipeline import Pipeline


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("joins") / "store.sqlite"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE "sales regions" (region_id INTEGER PRIMARY KEY, region_name TEXT);
        CREATE TABLE members (
            member_id INTEGER PRIMARY KEY, name TEXT, grade TEXT, email TEXT,
            region_id INTEGER REFERENCES "sales regions"(region_id));
        CREATE TABLE brands (brand_id INTEGER PRIMARY KEY, brand_name TEXT);
        CREATE TABLE items (item_id INTEGER PRIMARY KEY, title TEXT, brand_id INTEGER REFERENCES brands(brand_id));
        CREATE TABLE orders (
            order_id INTEGER PRIMARY KEY, member_id INTEGER REFERENCES members(member_id), ordered_at TEXT,
            amount INTEGER);
        CREATE TABLE order_lines (
            line_id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(order_id),
            item_id INTEGER REFERENCES items(item_id), qty INTEGER);
        INSERT INTO "sales regions" VALUES (1, '수도권'), (2, '영남');
        INSERT INTO members VALUES (1, '김하늘', 'VIP', 'sky@example.com', 1), (2, '이바다', 'BASIC', NULL, 2),
            (3, '박구름', 'BASIC', NULL, 1);
        INSERT INTO brands VALUES (1, '누리'), (2, '가람'), (3, 'Acme');
        INSERT INTO items VALUES (1, '머그컵', 1), (2, '텀블러', 1), (3, '노트', 2), (4, '펜', 3);
        INSERT INTO orders VALUES (1, 1, '2024-01-05', 120), (2, 1, '2024-02-10', 80), (3, 2, '2024-02-11', 300),
            (4, 1, '2024-03-01', 150);
        INSERT INTO order_lines VALUES (1, 1, 1, 2), (2, 1, 3, 1), (3, 2, 2, 4), (4, 3, 3, 5), (5, 4, 1, 1);
        """
    )
    con.commit()
    con.close()
    database = Database(f"sqlite:///{path}")
    return build_catalog(database, {}, 5, sensitive_patterns=("email",)), path


JOINED = [
    # (the model's SQL, a hand-written query with the intended result, tables joined)
    (  # a list over one table filtered on its orders' column: one row per member, as before the join
        "SELECT name FROM members WHERE ordered_at >= '2024-02-01'",
        "SELECT DISTINCT m.name FROM members m JOIN orders o ON o.member_id = m.member_id "
        "WHERE o.ordered_at >= '2024-02-01'",
        ["orders"],
    ),
    (  # COUNT(*) keeps counting members, not their orders
        "SELECT COUNT(*) FROM members WHERE amount > 100",
        "SELECT COUNT(DISTINCT member_id) FROM orders WHERE amount > 100",
        ["orders"],
    ),
    (  # many-to-one: no fan-out, nothing to de-duplicate
        "SELECT order_id, name FROM orders ORDER BY order_id",
        "SELECT o.order_id, m.name FROM orders o JOIN members m ON m.member_id = o.member_id ORDER BY o.order_id",
        ["members"],
    ),
    (  # two hops; the select list's alias in ORDER BY stays an alias
        "SELECT brand_name, SUM(qty) AS total FROM order_lines GROUP BY brand_name ORDER BY total DESC",
        "SELECT b.brand_name, SUM(l.qty) AS total FROM order_lines l JOIN items i ON i.item_id = l.item_id "
        "JOIN brands b ON b.brand_id = i.brand_id GROUP BY b.brand_name ORDER BY total DESC",
        ["items", "brands"],
    ),
    (  # a table alias as written is kept; a column listed from the new table means no DISTINCT
        "SELECT m.name, amount FROM members m ORDER BY amount",
        "SELECT m.name, o.amount FROM members m JOIN orders o ON o.member_id = m.member_id ORDER BY o.amount",
        ["orders"],
    ),
    (  # an alias that is also the name of the missing column: inside the select list it is the column
        "SELECT SUM(amount) AS amount FROM members",
        "SELECT SUM(amount) FROM orders",
        ["orders"],
    ),
    (  # an IN list reads its own tables, not the enclosing query's column of the same name
        "SELECT name FROM members WHERE member_id IN (SELECT member_id FROM order_lines WHERE qty > 3)",
        "SELECT DISTINCT m.name FROM members m JOIN orders o ON o.member_id = m.member_id "
        "JOIN order_lines l ON l.order_id = o.order_id WHERE l.qty > 3",
        ["orders"],
    ),
    (  # a nested query is completed on its own
        "SELECT title FROM items WHERE item_id IN (SELECT item_id FROM order_lines WHERE ordered_at < '2024-02-01')",
        "SELECT title FROM items WHERE item_id IN (SELECT l.item_id FROM order_lines l JOIN orders o "
        "ON o.order_id = l.order_id WHERE o.ordered_at < '2024-02-01')",
        ["orders"],
    ),
]

NOT_JOINED = [
    "SELECT m.name FROM members m JOIN orders o ON o.member_id = m.member_id",  # nothing missing
    "SELECT name, COUNT(*) AS cnt FROM members GROUP BY name ORDER BY cnt",  # an alias, not a column
    # a correlated reference to the enclosing query's table
    "SELECT name FROM members m WHERE EXISTS (SELECT 1 FROM orders WHERE orders.member_id = m.member_id "
    "AND grade = 'VIP')",
    "SELECT nope FROM members",  # no table has it: the database says so
    "SELECT name FROM (SELECT * FROM members) t WHERE amount > 1",  # a derived table's columns are unknown
    "SELECT o.title FROM orders o",  # a qualified column is the model's explicit choice
    "SELECT name FROM members WHERE",  # does not parse
]


def rows(path, sql):
    con = sqlite3.connect(path)
    try:
        return sorted(con.execute(sql).fetchall(), key=repr)
    finally:
        con.close()


@pytest.mark.parametrize("sql,reference,joined", JOINED)
def test_missing_joins_are_added_and_give_the_intended_result(store, sql, reference, joined):
    catalog, path = store
    try:
        wrong = rows(path, sql)  # SQLite reads an IN list's missing column from the enclosing query
    except sqlite3.OperationalError as exc:
        wrong = str(exc)
    assert wrong != rows(path, reference)
    fix = complete_joins(sql, catalog)
    assert (
        fix is not None and fix.kind == "joins" and f"{', '.join(joined)} 테이블을 외래 키로 조인했습니다" in fix.note
    )
    assert rows(path, fix.sql) == rows(path, reference)


@pytest.mark.parametrize("sql", NOT_JOINED)
def test_sql_with_no_join_missing_is_left_alone(store, sql):
    assert complete_joins(sql, store[0]) is None


def test_the_farthest_join_is_three_foreign_keys_away(store):
    catalog, _ = store
    assert "items, brands 테이블" in complete_joins("SELECT brand_name FROM order_lines", catalog).note
    assert complete_joins("SELECT brand_name FROM members", catalog) is None  # members-orders-lines-items-brands


MISPLACED = [
    # (the model's SQL, a hand-written query with the intended result, where the values were found)
    (
        "SELECT COUNT(*) FROM items WHERE brand_id = '누리'",
        "SELECT COUNT(*) FROM items i JOIN brands b ON b.brand_id = i.brand_id WHERE b.brand_name = '누리'",
        "brands.brand_name",
    ),
    (  # any case in the question, the stored spelling in the SQL; the literal may come first
        "SELECT title FROM items WHERE 'acme' = brand_id",
        "SELECT title FROM items WHERE brand_id = 3",
        "brands.brand_name",
    ),
    (
        "SELECT title FROM items WHERE brand_id IN ('누리', '가람') ORDER BY title",
        "SELECT title FROM items WHERE brand_id IN (1, 2) ORDER BY title",
        "brands.brand_name",
    ),
    (  # a table whose name needs quotes
        "SELECT name FROM members WHERE region_id = '수도권'",
        "SELECT name FROM members WHERE region_id = 1",
        "sales regions.region_name",
    ),
    (  # the table's own key: its column that holds the name
        "SELECT b.brand_id FROM brands b WHERE b.brand_id = 'Acme'",
        "SELECT brand_id FROM brands WHERE brand_name = 'Acme'",
        "brands.brand_name",
    ),
    (  # a join already there: the key of the joined table, qualified
        "SELECT SUM(o.amount) FROM orders o JOIN members m ON m.member_id = o.member_id WHERE o.member_id = '김하늘'",
        "SELECT SUM(amount) FROM orders WHERE member_id = 1",
        "members.name",
    ),
    (  # another text column of the same table
        "SELECT COUNT(*) FROM members WHERE name = 'VIP'",
        "SELECT COUNT(*) FROM members WHERE grade = 'VIP'",
        "members.grade",
    ),
    (  # the table a foreign key points to; the bare column belongs to one of two joined tables
        "SELECT i.title FROM items i JOIN order_lines l ON l.item_id = i.item_id WHERE title = '누리'",
        "SELECT i.title FROM items i JOIN order_lines l ON l.item_id = i.item_id WHERE i.brand_id = 1",
        "brands.brand_name",
    ),
    (  # a table whose foreign key points here
        "SELECT brand_name FROM brands WHERE brand_name = '노트'",
        "SELECT brand_name FROM brands WHERE brand_id = 2",
        "items.title",
    ),
]

IN_PLACE = [
    "SELECT COUNT(*) FROM items WHERE brand_id = '3'",  # a number written as text
    "SELECT COUNT(*) FROM items WHERE brand_id = '누리상사'",  # no such name: the model's own problem
    "SELECT COUNT(*) FROM items i JOIN brands b ON b.brand_id = i.brand_id WHERE b.brand_name = '누리'",  # right
    "SELECT COUNT(*) FROM orders WHERE member_id = 'sky@example.com'",  # only a sensitive column holds it
    "SELECT COUNT(*) FROM members WHERE name = 'sky@example.com'",
    "SELECT COUNT(*) FROM items WHERE brand_id IN ('누리', '김하늘')",  # names of two different things
    "SELECT COUNT(*) FROM members WHERE grade = 'GOLD'",  # nowhere
    "SELECT COUNT(*) FROM members WHERE grade = ''",  # blank: nothing is named
    "SELECT COUNT(*) FROM orders WHERE ordered_at = '2024-01-05'",  # a date
    "SELECT COUNT(*) FROM items i WHERE i.maker_id = '누리'",  # a column the table does not have
]


def find_in(path):
    """The pipeline's lookup (``fixes.finder``), straight on the file."""
    return finder(lambda sql: rows(path, sql), "sqlite")


@pytest.mark.parametrize("sql,reference,holder", MISPLACED)
def test_values_are_compared_where_they_are_stored(store, sql, reference, holder):
    catalog, path = store
    assert rows(path, sql) in ([], [(0,)], [(None,)])  # SQLite answers nothing instead of an error
    fix = values_where_stored(sql, catalog, find_in(path))
    assert fix is not None and fix.kind == "values" and f"{holder}에서 찾도록 고쳤습니다" in fix.note
    assert rows(path, fix.sql) == rows(path, reference) != []


def test_a_value_in_another_case_gets_the_stored_spelling(store):
    catalog, path = store
    fix = values_where_stored("SELECT COUNT(*) FROM members WHERE grade = 'vip'", catalog, find_in(path))
    assert fix.sql == "SELECT COUNT(*) FROM members WHERE grade = 'VIP'" and "저장된 표기 'VIP'" in fix.note


def test_one_lookup_query_per_table_and_the_earliest_column_wins(store):
    catalog, path = store
    asked = []
    find = finder(lambda sql: asked.append(sql) or rows(path, sql), "sqlite")
    assert find("members", "vip", ["name", "grade", "email"]) == ("grade", "VIP") and len(asked) == 1
    assert find("members", "없는 값", ["name", "grade"]) is None and find("members", "VIP", []) is None


def test_a_fix_that_breaks_is_skipped_and_the_next_still_runs(store, monkeypatch):
    catalog, path = store

    def broken(sql, catalog):
        raise KeyError("unforeseen")

    monkeypatch.setattr(fixes, "complete_joins", broken)
    sql, made = fixes.apply_fixes("SELECT COUNT(*) FROM items WHERE brand_id = '누리'", catalog, find_in(path))
    assert [f.kind for f in made] == ["values"] and rows(path, sql) == [(2,)]


@pytest.mark.parametrize("sql", IN_PLACE)
def test_values_in_place_are_left_alone(store, sql):
    catalog, path = store
    assert values_where_stored(sql, catalog, find_in(path)) is None


GROUPED = [
    # (the model's SQL: aggregates beside plain columns, no GROUP BY; a hand-written query with the intended result)
    (
        "SELECT grade, COUNT(*) FROM members",
        "SELECT grade, COUNT(*) FROM members GROUP BY grade",
    ),
    (  # aliases and a join: the expressions are grouped, not their aliases
        "SELECT m.name AS who, SUM(o.amount) AS total FROM members m JOIN orders o ON o.member_id = m.member_id "
        "ORDER BY total DESC",
        "SELECT m.name, SUM(o.amount) AS total FROM members m JOIN orders o ON o.member_id = m.member_id "
        "GROUP BY m.member_id ORDER BY total DESC",
    ),
    (  # a derived table is grouped on its own (SQLite: one arbitrary member with the sum of all orders)
        "SELECT name FROM members WHERE member_id IN "
        "(SELECT member_id FROM (SELECT member_id, SUM(amount) AS spent FROM orders) AS t WHERE spent < 320)",
        "SELECT name FROM members WHERE member_id IN "
        "(SELECT member_id FROM orders GROUP BY member_id HAVING SUM(amount) < 320)",
    ),
]

NOT_GROUPED = [
    "SELECT grade, COUNT(*) FROM members GROUP BY grade",  # grouped already
    "SELECT COUNT(*), MAX(amount) FROM orders",  # aggregates only
    "SELECT COUNT(*), '합계' FROM orders",  # a constant needs no group
    "SELECT name, COUNT(*) OVER () FROM members",  # a window is no aggregate of the query
    "SELECT name, (SELECT MAX(amount) FROM orders) FROM members",  # neither is a subquery's
    "SELECT *, COUNT(*) FROM members",  # a star cannot be grouped
    # SQLite's bare-column rule: the member of the largest order (grouping would list every member)
    "SELECT name, MAX(amount) FROM members JOIN orders USING (member_id)",
    "SELECT name FROM members WHERE",  # does not parse
]


@pytest.mark.parametrize("sql,reference", GROUPED)
def test_plain_columns_beside_aggregates_are_grouped(store, sql, reference):
    catalog, path = store
    assert rows(path, sql) != rows(path, reference)  # SQLite runs it: one arbitrary row
    fix = fixes.group_plain_columns(sql, catalog)
    assert fix is not None and fix.kind == "grouping" and "GROUP BY" in fix.note
    assert rows(path, fix.sql) == rows(path, reference)


def test_grouping_turns_an_error_of_other_engines_into_sql_that_runs(store):
    import duckdb

    catalog, path = store
    con = duckdb.connect()
    con.execute("CREATE TABLE members (member_id INTEGER, grade VARCHAR)")
    con.execute("INSERT INTO members VALUES (1, 'VIP'), (2, 'BASIC'), (3, 'BASIC')")
    with pytest.raises(duckdb.BinderException):
        con.execute("SELECT grade, COUNT(*) FROM members")
    sql, made = fixes.apply_fixes("SELECT grade, COUNT(*) FROM members", catalog, find_in(path))
    assert [fix.kind for fix in made] == ["grouping"]
    assert sorted(con.execute(sql).fetchall()) == [("BASIC", 2), ("VIP", 1)]


@pytest.mark.parametrize("sql", NOT_GROUPED)
def test_sql_with_nothing_to_group_is_left_alone(store, sql):
    catalog, _ = store
    assert fixes.group_plain_columns(sql, catalog) is None


MEASURES = [
    # (SQL, the columns summed or averaged that are no measure)
    ("SELECT SUM(order_id) FROM orders", ["order_id"]),  # a primary key
    ("SELECT AVG(o.member_id) FROM orders o WHERE amount > 100", ["member_id"]),  # a foreign key, through an alias
    ("SELECT grade, AVG(name) FROM members GROUP BY grade", ["name"]),  # text
    (  # inside a subquery, resolved against the subquery's own table
        "SELECT name FROM members WHERE member_id IN (SELECT SUM(item_id) FROM order_lines)",
        ["item_id"],
    ),
    ("SELECT name, amount * 2 + grade FROM members JOIN orders USING (member_id)", ["grade"]),  # text as a number
    ("SELECT SUM(amount), AVG(qty) FROM orders JOIN order_lines USING (order_id)", []),  # measures
    ("SELECT order_id - 1, amount / qty FROM orders JOIN order_lines USING (order_id)", []),  # an offset key
    ("SELECT COUNT(order_id), MAX(member_id) FROM orders", []),  # counting or ranking keys is fine
    ("SELECT SUM(total) FROM (SELECT SUM(amount) AS total FROM orders GROUP BY member_id) AS t", []),
    ("SELECT SUM(nothing) FROM orders", []),  # an unknown column: the database says so
]


@pytest.mark.parametrize(("sql", "columns"), MEASURES)
def test_sums_and_averages_of_keys_or_text_are_no_measure(store, sql, columns):
    catalog, _ = store
    assert fixes.misused_measures(sql, catalog) == columns


def test_sql_summing_a_key_is_redone_and_said_when_nothing_better_comes(settings, prompt_model, sample_dir):
    """Self-correction replaces a sum of keys by an alternative that sums a measure; when every
    alternative sums keys too, the first SQL stays and a notice says why it looks wrong."""
    keys = "SELECT SUM(order_id) AS total FROM orders;"
    amounts = "SELECT SUM(total_amount) AS total FROM orders;"
    PromptModel.reply = staticmethod(
        lambda prompt, i: keys if len(PromptModel.prompts) == 1 else [keys, amounts][i % 2]
    )
    on = settings.replace(backend="openai", openai_base_url=prompt_model, openai_model="scripted")
    draft = Pipeline(on).solve("shop", "주문 금액 합계", strategy="candidates")
    assert draft.sql == amounts.rstrip(";") and draft.doubt is None
    assert draft.failures[0].error.startswith("측정값이 아닌 열(order_id: 키나 텍스트)로 합계·평균")

    PromptModel.reply = staticmethod(lambda prompt, i: keys)
    answer = Pipeline(on.replace(self_correction="candidates")).ask("shop", "주문 금액 합계")
    assert answer.error is None and "SUM(order_id)" in answer.sql
    assert any(n.startswith("측정값이 아닌 열(order_id") and "SQL을 확인하세요" in n for n in answer.notices)


def test_the_pipeline_fixes_the_model_sql_and_says_so(settings, prompt_model, sample_dir):
    """The scripted model forgets the orders table and compares a product's name with its key: the
    answer runs without another model call, and the notices say what was changed."""
    wrote = "SELECT COUNT(*) FROM reviews WHERE product_id = '베이직 가디건' AND order_date >= '2024-01-01';"
    PromptModel.reply = staticmethod(lambda prompt, i: wrote)
    on = settings.replace(backend="openai", openai_base_url=prompt_model, openai_model="scripted")
    answer = Pipeline(on).ask("shop", "올해 주문에서 베이직 가디건 리뷰는 몇 개야?")
    assert answer.error is None and answer.rows[0][0] > 0 and len(PromptModel.prompts) == 1
    assert "JOIN orders ON orders.order_id = reviews.order_id" in answer.sql
    assert "IN (SELECT product_id FROM products WHERE name = '베이직 가디건')" in answer.sql
    assert any("(order_date)" in n and "orders 테이블을 외래 키로 조인했습니다" in n for n in answer.notices)
    keys = "product_id 열에 없는 값 '베이직 가디건'을(를) products.name에서 찾도록 고쳤습니다"
    assert any(keys in n for n in answer.notices)

    off = Pipeline(on.replace(fix_sql=False, self_correction="off")).solve("shop", "올해 베이직 가디건 리뷰")
    assert off.fixes == [] and "order_date" in str(off.error)


def test_fixes_on_postgresql_where_a_name_compared_to_a_key_is_an_error(settings, prompt_model, postgres_url):
    """PostgreSQL refuses `dept_id = '영업팀'` outright; fixed, it runs, with the join the SQL forgot."""
    PromptModel.reply = staticmethod(
        lambda prompt, i: "SELECT full_name FROM employees WHERE dept_id = '영업팀' AND location = '서울';"
    )
    on = settings.replace(
        backend="openai", openai_base_url=prompt_model, openai_model="scripted", self_correction="off"
    )
    answer = Pipeline(on).ask(postgres_url, "서울 영업팀 직원 이름")
    assert answer.error is None and answer.rows == [("김민수",)]
    assert "dept_id IN (SELECT dept_id FROM departments WHERE dept_name = '영업팀')" in answer.sql
    off = Pipeline(on.replace(fix_sql=False)).solve(postgres_url, "서울 영업팀 직원 이름")
    assert off.error is not None and off.fixes == []
