"""The operator's databases file: names instead of URLs, credentials from the environment."""

import pytest

from t2sql.db.engine import resolve_url
from t2sql.db.registry import load_served
from t2sql.errors import GuardRefusal, SettingsError
from t2sql.pipeline import Pipeline
from t2sql.settings import Settings

FILE = """
databases:
  - name: company
    url: sqlite:///${COMPANY_DB}
    description: 인사 데이터
    sensitive_policy: block
  - name: warehouse
    url: postgresql://analyst:${WH_PASSWORD}@db.internal:5432/wh
"""


def test_names_descriptions_and_credentials_from_the_environment(tmp_path):
    path = tmp_path / "databases.yaml"
    path.write_text(FILE, encoding="utf-8")
    served = load_served(path, {"COMPANY_DB": "/data/company.sqlite", "WH_PASSWORD": "s3cret"})
    assert list(served) == ["company", "warehouse"]
    assert served["company"].url == "sqlite:////data/company.sqlite"
    assert served["company"].description == "인사 데이터" and served["company"].sensitive_policy == "block"
    assert served["warehouse"].url == "postgresql://analyst:s3cret@db.internal:5432/wh"
    assert "s3cret" not in path.read_text()


@pytest.mark.parametrize(
    "text, env, fragment",
    [
        (FILE, {"COMPANY_DB": "x"}, "환경 변수 WH_PASSWORD"),
        ("databases:\n  - name: a\n", {}, "name과 url"),
        ("databases:\n  - {name: a, url: 'sqlite:///a'}\n  - {name: a, url: 'sqlite:///b'}\n", {}, "두 번"),
        ("databases:\n  - {name: a, url: 'sqlite:///a', sensitive_policy: hide}\n", {}, "mask 또는 block"),
        ("databases: [unclosed\n", {}, "읽을 수 없습니다"),
        ("- name: a\n", {}, "`databases:`"),
    ],
    ids=["missing-variable", "missing-url", "duplicate", "bad-policy", "bad-yaml", "no-databases-key"],
)
def test_mistakes_are_korean_errors_naming_the_entry(tmp_path, text, env, fragment):
    path = tmp_path / "databases.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=fragment):
        load_served(path, env)


def test_no_file_serves_only_the_samples(tmp_path):
    assert load_served(tmp_path / "none.yaml") == {}


def test_a_served_name_resolves_and_its_policy_applies(tmp_path, sqlite_file, monkeypatch):
    """``company`` is opened by name; its ``block`` policy refuses the email column."""
    monkeypatch.setenv("COMPANY_DB", str(sqlite_file))
    monkeypatch.setenv("WH_PASSWORD", "unused")
    path = tmp_path / "databases.yaml"
    path.write_text(FILE, encoding="utf-8")
    settings = Settings(databases_file=path, data_dir=tmp_path / "data")
    assert resolve_url("company", settings) == f"sqlite:///{sqlite_file}"
    pipeline = Pipeline(settings)
    assert pipeline.catalog("company").description == "인사 데이터"
    _, result = pipeline.run("company", "SELECT dept_name FROM departments ORDER BY dept_id")
    assert result.rows[0] == ("영업팀",)
    with pytest.raises(GuardRefusal):
        pipeline.run("company", "SELECT email FROM employees")
