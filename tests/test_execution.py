"""The read-only executor on real DuckDB and SQLite files: limits, timeouts, read-only, clear errors."""

import hashlib

import duckdb
import pytest

from t2sql.db.engine import Database, resolve_url
from t2sql.errors import DatabaseUnavailable, QueryError, QueryTimeout
from t2sql.settings import Settings


@pytest.fixture
def duckdb_file(tmp_path):
    path = tmp_path / "small.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR); INSERT INTO t SELECT i, '이름' || i FROM range(50) r(i)"
    )
    con.close()
    return path


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(params=["duckdb", "sqlite"])
def db_file(request, duckdb_file, sqlite_file):
    return (
        (f"duckdb:///{duckdb_file}", duckdb_file)
        if request.param == "duckdb"
        else (f"sqlite:///{sqlite_file}", sqlite_file)
    )


def test_runs_and_caps_rows(db_file):
    url, _ = db_file
    db = Database(url)
    table = "t" if db.backend == "duckdb" else "employees"
    result = db.run(f"SELECT * FROM {table}", max_rows=3)
    assert len(result.rows) == 3 and result.truncated
    assert result.columns[0] in ("id", "emp_id")
    full = db.run(f"SELECT count(*) FROM {table}", max_rows=3)
    assert not full.truncated and full.rows[0][0] in (50, 4)


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE hacked (x INTEGER)",
        "DELETE FROM {table}",
        "UPDATE {table} SET {col} = 0",
        "INSERT INTO {table} ({col}) VALUES (999)",
        "DROP TABLE {table}",
    ],
)
def test_connection_itself_is_read_only(db_file, sql):
    """Defence in depth: even SQL that skips the guard cannot change the file."""
    url, path = db_file
    before = digest(path)
    db = Database(url)
    table, col = ("t", "id") if db.backend == "duckdb" else ("employees", "emp_id")
    with pytest.raises(QueryError):
        db.run(sql.format(table=table, col=col))
    db.dispose()
    assert digest(path) == before


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "COPY (SELECT 1) TO '{tmp}/out.csv'",
        "ATTACH '{tmp}/new.duckdb' AS n",
        "SET enable_external_access = true",
        "INSTALL httpfs",
    ],
)
def test_duckdb_connection_blocks_files_and_settings(duckdb_file, tmp_path, sql):
    db = Database(f"duckdb:///{duckdb_file}")
    with pytest.raises(QueryError):
        db.run(sql.format(tmp=tmp_path))
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "new.duckdb").exists()


@pytest.mark.parametrize("backend", ["duckdb", "sqlite"])
def test_timeout_cancels_the_query(backend, duckdb_file, sqlite_file):
    url = f"duckdb:///{duckdb_file}" if backend == "duckdb" else f"sqlite:///{sqlite_file}"
    db = Database(url, timeout_s=0.5)
    slow = (
        "SELECT count(*) FROM range(100000000000) a"
        if backend == "duckdb"
        else "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    )
    with pytest.raises(QueryTimeout) as err:
        db.run(slow)
    assert "제한 시간" in str(err.value)
    assert db.run("SELECT 1").rows == [(1,)]  # the connection is usable again


def test_database_errors_are_korean(duckdb_file):
    db = Database(f"duckdb:///{duckdb_file}")
    with pytest.raises(QueryError) as err:
        db.run("SELECT no_such_column FROM t")
    assert "실행하지 못했습니다" in str(err.value)


@pytest.mark.parametrize(
    "url, message",
    [
        ("duckdb:////nonexistent/x.duckdb", "찾을 수 없습니다"),
        ("sqlite:////nonexistent/x.sqlite", "찾을 수 없습니다"),
        ("mysql://u@localhost/db", "지원하지 않는"),
        ("not a url://", "형식"),
        ("postgresql://nobody@127.0.0.1:1/none", "연결할 수 없습니다"),
    ],
)
def test_unavailable_databases_say_why(url, message):
    with pytest.raises(DatabaseUnavailable) as err:
        Database(url)
    assert message in str(err.value)


def test_resolve_url(tmp_path, duckdb_file):
    settings = Settings(sample_dir=tmp_path)
    assert resolve_url(str(duckdb_file), settings) == f"duckdb:///{duckdb_file}"
    assert resolve_url("sqlite:///x.sqlite", settings) == "sqlite:///x.sqlite"
    with pytest.raises(DatabaseUnavailable) as err:
        resolve_url("unknown_name", settings)
    assert "shop" in str(err.value)


def test_duplicate_columns_become_unique(duckdb_file):
    result = Database(f"duckdb:///{duckdb_file}").run("SELECT a.id, b.id FROM t a JOIN t b USING (id) LIMIT 1")
    assert list(result.to_frame().columns) == ["id", "id_2"]


# --- Hardening beyond read-only ----------------------------------------------------------------


@pytest.mark.parametrize(
    "sql, single",
    [
        ("SELECT 1", True),
        ("SELECT 1;", True),
        ("SELECT 1 ;  -- done\n", True),
        ("SELECT ';' AS s, 'it''s; ok' AS t", True),
        ('SELECT 1 AS "a;b"', True),
        ("SELECT 1 /* ; */", True),
        ("SELECT 1 /* /* ; */ ; */", True),  # PostgreSQL nests block comments
        ("SELECT 1 -- ; DELETE FROM t\n", True),
        ("SELECT 1; DELETE FROM t", False),
        ("SELECT 1;;DELETE FROM t", False),
        ("SELECT 1 /* /* */ ; */; DELETE FROM t", False),
        ("SELECT 1 -- x\r; DELETE FROM t", False),  # the server ends a line comment at \r too
        ("SELECT $$;$$; DELETE FROM t", False),
        ("SELECT $$a;b$$", False),  # dollar quotes with an inner ';': fail closed
        ("SELECT E'\\''; DELETE FROM t", False),
        ("SELECT 'unterminated; DELETE FROM t", False),
        ("SELECT 1 /* unterminated; DELETE", False),
    ],
)
def test_postgres_single_statement_scanner(sql, single):
    from t2sql.db.engine import _single_postgres_statement

    assert _single_postgres_statement(sql) is single


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1; SELECT 2",
        "DETACH small",
        "CREATE TEMP TABLE x AS SELECT 1",
        "SET VARIABLE v = 1",
        "PRAGMA version",
        "CALL pragma_version()",
    ],
)
def test_duckdb_runs_only_one_select(duckdb_file, sql):
    db = Database(f"duckdb:///{duckdb_file}")
    with pytest.raises(QueryError) as err:
        db.run(sql)
    assert "하나만" in str(err.value) or "SELECT" in str(err.value)
    assert db.run("SELECT count(*) FROM t").rows == [(50,)]


def test_duckdb_memory_limit_and_no_spill(tmp_path, duckdb_file):
    db = Database(f"duckdb:///{duckdb_file}", memory_limit="256MB")
    limit, spill = db.run("SELECT current_setting('memory_limit'), current_setting('temp_directory')").rows[0]
    assert limit.endswith("MiB") and float(limit.split()[0]) < 256 and spill == ""


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TEMP TABLE x AS SELECT 1",
        "ATTACH ':memory:' AS m",
        "PRAGMA query_only = 0",
        "BEGIN",
        "SELECT fts3_tokenizer('simple')",
    ],
)
def test_sqlite_authorizer_denies(sqlite_file, sql):
    db = Database(f"sqlite:///{sqlite_file}")
    with pytest.raises(QueryError):
        db.run(sql)
    assert db.run("PRAGMA query_only").rows == [(1,)]


def test_sqlite_introspection_still_works(sqlite_file):
    import sqlalchemy as sa

    db = Database(f"sqlite:///{sqlite_file}")
    with db.engine.connect() as conn:
        insp = sa.inspect(conn)
        assert sorted(insp.get_table_names()) == ["departments", "employees"]
        assert [c["name"] for c in insp.get_columns("employees")][:2] == ["emp_id", "full_name"]
        assert insp.get_foreign_keys("employees")[0]["referred_table"] == "departments"


@pytest.mark.parametrize("backend", ["duckdb", "sqlite"])
def test_result_size_cap(backend, duckdb_file, sqlite_file):
    url = f"duckdb:///{duckdb_file}" if backend == "duckdb" else f"sqlite:///{sqlite_file}"
    db = Database(url)
    sql = (
        "SELECT i, repeat('가', 200) AS filler FROM range(5000) r(i)"
        if backend == "duckdb"
        else "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4999) "
        "SELECT i, printf('%.*c', 200, 'x') AS filler FROM n"
    )
    result = db.run(sql, max_rows=5000, max_result_mb=0.01)
    assert result.truncated and result.truncated_reason == "size"
    assert 0 < len(result.rows) < 100 and [r[0] for r in result.rows] == list(range(len(result.rows)))
    assert "메모리 한도(0.01MB)" in result.truncation_message
    by_rows = db.run(sql, max_rows=7)
    assert by_rows.truncated_reason == "rows" and len(by_rows.rows) == 7 and "7행" in by_rows.truncation_message
    full = db.run(sql, max_rows=5000)
    assert not full.truncated and full.truncated_reason is None and full.truncation_message == ""
    assert len(full.rows) == 5000


def test_open_database_keeps_old_signature(duckdb_file):
    from t2sql.db.engine import open_database

    url = f"duckdb:///{duckdb_file}"
    assert open_database(url, 10.0) is open_database(url, 10.0, memory_limit="2GB")


def test_duckdb_runs_a_pivot_that_needs_two_passes_but_never_a_write_hidden_in_one(duckdb_file):
    """A PIVOT without an IN list is one statement DuckDB runs in two passes (type MULTI): it runs;
    a write dressed the same way still meets the read-only connection."""
    db = Database(f"duckdb:///{duckdb_file}")
    result = db.run("SELECT * FROM (PIVOT (SELECT id % 2 AS odd FROM t) ON odd USING count(*)) p")
    assert result.columns == ["0", "1"] and result.rows == [(25, 25)]
    before = digest(duckdb_file)
    for sql in ("CREATE TABLE x AS PIVOT t ON name USING count(*)", "INSERT INTO t PIVOT t ON name USING count(*)"):
        with pytest.raises(QueryError):
            db.run(sql)
    db.dispose()
    assert digest(duckdb_file) == before
