"""The CLI contracts other tools rely on: in process through click's runner, and as a real
``python -m t2sql`` process where the process itself is the point (exit codes, start-up imports)."""

import csv
import dataclasses
import io
import json
import subprocess
import sys
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from t2sql.cli import cli, main
from t2sql.cli.common import spread_values
from t2sql.pipeline import Pipeline
from t2sql.settings import ROOT
from t2sql.tuning import training


@dataclasses.dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args, env=None) -> Run:
    """The command in this process; an unexpected exception fails the test with its traceback."""
    result = CliRunner().invoke(cli, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def test_sql_table_output(sqlite_file):
    out = run_cli(
        "sql", "--db", f"sqlite:///{sqlite_file}", "SELECT dept_name, location FROM departments ORDER BY dept_id"
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split("|")[0].strip() == "dept_name" and set(lines[1]) <= set("-+")
    assert "영업팀" in lines[2] and "서울" in lines[2]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_sql_csv_and_json(sqlite_file, fmt):
    out = run_cli(
        "sql",
        "--db",
        f"sqlite:///{sqlite_file}",
        "--format",
        fmt,
        "SELECT dept_id, dept_name FROM departments ORDER BY dept_id",
    )
    assert out.returncode == 0, out.stderr
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(out.stdout)))
        assert rows[0] == ["dept_id", "dept_name"] and rows[1] == ["1", "영업팀"]
    else:
        assert json.loads(out.stdout)[0] == {"dept_id": 1, "dept_name": "영업팀"}


def test_sql_refused_exits_2_with_korean_reason(sqlite_file):
    out = run_cli("sql", "--db", f"sqlite:///{sqlite_file}", "DELETE FROM employees")
    assert out.returncode == 2
    assert "거부됨" in out.stderr and out.stdout == ""


@pytest.mark.parametrize(
    "db, sql",
    [("sqlite:////nonexistent.sqlite", "SELECT 1"), ("{sqlite}", "SELECT missing_col FROM employees")],
    ids=["missing-db", "db-error"],
)
def test_sql_other_errors_exit_1(sqlite_file, db, sql):
    out = run_cli("sql", "--db", db.format(sqlite=f"sqlite:///{sqlite_file}"), sql)
    assert out.returncode == 1
    assert out.stderr.startswith("오류:")


def test_python_m_t2sql_exits_with_the_command_s_code(sqlite_file):
    """The real process: `python -m t2sql` runs the group and exits 0 / 2 as the command decided."""

    def run(sql):
        return subprocess.run(
            [sys.executable, "-m", "t2sql", "sql", "--db", f"sqlite:///{sqlite_file}", "--format", "json", sql],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )

    ran, refused = run("SELECT 1 AS one"), run("DELETE FROM employees")
    assert ran.returncode == 0 and json.loads(ran.stdout) == [{"one": 1}], ran.stderr
    assert refused.returncode == 2 and refused.stderr.startswith("거부됨:") and refused.stdout == ""


def test_ctrl_c_exits_130(sqlite_file, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Pipeline, "run", interrupted)
    assert run_cli("sql", "--db", f"sqlite:///{sqlite_file}", "SELECT 1").returncode == 130
    assert main(["sql", "--db", f"sqlite:///{sqlite_file}", "SELECT 1"]) == 130


def test_main_returns_usage_errors_as_exit_2():
    assert main(["sql"]) == 2
    assert main(["--help"]) == 0


def test_sql_path_imports_no_model_code(sqlite_file):
    code = (
        "import sys; from t2sql.cli import main; "
        f"rc = main(['sql', '--db', 'sqlite:///{sqlite_file}', 'SELECT 1']); "
        "heavy = [m for m in ('torch', 'transformers', 'peft', 'chromadb', 'streamlit') if m in sys.modules]; "
        "print('HEAVY', heavy, rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "HEAVY [] 0" in out.stdout, out.stdout + out.stderr


def test_sql_on_a_sample_database_by_name(sample_dir):
    out = run_cli("sql", "--db", "shop", "--format", "json", "SELECT count(*) AS n FROM customers WHERE city = '서울'")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["n"] > 0


def test_ask_json_contract(sqlite_file, tiny_model_dir, tmp_path):
    env = {
        "T2SQL_MODEL": str(tiny_model_dir),
        "T2SQL_ADAPTER": "none",
        "T2SQL_DATA_DIR": str(tmp_path),
        "T2SQL_MAX_NEW_TOKENS": "8",
    }
    out = run_cli("ask", "--db", f"sqlite:///{sqlite_file}", "--json", "부서별 직원 수를 알려줘", env=env)
    answer = json.loads(out.stdout)
    assert {"question", "sql", "columns", "rows", "error", "notices", "latency_ms"} <= set(answer)
    assert answer["question"] == "부서별 직원 수를 알려줘"
    assert answer["latency_ms"] > 0
    assert set(answer["tables"]) == {"departments", "employees"}
    # the random tiny model writes nonsense: the contract is a Korean error and exit 1, not a crash
    assert out.returncode == (1 if answer["error"] else 0)


def test_ask_with_empty_question_is_a_korean_error(sqlite_file, tmp_path):
    out = run_cli("ask", "--db", f"sqlite:///{sqlite_file}", "--json", "   ", env={"T2SQL_DATA_DIR": str(tmp_path)})
    assert out.returncode == 1
    assert json.loads(out.stdout)["error"] == "질문을 입력하세요."


def test_settings_lists_every_option():
    out = run_cli("settings", env={"T2SQL_MAX_ROWS": "77"})
    assert out.returncode == 0
    assert "T2SQL_MAX_ROWS=77" in out.stdout and "T2SQL_QUERY_TIMEOUT_S=10.0" in out.stdout


def test_a_setting_of_the_wrong_type_is_a_korean_error():
    out = run_cli("settings", env={"T2SQL_MAX_ROWS": "many"})
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "오류: 환경 변수 T2SQL_MAX_ROWS의 값 'many'을(를) 쓸 수 없습니다: 정수 값이어야 합니다" in out.stderr


@pytest.mark.parametrize(
    "engine, sql",
    [
        ("sqlite", "SELECT name FROM sqlite_master"),
        ("sqlite", "SELECT * FROM pragma_database_list"),
        ("sqlite", 'SELECT * FROM "SQLITE_SCHEMA"'),
        ("duckdb", "SELECT * FROM duckdb_settings"),
        ("duckdb", "SELECT path FROM duckdb_databases"),
        ("duckdb", "SELECT * FROM pg_catalog.pg_settings"),
        ("duckdb", "SELECT * FROM information_schema.tables"),
    ],
)
def test_sql_refuses_system_catalogs_with_exit_2(sqlite_file, tmp_path, engine, sql):
    out = run_cli("sql", "--db", _engine_url(engine, sqlite_file, tmp_path), sql)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "시스템 카탈로그" in out.stderr and out.stdout == ""


@pytest.mark.parametrize(
    "engine, sql, first_row",
    [
        (
            "sqlite",
            "WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt LIMIT 12) SELECT max(x) AS m FROM cnt",
            {"m": 12},
        ),
        (
            "duckdb",
            "PIVOT sales ON region USING sum(amount) GROUP BY year ORDER BY year",
            {"year": 2024, "A": 10, "B": 5},
        ),
        (
            "duckdb",
            "FROM sales SELECT region, sum(amount) AS s GROUP BY region ORDER BY region",
            {"region": "A", "s": 17},
        ),
    ],
)
def test_sql_runs_analytics_statement_forms(sqlite_file, tmp_path, engine, sql, first_row):
    out = run_cli("sql", "--db", _engine_url(engine, sqlite_file, tmp_path), "--format", "json", sql)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0] == first_row


def _engine_url(engine, sqlite_file, tmp_path):
    if engine == "sqlite":
        return f"sqlite:///{sqlite_file}"
    import duckdb

    path = tmp_path / "sales.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE sales AS SELECT * FROM (VALUES (2024, 'A', 10), (2024, 'B', 5), (2025, 'A', 7)) "
        "t(year, region, amount)"
    )
    con.close()
    return f"duckdb:///{path}"


def test_train_has_one_flag_per_config_field():
    """The flags come from TrainConfig: a new field needs no CLI edit."""
    help_text = run_cli("train", "--help").stdout
    for f in dataclasses.fields(training.TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        assert (f"{flag} / --no-{flag[2:]}" if f.type in ("bool", bool) else flag) in help_text


def test_train_options_reach_the_config(monkeypatch):
    seen = {}

    def fake_train(config, settings, progress):
        seen["config"] = config
        return {"out": config.out, "losses": [1.0]}

    monkeypatch.setattr("t2sql.lab.corpus.prepare_training", lambda config, settings, say: config)
    monkeypatch.setattr(training, "train", fake_train)
    out = run_cli(
        "train",
        "--limit",
        "3",
        "--no-resume",
        "--target-modules",
        "q_proj",
        "v_proj",
        "--learning-rate",
        "1e-4",
        "--method",
        "lora",
    )
    assert out.returncode == 0, out.stderr
    config = seen["config"]
    assert (config.limit, config.resume, config.target_modules, config.learning_rate, config.method) == (
        3,
        False,
        ["q_proj", "v_proj"],
        1e-4,
        "lora",
    )
    assert config.sections is True and config.out == training.TrainConfig().out  # untouched fields keep defaults
    assert json.loads(out.stdout) == {"out": config.out}  # the card without its losses
    run_cli("train", "--max-steps", "1")
    assert seen["config"].target_modules == training.TrainConfig().target_modules


def test_build_samples_only_takes_several_names(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "t2sql.cli.querying.build_samples",
        lambda folder, only, force, progress: (
            calls.append(only) or {name: folder / f"{name}.duckdb" for name in only or ["shop"]}
        ),
    )
    out = run_cli("build-samples", "--only", "shop", "marketing")
    assert out.returncode == 0, out.stderr
    assert calls == [["shop", "marketing"]] and out.stdout.splitlines()[1].startswith("marketing\t")
    assert run_cli("build-samples").returncode == 0 and calls[-1] is None  # all samples


@pytest.mark.parametrize(
    "args, spread",
    [
        (["--only", "a", "b"], ["--only", "a", "--only", "b"]),
        (["--only"], []),
        (["--x", "1", "--only", "a", "--y", "2", "pos"], ["--x", "1", "--only", "a", "--y", "2", "pos"]),
        (["--only", "a", "--", "-b"], ["--only", "a", "--", "-b"]),
    ],
)
def test_spread_values(args, spread):
    assert spread_values(args, {"--only"}) == spread


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_training_limits_heap_growth_at_run_time(monkeypatch):
    """What `train` used to re-exec itself for (MALLOC_MMAP_THRESHOLD_): mallopt accepts both settings,
    unless the process was started with glibc's own setting, which then stands."""
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    assert training.limit_heap_growth() is True
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", str(64 << 20))
    assert training.limit_heap_growth() is False


def test_ask_prints_the_answer_s_notices(monkeypatch):
    notices = ["기간을 이렇게 해석했습니다: 2024년 2월", "비슷한 검증된 예시 2개를 참고했습니다."]
    answer = SimpleNamespace(sql="SELECT 1", notices=notices, error=None, columns=["n"], rows=[(1,)], latency_ms=12.0)
    monkeypatch.setattr(Pipeline, "ask", lambda self, db, question, progress: answer)
    out = run_cli("ask", "--db", "shop", "지난달 주문 수")
    assert out.returncode == 0, out.stderr
    assert all(f"알림: {notice}" in out.stderr for notice in notices)
    assert out.stdout.startswith("SELECT 1\n")
