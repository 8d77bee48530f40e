from pathlib import Path

import pytest

from t2sql.errors import SettingsError
from t2sql.settings import SHIPPED_ADAPTER, Settings


def test_environment_overrides_are_typed():
    env = {"T2SQL_MAX_ROWS": "50", "T2SQL_QUERY_TIMEOUT_S": "2.5", "T2SQL_DATA_DIR": "~/x"}
    s = Settings.from_env(env, backend="openai")
    assert s.max_rows == 50 and s.query_timeout_s == 2.5 and s.backend == "openai"
    assert s.data_dir == Path("~/x").expanduser()


@pytest.mark.parametrize(
    "name, raw, kind",
    [
        ("T2SQL_MAX_ROWS", "many", "정수"),
        ("T2SQL_QUERY_TIMEOUT_S", "10s", "숫자"),
        ("T2SQL_SENSITIVE_ALLOW_COUNTS", "maybe", "true 또는 false"),
    ],
)
def test_bad_value_is_a_korean_error_naming_the_variable(name, raw, kind):
    with pytest.raises(SettingsError, match=f"환경 변수 {name}의 값 '{raw}'을\\(를\\) 쓸 수 없습니다: {kind} 값이어야"):
        Settings.from_env({name: raw})


@pytest.mark.parametrize(
    "raw, value", [("1", True), ("YES", True), ("on", True), ("0", False), ("off", False), ("", False)]
)
def test_booleans(raw, value):
    assert Settings.from_env({"T2SQL_SENSITIVE_ALLOW_COUNTS": raw}).sensitive_allow_counts is value


@pytest.mark.parametrize(
    "value, expected",
    [
        ("none", ""),
        ("", ""),
        ("/some/adapter", "/some/adapter"),
        ("auto", str(SHIPPED_ADAPTER) if (SHIPPED_ADAPTER / "adapter_config.json").is_file() else ""),
    ],
)
def test_adapter_path(value, expected):
    assert Settings(adapter=value).adapter_path == expected


def test_describe_hides_keys_and_covers_every_field():
    rows = Settings(openai_api_key="secret").describe()
    shown = dict((env, value) for env, value, _ in rows)
    assert shown["T2SQL_OPENAI_API_KEY"] == "***"
    assert all(help_text for _, _, help_text in rows)
