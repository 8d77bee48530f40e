from pathlib import Path

import pytest

from t2sql.settings import SHIPPED_ADAPTER, Settings


def test_environment_overrides_are_typed():
    s = Settings.from_env({"T2SQL_MAX_ROWS": "50", "T2SQL_QUERY_TIMEOUT_S": "2.5", "T2SQL_DATA_DIR": "~/x"}, backend="openai")
    assert s.max_rows == 50 and s.query_timeout_s == 2.5 and s.backend == "openai"
    assert s.data_dir == Path("~/x").expanduser()


def test_bad_value_is_rejected():
    with pytest.raises(ValueError):
        Settings.from_env({"T2SQL_MAX_ROWS": "many"})


@pytest.mark.parametrize(
    "value, expected",
    [("none", ""), ("", ""), ("/some/adapter", "/some/adapter"),
     ("auto", str(SHIPPED_ADAPTER) if (SHIPPED_ADAPTER / "adapter_config.json").is_file() else "")],
)
def test_adapter_path(value, expected):
    assert Settings(adapter=value).adapter_path == expected


def test_describe_hides_keys_and_covers_every_field():
    rows = Settings(openai_api_key="secret").describe()
    shown = dict((env, value) for env, value, _ in rows)
    assert shown["T2SQL_OPENAI_API_KEY"] == "***"
    assert all(help_text for _, _, help_text in rows)
