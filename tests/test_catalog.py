"""Catalog introspection on real DuckDB, SQLite and PostgreSQL databases."""

import pytest

from t2sql.db.catalog import build_catalog, load_annotations
from t2sql.db.engine import Database
from t2sql.settings import ROOT, Settings

PATTERNS = Settings().sensitive_patterns


def test_sqlite_without_yaml_works_from_introspection(sqlite_file):
    catalog = build_catalog(Database(f"sqlite:///{sqlite_file}"), {}, 5, PATTERNS)
    assert set(catalog.tables) == {"departments", "employees"}
    emp = catalog.tables["employees"]
    assert [c.name for c in emp.columns if c.primary_key] == ["emp_id"]
    assert emp.foreign_keys[0].ref_table == "departments" and emp.foreign_keys[0].columns == ["dept_id"]
    cols = {c.name: c for c in emp.columns}
    assert cols["email"].sensitive and not cols["email"].samples  # never shown to the model
    assert set(catalog.tables["departments"].columns[2].samples) == {"서울", "판교"}
    ddl = emp.ddl()
    assert ddl.startswith("CREATE TABLE employees (")
    assert "FOREIGN KEY (dept_id) REFERENCES departments(dept_id)" in ddl
    assert "minsu@example.com" not in catalog.ddl()
    assert catalog.neighbours("employees") == {"departments"}
    assert catalog.neighbours("departments") == {"employees"}


def test_annotations_are_merged_and_change_the_fingerprint(sqlite_file):
    db = Database(f"sqlite:///{sqlite_file}")
    plain = build_catalog(db, {}, 5, PATTERNS)
    notes = {
        "tables": {
            "employees": {
                "description": "직원 정보",
                "synonyms": ["사원", "직원"],
                "columns": {
                    "salary": {"description": "월급(만원)", "synonyms": ["연봉"]},
                    "full_name": {"description": "이름", "sensitive": True},
                },
            }
        }
    }
    annotated = build_catalog(db, notes, 5, PATTERNS)
    emp = annotated.tables["employees"]
    assert emp.description == "직원 정보" and "사원" in emp.synonyms
    assert "-- 월급(만원)" in emp.ddl()
    assert "직원 정보" in emp.document() and "연봉" in emp.document()
    assert {c.name: c.sensitive for c in emp.columns}["full_name"]
    assert plain.fingerprint != annotated.fingerprint
    assert annotated.fingerprint == build_catalog(db, notes, 5, PATTERNS).fingerprint


@pytest.mark.parametrize("name", ["shop", "marketing", "game"])
def test_sample_databases_are_fully_annotated(sample_dir, name):
    db = Database(f"duckdb:///{sample_dir / (name + '.duckdb')}")
    catalog = build_catalog(db, load_annotations(ROOT / "schemas", name), 5, PATTERNS)
    assert len(catalog.tables) >= 5
    for table in catalog.tables.values():
        assert table.description, table.name
        assert all(c.description for c in table.columns), table.name
        assert any(c.primary_key for c in table.columns), table.name
    assert any(t.foreign_keys for t in catalog.tables.values())
    sensitive = [c for t in catalog.tables.values() for c in t.columns if c.sensitive]
    assert sensitive and all(not c.samples for c in sensitive)


def test_shop_catalog_shows_city_values(sample_dir):
    db = Database(f"duckdb:///{sample_dir / 'shop.duckdb'}")
    catalog = build_catalog(db, load_annotations(ROOT / "schemas", "shop"), 5, PATTERNS)
    city = {c.name: c for c in catalog.tables["customers"].columns}["city"]
    assert "서울" in city.samples
    assert "orders" in catalog.neighbours("customers")


def test_missing_yaml_is_empty(tmp_path):
    assert load_annotations(tmp_path, "nothing") == {}


def test_postgresql_catalog_and_read_only_execution(postgres_url):
    from t2sql.errors import QueryError

    db = Database(postgres_url)
    catalog = build_catalog(db, {}, 5, PATTERNS)
    assert {"departments", "employees"} <= set(catalog.tables)
    emp = catalog.tables["employees"]
    assert emp.foreign_keys[0].ref_table == "departments"
    assert {c.name: c.sensitive for c in emp.columns}["email"]
    assert db.run("SELECT count(*) FROM employees").rows == [(2,)]
    with pytest.raises(QueryError):
        db.run("DELETE FROM employees")  # read-only transaction
    assert db.run("SELECT count(*) FROM employees").rows == [(2,)]
