"""Sample databases: declared keys, realistic Korean data, consistency, determinism, atomic builds, annotations."""

import re
import subprocess
import sys

import duckdb
import pytest
import yaml

from t2sql.db.demo import SAMPLE_NAMES, build_samples, ensure_samples, sample_path
from t2sql.errors import T2SQLError
from t2sql.settings import ROOT

HANGUL = re.compile("[가-힣]")
ROWS = {  # table -> intended row-count range
    "shop": {
        "categories": (15, 30),
        "customers": (4_500, 5_500),
        "products": (450, 550),
        "coupons": (20, 40),
        "orders": (38_000, 42_000),
        "order_items": (90_000, 110_000),
        "reviews": (12_000, 18_000),
        "refunds": (1_500, 2_500),
    },
    "marketing": {
        "channels": (8, 12),
        "campaigns": (130, 170),
        "daily_ad_stats": (10_000, 14_000),
        "leads": (18_000, 22_000),
        "conversions": (4_500, 5_500),
    },
    "game": {
        "players": (18_000, 22_000),
        "items": (90, 110),
        "sessions": (190_000, 210_000),
        "purchases": (28_000, 32_000),
        "events": (140_000, 160_000),
    },
}
NULLABLE = {  # columns that should hold some, but not only, NULLs
    "shop": [
        "categories.parent_id",
        "customers.gender",
        "customers.birth_year",
        "customers.last_login_at",
        "orders.coupon_id",
        "reviews.content",
        "refunds.completed_at",
        "products.brand",
    ],
    "marketing": ["leads.company_name", "leads.phone", "leads.region", "conversions.lead_id", "conversions.revenue"],
    "game": ["players.email", "sessions.device_model", "events.stage", "events.value"],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_samples(tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="module")
def dbs(built):
    cons = {name: duckdb.connect(str(path), read_only=True) for name, path in built.items()}
    yield cons
    for con in cons.values():
        con.close()


def one(con, sql):
    return con.execute(sql).fetchone()[0]


def tables(con):
    return {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal").fetchall()}


def columns(con):
    return con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE NOT internal ORDER BY ALL"
    ).fetchall()


def checksums(path):
    """Order-independent content fingerprint of every table."""
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*), sum(hash(r::VARCHAR)) FROM {t} r").fetchone() for t in tables(con)}


def test_builds_all_into_final_files_only(built):
    assert list(built) == list(SAMPLE_NAMES)
    assert all(path == sample_path(built["shop"].parent, name) for name, path in built.items())
    assert sorted(p.name for p in built["shop"].parent.iterdir()) == sorted(f"{n}.duckdb" for n in SAMPLE_NAMES)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_tables_and_row_counts(dbs, name):
    con = dbs[name]
    assert tables(con) == set(ROWS[name])
    for table, (lo, hi) in ROWS[name].items():
        assert lo <= one(con, f"SELECT count(*) FROM {table}") <= hi, table


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_primary_and_foreign_keys_are_declared_and_hold(dbs, name):
    con = dbs[name]
    keys = con.execute(
        "SELECT table_name, constraint_type, constraint_column_names, referenced_table, "
        "referenced_column_names FROM duckdb_constraints() "
        "WHERE constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')"
    ).fetchall()
    assert {t for t, kind, *_ in keys if kind == "PRIMARY KEY"} == tables(con)
    fks = [(t, cols[0], ref, ref_cols[0]) for t, kind, cols, ref, ref_cols in keys if kind == "FOREIGN KEY"]
    assert len(fks) >= len(tables(con)) - 1
    for table, col, ref, ref_col in fks:
        orphans = one(
            con,
            f"SELECT count(*) FROM {table} c LEFT JOIN {ref} p ON c.{col} = p.{ref_col} "
            f"WHERE c.{col} IS NOT NULL AND p.{ref_col} IS NULL",
        )
        assert orphans == 0, (table, col)


def test_expected_relationships(dbs):
    fks = {
        name: {
            (t, ref)
            for t, ref in con.execute(
                "SELECT table_name, referenced_table FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY'"
            ).fetchall()
        }
        for name, con in dbs.items()
    }
    assert {
        ("categories", "categories"),
        ("products", "categories"),
        ("orders", "customers"),
        ("orders", "coupons"),
        ("order_items", "orders"),
        ("order_items", "products"),
        ("reviews", "orders"),
        ("refunds", "orders"),
    } <= fks["shop"]
    assert {
        ("campaigns", "channels"),
        ("daily_ad_stats", "campaigns"),
        ("leads", "campaigns"),
        ("conversions", "leads"),
        ("conversions", "campaigns"),
    } <= fks["marketing"]
    assert {("sessions", "players"), ("purchases", "players"), ("purchases", "items"), ("events", "players")} <= fks[
        "game"
    ]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_dates_stay_within_2023_to_2025(dbs, name):
    con = dbs[name]
    for table, column, kind in columns(con):
        if kind in ("DATE", "TIMESTAMP"):
            lo, hi = con.execute(f"SELECT min({column})::DATE, max({column})::DATE FROM {table}").fetchone()
            assert str(lo) >= "2023-01-01" and str(hi) <= "2025-12-31", (table, column, lo, hi)
            assert str(lo) < "2023-07-01" and str(hi) > "2025-06-30", (table, column)  # spread over the period


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_nullable_columns_have_some_nulls(dbs, name):
    for ref in NULLABLE[name]:
        table, column = ref.split(".")
        share = one(dbs[name], f"SELECT avg(({column} IS NULL)::INT) FROM {table}")
        assert 0 < share < 1, ref


def test_korean_values(dbs):
    shop, marketing, game = (dbs[n] for n in SAMPLE_NAMES)
    top = shop.execute("SELECT city FROM customers GROUP BY city ORDER BY count(*) DESC LIMIT 2").fetchall()
    assert {c for (c,) in top} == {"서울", "경기"}
    assert one(shop, "SELECT count(*) FROM customers WHERE regexp_full_match(name, '[가-힣]{2,4}')") == 5_000
    assert one(shop, "SELECT count(*) FROM customers WHERE NOT regexp_full_match(phone, '010-\\d{4}-\\d{4}')") == 0
    assert {"패션", "뷰티", "식품", "도서"} <= {n for (n,) in shop.execute("SELECT name FROM categories").fetchall()}
    assert one(shop, "SELECT bool_and(regexp_matches(name, '[가-힣]')) FROM products")
    assert one(shop, "SELECT count(DISTINCT status) FROM orders") == 5
    assert "네이버 검색광고" in {n for (n,) in marketing.execute("SELECT name FROM channels").fetchall()}
    assert one(marketing, "SELECT count(DISTINCT status) FROM campaigns") == 4
    assert one(game, "SELECT count(*) FROM items WHERE name = '전설의 검'") == 1
    assert one(game, "SELECT avg((country = 'KR')::INT) FROM players") > 0.7


def test_shop_is_consistent_and_skewed(dbs):
    con = dbs["shop"]
    mismatched = one(
        con,
        """
        SELECT count(*) FROM orders o JOIN (SELECT order_id, sum(quantity * unit_price) AS s FROM order_items
        GROUP BY order_id) i USING (order_id) WHERE o.total_amount <> i.s - o.discount_amount + o.shipping_fee""",
    )
    assert mismatched == 0
    assert one(con, "SELECT count(*) FROM orders WHERE order_id NOT IN (SELECT order_id FROM order_items)") == 0
    assert one(con, "SELECT count(*) FROM refunds JOIN orders USING (order_id) WHERE status <> '환불'") == 0
    assert one(con, "SELECT count(*) FROM orders WHERE status = '환불'") == one(con, "SELECT count(*) FROM refunds")
    assert (
        one(con, "SELECT count(*) FROM orders JOIN customers USING (customer_id) WHERE order_date::DATE < signup_date")
        == 0
    )
    assert (
        one(
            con,
            "SELECT count(*) FROM reviews r JOIN orders o USING (order_id) "
            "WHERE o.status <> '배송완료' OR r.created_at < o.order_date",
        )
        == 0
    )
    assert one(con, "SELECT avg(rating) FROM reviews") > 4
    most, median = con.execute(
        "SELECT max(n), median(n) FROM (SELECT count(*) AS n FROM orders GROUP BY customer_id)"
    ).fetchone()
    assert most > 10 * median  # Pareto-like order counts
    by_month = dict(
        con.execute(
            "SELECT month(order_date), count(*) FROM orders WHERE year(order_date) = 2024 GROUP BY 1"
        ).fetchall()
    )
    assert by_month[11] > 1.2 * by_month[2]  # seasonality


def test_marketing_and_game_are_consistent(dbs):
    mk, game = dbs["marketing"], dbs["game"]
    assert one(mk, "SELECT count(*) FROM daily_ad_stats WHERE clicks > impressions OR spend < 0") == 0
    assert 0.003 <= one(mk, "SELECT sum(clicks) / sum(impressions) FROM daily_ad_stats") <= 0.05
    assert (
        one(
            mk,
            "SELECT count(*) FROM daily_ad_stats s JOIN campaigns c USING (campaign_id) "
            "WHERE s.stat_date NOT BETWEEN c.start_date AND c.end_date",
        )
        == 0
    )
    assert one(mk, "SELECT count(*) FROM conversions WHERE (revenue IS NULL) <> (conversion_type <> '구매')") == 0
    assert (
        one(game, "SELECT count(*) FROM sessions WHERE ended_at <> started_at + duration_sec * INTERVAL 1 SECOND") == 0
    )
    assert (
        one(
            game,
            "SELECT count(*) FROM purchases p JOIN items i USING (item_id) "
            "WHERE p.amount_krw <> i.price_krw * p.quantity",
        )
        == 0
    )
    assert (
        one(game, "SELECT count(*) FROM sessions s JOIN players p USING (player_id) WHERE s.started_at < p.signup_at")
        == 0
    )
    whales = one(
        game,
        """
        WITH spend AS (SELECT player_id, sum(amount_krw) AS a FROM purchases WHERE NOT is_refunded GROUP BY 1)
        SELECT sum(a) FILTER (WHERE a >= (SELECT quantile_disc(a, 0.95) FROM spend)) / sum(a) FROM spend""",
    )
    assert whales > 0.5  # a few whales spend most
    assert one(game, "SELECT max(level) FROM players") <= 80 and one(game, "SELECT median(level) FROM players") < 20


def test_same_seed_gives_identical_contents(built, tmp_path):
    again = build_samples(tmp_path)
    for name in SAMPLE_NAMES:
        assert checksums(again[name]) == checksums(built[name]), name


def test_ensure_samples_keeps_existing_files(built):
    before = {n: p.stat().st_mtime_ns for n, p in built.items()}
    messages = []
    assert ensure_samples(built["shop"].parent, progress=messages.append) == built
    assert messages == [] and {n: p.stat().st_mtime_ns for n, p in built.items()} == before


def test_failed_build_leaves_no_partial_file_and_keeps_the_old_one(tmp_path):
    def crash_after(n):
        seen = []

        def progress(message):
            seen.append(message)
            if len(seen) > n:
                raise KeyboardInterrupt

        return progress, seen

    progress, seen = crash_after(3)
    with pytest.raises(KeyboardInterrupt):
        build_samples(tmp_path / "fresh", ["marketing"], progress=progress)
    assert HANGUL.search(seen[0]) and list((tmp_path / "fresh").iterdir()) == []

    path = build_samples(tmp_path / "kept", ["marketing"])["marketing"]
    before = checksums(path)
    with pytest.raises(KeyboardInterrupt):
        build_samples(tmp_path / "kept", ["marketing"], force=True, progress=crash_after(4)[0])
    assert [p.name for p in (tmp_path / "kept").iterdir()] == ["marketing.duckdb"] and checksums(path) == before


def test_unknown_sample_is_refused(tmp_path):
    with pytest.raises(T2SQLError, match="nope"):
        build_samples(tmp_path, ["shop", "nope"])
    assert not (tmp_path / "shop.duckdb").exists()


def test_module_imports_only_the_standard_library():
    code = "import sys, t2sql.db.demo; print(sorted({'numpy', 'pandas', 'duckdb'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_yaml_annotates_exactly_the_database_in_korean(dbs, name):
    notes = yaml.safe_load((ROOT / "schemas" / f"{name}.yaml").read_text(encoding="utf-8"))
    assert notes["database"] == name and HANGUL.search(notes["description"])
    actual = {}
    for table, column, _ in columns(dbs[name]):
        actual.setdefault(table, set()).add(column)
    assert set(notes["tables"]) == set(actual)
    for table, note in notes["tables"].items():
        assert HANGUL.search(note["description"]), table
        assert set(note["columns"]) == actual[table], table
        assert all(isinstance(s, str) and s for s in note.get("synonyms", [])), table
        for column, cnote in note["columns"].items():
            assert set(cnote) <= {"description", "synonyms", "sensitive"}, (table, column)
            assert isinstance(cnote["description"], str) and HANGUL.search(cnote["description"]), (table, column)
            assert all(isinstance(s, str) and s for s in cnote.get("synonyms", [])), (table, column)
            personal = column in ("email", "phone", "password_hash") or (
                column == "name" and table in ("customers", "leads")
            )
            assert bool(cnote.get("sensitive")) == personal, (table, column)
