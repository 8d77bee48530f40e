"""Downloads (CSV with BOM, xlsx) and automatic chart choice, table-driven over result shapes."""

import datetime as dt
import io
from decimal import Decimal

import pandas as pd
import pytest

from t2sql.present import charts, export


def test_csv_has_a_bom_and_korean_round_trips():
    frame = pd.DataFrame({"도시": ["서울", "부산"], "고객 수": [10, 3]})
    data = export.to_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(io.BytesIO(data), encoding="utf-8-sig").equals(frame)


def test_xlsx_is_a_real_workbook_with_korean_and_dates():
    import openpyxl

    frame = pd.DataFrame(
        {
            "이름": ["홍길동", "bad\x01char"],
            "금액": [Decimal("1234.50"), None],
            "시각": pd.to_datetime(["2024-03-01 10:00", "2024-03-02 11:00"]).tz_localize("Asia/Seoul"),
        }
    )
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(frame)))
    sheet = book["결과"]
    rows = list(sheet.values)
    assert rows[0] == ("이름", "금액", "시각")
    assert rows[1][0] == "홍길동" and rows[2][0] == "badchar" and float(rows[1][1]) == 1234.5
    assert rows[1][2] == dt.datetime(2024, 3, 1, 10, 0)


@pytest.mark.parametrize(
    "value, shown",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-3", "-3"),
        ("서울", "서울"),
    ],
)
def test_downloads_defuse_spreadsheet_formulas(value, shown):
    frame = pd.DataFrame({"v": [value]})
    assert pd.read_csv(io.BytesIO(export.to_csv(frame)), encoding="utf-8-sig", dtype=str)["v"][0] == shown


@pytest.mark.parametrize(
    "question, name",
    [
        ("서울 고객 수는?", "서울_고객_수는.csv"),
        ("", "t2sql_결과.csv"),
        ("a/b\\c:d", "a_b_c_d.csv"),
    ],
)
def test_file_name(question, name):
    assert export.file_name(question, "csv") == name


D = dt.date
CASES = [
    ("single number", {"n": [42]}, charts.ChartSpec("metric", y="n")),
    ("single decimal", {"avg": [Decimal("3.5")]}, charts.ChartSpec("metric", y="avg")),
    (
        "date series",
        {"day": [D(2024, 1, 1), D(2024, 1, 2)], "orders": [3, 5]},
        charts.ChartSpec("line", "day", "orders"),
    ),
    (
        "month strings",
        {"month": ["2024-01", "2024-02"], "revenue": [10.0, 12.5]},
        charts.ChartSpec("line", "month", "revenue"),
    ),
    (
        "timestamps",
        {"t": pd.to_datetime(["2024-01-01", "2024-02-01"]), "v": [1, 2]},
        charts.ChartSpec("line", "t", "v"),
    ),
    (
        "series per category",
        {"month": ["2024-01", "2024-01"], "city": ["서울", "부산"], "n": [1, 2]},
        charts.ChartSpec("line", "month", "n", color="city"),
    ),
    (
        "category + number",
        {"city": ["서울", "부산"], "customers": [10, 3]},
        charts.ChartSpec("bar", "city", "customers"),
    ),
    (
        "id column ignored",
        {"customer_id": [1, 2], "name": ["a", "b"], "total": [5, 6]},
        charts.ChartSpec("bar", "name", "total"),
    ),
    ("year + number", {"year": [2023, 2024], "revenue": [100, 120]}, charts.ChartSpec("line", "year", "revenue")),
    ("two numbers", {"price": [1.0, 2.0, 3.0], "sold": [30, 20, 10]}, charts.ChartSpec("scatter", "price", "sold")),
    ("text only", {"name": ["a", "b"], "city": ["서울", "부산"]}, None),
    ("one text value", {"name": ["a"]}, None),
    ("empty", {"n": []}, None),
]


@pytest.mark.parametrize("shape, data, expected", CASES, ids=[c[0] for c in CASES])
def test_suggest_picks_a_chart_from_the_result_shape(shape, data, expected):
    frame = pd.DataFrame(data)
    assert charts.suggest(frame) == expected
    if expected and expected.kind != "metric":
        spec = charts.build(frame, expected, {"revenue": "매출"}).to_dict()
        assert spec["encoding"]["x"]["field"] == expected.x
        if expected.y == "revenue":
            assert spec["encoding"]["y"]["title"] == "매출"


def test_bar_chart_keeps_only_the_largest_categories():
    frame = pd.DataFrame({"name": [f"p{i}" for i in range(200)], "sold": list(range(200))})
    spec = charts.suggest(frame)
    data = charts.build(frame, spec).to_dict()
    values = next(iter(data["datasets"].values()))
    assert len(values) == charts.MAX_BARS and min(v["sold"] for v in values) == 150


def test_options_offer_numbers_for_y_and_categories_for_colour():
    frame = pd.DataFrame({"city": ["서울"], "n": [1], "avg": [Decimal("1.5")], "day": [D(2024, 1, 1)]})
    opts = charts.options(frame)
    assert opts == {"x": ["city", "n", "avg", "day"], "y": ["n", "avg"], "color": ["city"]}


@pytest.mark.parametrize(
    "values, shown",
    [
        ([1234567], "1,234,567"),
        ([Decimal("1234.5")], "1,234.5"),
        ([None], "-"),
        ([float("nan")], "-"),
        ([], "-"),
        (["서울"], "서울"),
    ],
)
def test_metric_text(values, shown):
    assert charts.metric_text(pd.Series(values, dtype=object)) == shown


def test_axis_titles_come_from_the_queried_tables_only():
    labels = {"customers.city": "거주 도시", "stores.city": "매장 도시", "customers.grade": "회원 등급"}
    assert charts.axis_titles(["city", "n"], ["customers"], labels) == {"city": "거주 도시"}
