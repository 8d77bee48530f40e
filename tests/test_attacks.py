"""Adversarial suite: every attack is refused by the guard AND harmless at the connection alone.

One table of attacks per engine (DuckDB, SQLite, and PostgreSQL when its server binaries are
installed), each row ``(id, sql, category)``. For every attack:

(a) ``guard.check`` refuses it with a Korean message;
(b) run straight on a hardened ``Database`` (``Database.run``, the executor's one-statement
    entry point, without the guard) against the real shop sample copied into ``tmp_path``, it is
    harmless: the database is unchanged (file SHA-256; table hashes for PostgreSQL), no file
    appears in the watched folder, the token in ``secret.txt`` there never comes back (rows,
    column names or error text), and nothing is attached, loaded, set or left behind as a temp
    object - checked on two pooled connections at once and on a fresh per-query connection.

Benign complex queries (CTEs, windows, recursive CTEs with a stop condition, string literals
holding ``DROP TABLE``, ``;``, ``--``, ``/*``) must pass the guard and return the same rows as
the original SQL on the same data; a refusal there is a false refusal and fails the test.

``test_counts`` (last in the file) checks the table sizes and prints the per-engine numbers:
``pytest -s tests/test_attacks.py``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import shutil
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import duckdb
import pytest

from t2sql.db.engine import Database
from t2sql.errors import GuardRefusal, QueryError, QueryTimeout
from t2sql.guard import statement as guard

HANGUL = re.compile(r"[가-힣]")
DIALECT = {"duckdb": "duckdb", "sqlite": "sqlite", "postgres": "postgres"}
MINIMUM_ATTACKS = {"duckdb": 60, "sqlite": 40, "postgres": 40}
MINIMUM_BENIGN = 30
ATTACK_TIMEOUT_S = 2.0  # resource attacks are cancelled by the executor's timer within this

# Categories
DML = "DML/DDL"
DISGUISE = "disguised statement"
DB_COMMAND = "database command"
SETTINGS = "settings/system"
FILES = "file/network read"
RESOURCE = "resource abuse"


class Attack(NamedTuple):
    id: str
    sql: str  # {tmp}: the watched folder; {secret}: a file there holding a random token
    category: str
    guard_only: str = ""  # why the connection alone cannot make it harmless (documented, few)


# --- Attacks: DuckDB -------------------------------------------------------------------------
DUCKDB_ATTACKS = [
    Attack("delete", "DELETE FROM orders", DML),
    Attack("delete-where", "DELETE FROM customers WHERE customer_id = 1", DML),
    Attack("update", "UPDATE products SET price = 0", DML),
    Attack(
        "update-from",
        "UPDATE orders SET total_amount = 0 FROM customers c WHERE c.customer_id = orders.customer_id",
        DML,
    ),
    Attack("insert", "INSERT INTO categories VALUES (999, '해킹', NULL)", DML),
    Attack("insert-select", "INSERT INTO categories SELECT category_id + 1000, name, NULL FROM categories", DML),
    Attack("insert-or-replace", "INSERT OR REPLACE INTO categories VALUES (1, '해킹', NULL)", DML),
    Attack(
        "insert-on-conflict", "INSERT INTO categories VALUES (1, 'x', NULL) ON CONFLICT DO UPDATE SET name = 'x'", DML
    ),
    Attack("drop-table", "DROP TABLE orders", DML),
    Attack("drop-view-if-exists", "DROP VIEW IF EXISTS orders", DML),
    Attack("truncate", "TRUNCATE orders", DML),
    Attack("alter-add-column", "ALTER TABLE orders ADD COLUMN pwned INTEGER", DML),
    Attack("alter-rename", "ALTER TABLE orders RENAME TO orders_old", DML),
    Attack("create-table-as", "CREATE TABLE stolen AS SELECT * FROM customers", DML),
    Attack("create-or-replace-table", "CREATE OR REPLACE TABLE orders AS SELECT 1 AS x", DML),
    Attack("create-temp-table", "CREATE TEMP TABLE stolen AS SELECT email FROM customers", DML),
    Attack("create-temp-view-shadow", "CREATE TEMP VIEW orders AS SELECT 1 AS order_id", DML),
    Attack("create-temp-macro", "CREATE TEMP MACRO discount(x) AS 0", DML),
    Attack("create-macro", "CREATE MACRO pwn(x) AS x", DML),
    Attack("create-temp-sequence", "CREATE TEMP SEQUENCE seq", DML),
    Attack("create-index", "CREATE INDEX idx ON orders (status)", DML),
    Attack("create-type", "CREATE TYPE mood AS ENUM ('a', 'b')", DML),
    Attack("comment-on", "COMMENT ON TABLE orders IS 'pwned'", DML),
    Attack("cte-delete-returning", "WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d", DML),
    Attack("select-into", "SELECT * INTO stolen FROM customers", DML),
    Attack(
        "merge", "MERGE INTO products p USING products s ON p.product_id = s.product_id WHEN MATCHED THEN DELETE", DML
    ),
    Attack("stacked-drop", "SELECT 1; DROP TABLE orders", DISGUISE),
    Attack("stacked-detach", "SELECT 1; DETACH shop", DISGUISE),
    Attack("stacked-delete-first", "DELETE FROM orders; SELECT 1", DISGUISE),
    Attack("stacked-empty-statement", "SELECT 1;;DELETE FROM orders", DISGUISE),
    Attack("block-comment-semicolon", "SELECT 1 /* ; */; DELETE FROM orders", DISGUISE),
    Attack("line-comment-semicolon", "SELECT 1 -- x\n; DROP TABLE orders", DISGUISE),
    Attack("leading-comment", "/* 월별 매출 조회 */ DROP TABLE orders", DISGUISE),
    Attack("comments-between-keywords", "DROP/**/TABLE/**/orders", DISGUISE),
    Attack("mixed-case", "dElEtE fRoM OrDeRs", DISGUISE),
    Attack("whitespace", "\n\t  DROP\n\tTABLE\t orders \n", DISGUISE),
    Attack("semicolon-string-then-stacked", "SELECT ';' AS s; DELETE FROM orders", DISGUISE),
    Attack("attach-new-file", "ATTACH '{tmp}/new.duckdb' AS n", DB_COMMAND),
    Attack("attach-read-only", "ATTACH '{tmp}/new.duckdb' AS n (READ_ONLY)", DB_COMMAND),
    Attack("attach-memory", "ATTACH ':memory:' AS m", DB_COMMAND),
    Attack("attach-sqlite", "ATTACH '{tmp}/new.sqlite' AS s (TYPE sqlite)", DB_COMMAND),
    Attack("detach", "DETACH shop", DB_COMMAND),
    Attack("detach-database-if-exists", "DETACH DATABASE IF EXISTS shop", DB_COMMAND),
    Attack("use", "USE system.main", DB_COMMAND),
    Attack("copy-to", "COPY orders TO '{tmp}/out.csv'", DB_COMMAND),
    Attack(
        "copy-query-to-parquet", "COPY (SELECT * FROM customers) TO '{tmp}/out.parquet' (FORMAT PARQUET)", DB_COMMAND
    ),
    Attack("copy-from-secret", "COPY categories FROM '{secret}'", DB_COMMAND),
    Attack("export-database", "EXPORT DATABASE '{tmp}/dump'", DB_COMMAND),
    Attack("import-database", "IMPORT DATABASE '{tmp}'", DB_COMMAND),
    Attack("install", "INSTALL httpfs", DB_COMMAND),
    Attack("force-install", "FORCE INSTALL sqlite_scanner", DB_COMMAND),
    Attack("load", "LOAD httpfs", DB_COMMAND),
    Attack("load-path", "LOAD '{tmp}/evil.duckdb_extension'", DB_COMMAND),
    Attack("call", "CALL pragma_version()", DB_COMMAND),
    Attack("checkpoint", "CHECKPOINT", DB_COMMAND),
    Attack("force-checkpoint", "FORCE CHECKPOINT", DB_COMMAND),
    Attack("vacuum", "VACUUM", DB_COMMAND),
    Attack("begin", "BEGIN TRANSACTION", DB_COMMAND),
    Attack("commit", "COMMIT", DB_COMMAND),
    Attack("rollback", "ROLLBACK", DB_COMMAND),
    Attack("create-secret", "CREATE SECRET leak (TYPE s3, KEY_ID 'k', SECRET 's')", DB_COMMAND),
    Attack("create-temporary-secret", "CREATE TEMPORARY SECRET leak (TYPE http, BEARER_TOKEN 'x')", DB_COMMAND),
    Attack("prepare", "PREPARE wipe AS DELETE FROM orders", DB_COMMAND),
    Attack("pragma-threads", "PRAGMA threads = 1", SETTINGS),
    Attack("pragma-profiling-output", "PRAGMA profiling_output = '{tmp}/profile.json'", SETTINGS),
    Attack("pragma-enable-profiling", "PRAGMA enable_profiling", SETTINGS),
    Attack("set-threads", "SET threads = 1", SETTINGS),
    Attack("set-memory-limit", "SET memory_limit = '100GB'", SETTINGS),
    Attack("set-external-access", "SET enable_external_access = true", SETTINGS),
    Attack("set-global-unlock", "SET GLOBAL lock_configuration = false", SETTINGS),
    Attack("set-variable", "SET VARIABLE token = 'x'", SETTINGS),
    Attack("set-search-path", "SET search_path = 'temp'", SETTINGS),
    Attack("set-log-query-path", "SET log_query_path = '{tmp}/queries.log'", SETTINGS),
    Attack("reset", "RESET memory_limit", SETTINGS),
    Attack("getenv", "SELECT getenv('HOME')", SETTINGS),
    Attack("current-setting", "SELECT current_setting('memory_limit')", SETTINGS),
    Attack("duckdb-settings", "SELECT * FROM duckdb_settings()", SETTINGS),
    Attack("query-function", "SELECT * FROM query('SELECT * FROM read_text(''{secret}'')')", SETTINGS),
    Attack("query-table-function", "SELECT * FROM query_table('orders')", SETTINGS),
    Attack("read-csv", "SELECT * FROM read_csv('{secret}')", FILES),
    Attack("read-csv-auto", "SELECT * FROM read_csv_auto('{secret}', header = false)", FILES),
    Attack("read-csv-list", "SELECT * FROM read_csv(['{secret}', '{secret}'])", FILES),
    Attack("read-text", "SELECT content FROM read_text('{secret}')", FILES),
    Attack("read-blob", "SELECT content FROM read_blob('{secret}')", FILES),
    Attack("read-json", "SELECT * FROM read_json('{secret}')", FILES),
    Attack("read-json-auto", "SELECT * FROM read_json_auto('{secret}')", FILES),
    Attack("read-parquet", "SELECT * FROM read_parquet('{tmp}/x.parquet')", FILES),
    Attack("parquet-scan-glob", "SELECT * FROM parquet_scan('{tmp}/*.parquet')", FILES),
    Attack("glob", "SELECT * FROM glob('{tmp}/*')", FILES),
    Attack("sniff-csv", "SELECT * FROM sniff_csv('{secret}')", FILES),
    Attack("string-literal-table", "SELECT * FROM '{secret}'", FILES),
    Attack("etc-passwd-table", "SELECT * FROM '/etc/passwd'", FILES),
    Attack("quoted-identifier-file", 'SELECT * FROM "{secret}"', FILES),
    Attack("file-in-join", "SELECT * FROM orders JOIN '{secret}' s ON TRUE", FILES),
    Attack("file-in-cte", "WITH f AS (SELECT * FROM read_text('{secret}')) SELECT * FROM f", FILES),
    Attack("file-in-scalar-subquery", "SELECT (SELECT content FROM read_text('{secret}')) AS c", FILES),
    Attack("file-in-exists", "SELECT count(*) FROM orders WHERE EXISTS (SELECT 1 FROM read_text('{secret}'))", FILES),
    Attack("file-in-lateral", "SELECT * FROM orders, LATERAL (SELECT * FROM read_text('{secret}')) f", FILES),
    Attack("https-url-table", "SELECT * FROM 'https://example.com/data.csv'", FILES),
    Attack("http-read-csv", "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')", FILES),
    Attack("s3-read-parquet", "SELECT * FROM read_parquet('s3://bucket/data.parquet')", FILES),
    Attack("sqlite-scan", "SELECT * FROM sqlite_scan('{tmp}/x.sqlite', 't')", FILES),
    Attack(
        "recursive-unbounded",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
        RESOURCE,
    ),
    Attack(
        "recursive-where-true",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE TRUE) SELECT count(*) FROM n",
        RESOURCE,
    ),
    Attack(
        "recursive-cross-join",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT n.i + 1 FROM n CROSS JOIN categories) "
        "SELECT count(*) FROM n",
        RESOURCE,
    ),
    Attack("range-giant-from", "SELECT count(*) FROM range(1000000000000)", RESOURCE),
    Attack("range-giant-unnest", "SELECT sum(x) FROM (SELECT unnest(range(10000000000)) AS x)", RESOURCE),
    Attack("generate-series-giant-list", "SELECT list_sum(generate_series(1, 5000000000))", RESOURCE),
    Attack("range-column-bound", "SELECT sum(x) FROM (SELECT unnest(range(total_amount)) AS x FROM orders)", RESOURCE),
    # Half a year of seconds (15.7 million values): far past the guard's cap, yet small enough that
    # the connection finishes it in seconds - DuckDB cannot interrupt one giant list mid-build.
    Attack(
        "date-series-giant",
        "SELECT count(*) FROM (SELECT unnest(generate_series(TIMESTAMP '2000-01-01', TIMESTAMP '2000-07-01', "
        "INTERVAL 1 SECOND)))",
        RESOURCE,
    ),
    Attack("repeat-giant", "SELECT length(repeat('x', 300000000))", RESOURCE),
]

# --- Attacks: SQLite -------------------------------------------------------------------------
SQLITE_ATTACKS = [
    Attack("delete", "DELETE FROM orders", DML),
    Attack("update", "UPDATE products SET price = 0", DML),
    Attack("insert", "INSERT INTO categories VALUES (999, '해킹', NULL)", DML),
    Attack("insert-or-replace", "INSERT OR REPLACE INTO categories VALUES (1, '해킹', NULL)", DML),
    Attack("replace-into", "REPLACE INTO categories VALUES (1, '해킹', NULL)", DML),
    Attack(
        "upsert", "INSERT INTO categories VALUES (1, 'x', NULL) ON CONFLICT(category_id) DO UPDATE SET name = 'x'", DML
    ),
    Attack("delete-returning", "DELETE FROM orders RETURNING *", DML),
    Attack("cte-delete", "WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d", DML),
    Attack("drop-table", "DROP TABLE orders", DML),
    Attack("create-table-as", "CREATE TABLE stolen AS SELECT * FROM customers", DML),
    Attack("create-temp-table", "CREATE TEMP TABLE stolen AS SELECT email FROM customers", DML),
    Attack("create-temp-view-shadow", "CREATE TEMP VIEW orders AS SELECT 1 AS order_id", DML),
    Attack("create-temp-trigger", "CREATE TEMP TRIGGER t AFTER INSERT ON orders BEGIN SELECT 1; END", DML),
    Attack("create-virtual-table", "CREATE VIRTUAL TABLE temp.f USING fts5(x)", DML),
    Attack("create-index", "CREATE INDEX idx ON orders (status)", DML),
    Attack("alter-add-column", "ALTER TABLE orders ADD COLUMN pwned INTEGER", DML),
    Attack("stacked-drop", "SELECT 1; DROP TABLE orders", DISGUISE),
    Attack("stacked-delete-first", "DELETE FROM orders; SELECT 1", DISGUISE),
    Attack("block-comment-semicolon", "SELECT 1 /* ; */; DELETE FROM orders", DISGUISE),
    Attack("line-comment-semicolon", "SELECT 1 -- x\n; DROP TABLE orders", DISGUISE),
    Attack("leading-comment", "/* 조회 */ DROP TABLE orders", DISGUISE),
    Attack("mixed-case", "dRoP tAbLe OrDeRs", DISGUISE),
    Attack("whitespace", "\n\t  DELETE\n\tFROM\t orders \n", DISGUISE),
    Attack("semicolon-string-then-stacked", "SELECT ';' AS s; DELETE FROM orders", DISGUISE),
    Attack("attach-new-file", "ATTACH DATABASE '{tmp}/new.db' AS n", DB_COMMAND),
    Attack("attach-memory", "ATTACH ':memory:' AS m", DB_COMMAND),
    Attack("attach-uri-rwc", "ATTACH 'file:{tmp}/new2.db?mode=rwc' AS n", DB_COMMAND),
    Attack("detach", "DETACH DATABASE temp", DB_COMMAND),
    Attack("vacuum", "VACUUM", DB_COMMAND),
    Attack("vacuum-into", "VACUUM INTO '{tmp}/copy.db'", DB_COMMAND),
    Attack("begin", "BEGIN", DB_COMMAND),
    Attack("begin-immediate", "BEGIN IMMEDIATE", DB_COMMAND),
    Attack("commit", "COMMIT", DB_COMMAND),
    Attack("end", "END", DB_COMMAND),
    Attack("savepoint", "SAVEPOINT s", DB_COMMAND),
    Attack("rollback", "ROLLBACK", DB_COMMAND),
    Attack("analyze", "ANALYZE", DB_COMMAND),
    Attack("reindex", "REINDEX", DB_COMMAND),
    Attack("pragma-query-only-off", "PRAGMA query_only = OFF", SETTINGS),
    Attack("pragma-writable-schema", "PRAGMA writable_schema = ON", SETTINGS),
    Attack("pragma-journal-mode", "PRAGMA journal_mode = DELETE", SETTINGS),
    Attack("pragma-user-version", "PRAGMA user_version = 5", SETTINGS),
    Attack("pragma-temp-store", "PRAGMA temp_store = FILE", SETTINGS),
    Attack("pragma-table-function", "SELECT * FROM pragma_table_info('orders')", SETTINGS),
    Attack("dbstat", "SELECT * FROM dbstat", SETTINGS),
    Attack("compileoption", "SELECT sqlite_compileoption_get(0)", SETTINGS),
    Attack("fts3-tokenizer", "SELECT fts3_tokenizer('simple')", SETTINGS),
    Attack("load-extension", "SELECT load_extension('{tmp}/evil.so')", FILES),
    Attack("readfile", "SELECT readfile('{secret}')", FILES),
    Attack("writefile", "SELECT writefile('{tmp}/out.txt', 'x')", FILES),
    Attack("edit", "SELECT edit('x', 'vi')", FILES),
    Attack("json-each-readfile", "SELECT * FROM json_each(readfile('{secret}'))", FILES),
    Attack("string-literal-table", "SELECT * FROM '{secret}'", FILES),
    Attack(
        "recursive-unbounded",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
        RESOURCE,
    ),
    Attack(
        "recursive-without-keyword",
        "WITH n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
        RESOURCE,
    ),
    Attack(
        "recursive-where-constant",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE 1 = 1) SELECT count(*) FROM n",
        RESOURCE,
    ),
    Attack(
        "recursive-cross-join",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT n.i + 1 FROM n CROSS JOIN categories) "
        "SELECT count(*) FROM n",
        RESOURCE,
    ),
    Attack("generate-series-giant", "SELECT count(*) FROM generate_series(1, 1000000000000)", RESOURCE),
]

# --- Attacks: PostgreSQL ---------------------------------------------------------------------
# The test server's user is a superuser (initdb), so a few reads of server files succeed inside
# a read-only transaction: only the guard stops them. Production should use a read-only role
# without superuser / pg_read_server_files / pg_signal_backend.
SUPERUSER_FILES = "superuser can read server files in a read-only transaction; use a non-superuser role"
SUPERUSER_SIGNAL = "superuser can end other sessions; use a role without pg_signal_backend"
POSTGRES_ATTACKS = [
    Attack("delete", "DELETE FROM orders", DML),
    Attack("update", "UPDATE products SET price = 0", DML),
    Attack("insert", "INSERT INTO categories VALUES (999, '해킹', NULL)", DML),
    Attack(
        "upsert", "INSERT INTO categories VALUES (1, 'x', NULL) ON CONFLICT (category_id) DO UPDATE SET name = 'x'", DML
    ),
    Attack("drop-table", "DROP TABLE orders", DML),
    Attack("truncate", "TRUNCATE orders", DML),
    Attack("alter-add-column", "ALTER TABLE orders ADD COLUMN pwned INTEGER", DML),
    Attack("create-table-as", "CREATE TABLE stolen AS SELECT * FROM customers", DML),
    Attack("create-temp-table", "CREATE TEMP TABLE stolen AS SELECT email FROM customers", DML),
    Attack("select-into", "SELECT * INTO stolen FROM customers", DML),
    Attack("select-into-temp", "SELECT * INTO TEMP stolen FROM customers", DML),
    Attack("cte-delete-returning", "WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d", DML),
    Attack("cte-update-returning", "WITH u AS (UPDATE products SET price = 0 RETURNING 1) SELECT count(*) FROM u", DML),
    Attack(
        "cte-insert-returning",
        "WITH i AS (INSERT INTO categories VALUES (998, 'x', NULL) RETURNING 1) SELECT count(*) FROM i",
        DML,
    ),
    Attack(
        "merge", "MERGE INTO products p USING products s ON p.product_id = s.product_id WHEN MATCHED THEN DELETE", DML
    ),
    Attack("create-view", "CREATE VIEW v AS SELECT 1", DML),
    Attack(
        "create-function", "CREATE FUNCTION pwn() RETURNS int LANGUAGE sql AS 'DELETE FROM orders RETURNING 1'", DML
    ),
    Attack("create-extension", "CREATE EXTENSION IF NOT EXISTS dblink", DML),
    Attack("grant", "GRANT ALL ON orders TO PUBLIC", DML),
    Attack("stacked-delete", "SELECT 1; DELETE FROM orders", DISGUISE),
    Attack("stacked-read-write-escape", "SET transaction_read_only = off; DELETE FROM orders; COMMIT", DISGUISE),
    Attack(
        "stacked-commit-escape", "COMMIT; SET default_transaction_read_only = off; DELETE FROM orders; COMMIT", DISGUISE
    ),
    Attack("stacked-select-commit", "SELECT 1; COMMIT; DELETE FROM orders", DISGUISE),
    # Start with a query so that even DECLARE ... CURSOR FOR <sql> parses, then escape the
    # read-only transaction: only the executor's one-statement check stops these two.
    Attack(
        "stacked-select-commit-write",
        "SELECT 1; COMMIT; SET transaction_read_only = off; DELETE FROM orders; COMMIT",
        DISGUISE,
    ),
    Attack("stacked-select-commit-copy", "SELECT 1; COMMIT; COPY orders TO '{tmp}/out.csv'", DISGUISE),
    Attack("nested-comment-semicolon", "SELECT 1 /* /* */ ; */; DELETE FROM orders", DISGUISE),
    Attack("carriage-return-comment", "SELECT 1 -- x\r; DELETE FROM orders", DISGUISE),
    Attack("dollar-quote-semicolon", "SELECT $$;$$; DELETE FROM orders", DISGUISE),
    Attack("escape-string-semicolon", "SELECT E'\\''; DELETE FROM orders", DISGUISE),
    Attack("mixed-case", "dElEtE fRoM OrDeRs", DISGUISE),
    Attack("leading-comment", "/* 조회 */ TRUNCATE orders", DISGUISE),
    Attack("copy-to-file", "COPY orders TO '{tmp}/out.csv'", DB_COMMAND),
    Attack("copy-from-secret", "COPY categories FROM '{secret}'", DB_COMMAND),
    Attack("copy-to-program", "COPY (SELECT 1) TO PROGRAM 'touch {tmp}/pwned'", DB_COMMAND),
    Attack("copy-to-stdout", "COPY customers TO STDOUT", DB_COMMAND),
    Attack("begin-read-write", "BEGIN READ WRITE", DB_COMMAND),
    Attack("start-transaction-stacked", "START TRANSACTION READ WRITE; DELETE FROM orders; COMMIT", DB_COMMAND),
    Attack("commit", "COMMIT", DB_COMMAND),
    Attack("rollback", "ROLLBACK", DB_COMMAND),
    Attack("prepare", "PREPARE wipe AS DELETE FROM orders", DB_COMMAND),
    Attack("deallocate", "DEALLOCATE ALL", DB_COMMAND),
    Attack("listen", "LISTEN leak", DB_COMMAND),
    Attack("notify", "NOTIFY leak, 'x'", DB_COMMAND),
    Attack("load-library", "LOAD 'auto_explain'", DB_COMMAND),
    Attack("do-block", "DO $$ BEGIN DELETE FROM orders; END $$", DB_COMMAND),
    Attack("declare-with-hold", "DECLARE c CURSOR WITH HOLD FOR SELECT * FROM customers", DB_COMMAND),
    Attack("lock-table", "LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", DB_COMMAND),
    Attack("vacuum", "VACUUM orders", DB_COMMAND),
    Attack("analyze", "ANALYZE orders", DB_COMMAND),
    Attack("checkpoint", "CHECKPOINT", DB_COMMAND),
    Attack("discard", "DISCARD ALL", DB_COMMAND),
    Attack("select-for-update", "SELECT * FROM orders FOR UPDATE", DB_COMMAND),
    Attack("set-read-write", "SET default_transaction_read_only = off", SETTINGS),
    Attack("set-session-characteristics", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", SETTINGS),
    Attack("set-statement-timeout", "SET statement_timeout = 0", SETTINGS),
    Attack("reset-all", "RESET ALL", SETTINGS),
    Attack("set-role", "SET ROLE NONE", SETTINGS),
    Attack("set-config", "SELECT set_config('default_transaction_read_only', 'off', false)", SETTINGS),
    Attack("current-setting", "SELECT current_setting('data_directory')", SETTINGS),
    Attack("advisory-lock", "SELECT pg_advisory_lock(42)", SETTINGS),
    Attack("pg-shadow", "SELECT usename, passwd FROM pg_shadow", SETTINGS),
    Attack("pg-stat-activity", "SELECT query FROM pg_stat_activity", SETTINGS),
    Attack("query-to-xml", "SELECT query_to_xml('DELETE FROM orders RETURNING 1', true, true, '')", SETTINGS),
    Attack(
        "terminate-backend",
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()",
        SETTINGS,
        guard_only=SUPERUSER_SIGNAL,
    ),
    Attack("dblink", "SELECT * FROM dblink('dbname=postgres', 'DELETE FROM orders') AS t(x int)", FILES),
    Attack("lo-import", "SELECT lo_import('{secret}')", FILES),
    Attack("lo-get-import", "SELECT convert_from(lo_get(lo_import('{secret}')), 'UTF8')", FILES),
    Attack("pg-ls-dir", "SELECT * FROM pg_ls_dir('{tmp}')", FILES),
    Attack("pg-stat-file", "SELECT * FROM pg_stat_file('{secret}')", FILES),
    Attack("pg-read-file", "SELECT pg_read_file('{secret}')", FILES, guard_only=SUPERUSER_FILES),
    Attack(
        "pg-read-binary-file",
        "SELECT convert_from(pg_read_binary_file('{secret}'), 'UTF8')",
        FILES,
        guard_only=SUPERUSER_FILES,
    ),
    Attack(
        "recursive-unbounded",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
        RESOURCE,
    ),
    Attack(
        "generate-series-giant-select", "SELECT count(*) FROM (SELECT generate_series(1, 100000000000)) s", RESOURCE
    ),
    Attack("generate-series-giant-from", "SELECT count(*) FROM generate_series(1, 100000000000)", RESOURCE),
    Attack(
        "generate-series-column-bound",
        "SELECT sum(g) FROM (SELECT generate_series(1, total_amount) AS g FROM orders) s",
        RESOURCE,
    ),
    Attack("pg-sleep", "SELECT pg_sleep(60)", RESOURCE),
    Attack("repeat-giant", "SELECT length(repeat('x', 300000000))", RESOURCE),
]

ATTACKS = {"duckdb": DUCKDB_ATTACKS, "sqlite": SQLITE_ATTACKS, "postgres": POSTGRES_ATTACKS}

# --- Benign queries --------------------------------------------------------------------------
# Valid on the shop sample in all three engines; each returns at most a few hundred rows.
BENIGN_COMMON = [
    (
        "join-group-order",
        "SELECT c.city, COUNT(*) AS n, SUM(o.total_amount) AS revenue FROM orders o "
        "JOIN customers c ON c.customer_id = o.customer_id GROUP BY c.city ORDER BY revenue DESC",
    ),
    (
        "left-join-is-null",
        "SELECT p.product_id, p.name FROM products p LEFT JOIN reviews r ON r.product_id = p.product_id "
        "WHERE r.review_id IS NULL ORDER BY p.product_id",
    ),
    (
        "cte-two-steps",
        "WITH spend AS (SELECT customer_id, SUM(total_amount) AS total FROM orders WHERE status = '배송완료' "
        "GROUP BY customer_id), top_spenders AS (SELECT customer_id, total FROM spend WHERE total > 5000000) "
        "SELECT c.name, c.grade, t.total FROM top_spenders t JOIN customers c ON c.customer_id = t.customer_id",
    ),
    (
        "cte-nested",
        "WITH rated AS (WITH per_product AS (SELECT product_id, AVG(rating) AS r FROM reviews GROUP BY product_id) "
        "SELECT * FROM per_product WHERE r >= 4.5) SELECT COUNT(*) FROM rated",
    ),
    (
        "recursive-counter",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT * FROM n",
    ),
    (
        "recursive-running-sum",
        "WITH RECURSIVE s(i, total) AS (SELECT 1, 1 UNION ALL SELECT i + 1, total + i + 1 FROM s "
        "WHERE i < 100) SELECT MAX(total) FROM s",
    ),
    (
        "recursive-category-tree",
        "WITH RECURSIVE tree(category_id, name, depth) AS (SELECT category_id, name, 0 FROM categories "
        "WHERE parent_id IS NULL UNION ALL SELECT c.category_id, c.name, t.depth + 1 FROM categories c "
        "JOIN tree t ON c.parent_id = t.category_id) SELECT * FROM tree",
    ),
    (
        "window-rank-top3",
        "SELECT * FROM (SELECT category_id, name, price, RANK() OVER (PARTITION BY category_id "
        "ORDER BY price DESC, product_id) AS rk FROM products) ranked WHERE rk <= 3",
    ),
    (
        "window-running-total",
        "SELECT order_id, total_amount, SUM(total_amount) OVER (ORDER BY order_id) AS running "
        "FROM orders WHERE customer_id = 2",
    ),
    (
        "window-lag",
        "SELECT order_id, total_amount - LAG(total_amount) OVER (ORDER BY order_id) AS diff FROM orders "
        "WHERE customer_id = 3",
    ),
    (
        "window-ntile",
        "SELECT customer_id, NTILE(4) OVER (ORDER BY birth_year, customer_id) AS quartile FROM customers "
        "WHERE city = '제주'",
    ),
    (
        "union-all-counts",
        "SELECT 'VIP' AS grade, COUNT(*) AS n FROM customers WHERE grade = 'VIP' UNION ALL "
        "SELECT '골드', COUNT(*) FROM customers WHERE grade = '골드'",
    ),
    ("union-distinct", "SELECT city FROM customers UNION SELECT shipping_city FROM orders"),
    (
        "intersect",
        "SELECT customer_id FROM orders WHERE payment_method = '카드' AND total_amount > 1000000 "
        "INTERSECT SELECT customer_id FROM reviews WHERE rating = 1",
    ),
    ("except", "SELECT product_id FROM products EXCEPT SELECT product_id FROM order_items"),
    (
        "case-bands",
        "SELECT CASE WHEN price >= 100000 THEN '고가' WHEN price >= 30000 THEN '중가' ELSE '저가' END AS band, "
        "COUNT(*) AS n FROM products GROUP BY 1",
    ),
    (
        "exists",
        "SELECT COUNT(*) FROM customers c WHERE EXISTS (SELECT 1 FROM refunds r JOIN orders o "
        "ON o.order_id = r.order_id WHERE o.customer_id = c.customer_id)",
    ),
    (
        "in-subquery-having",
        "SELECT name FROM products WHERE product_id IN (SELECT product_id FROM reviews "
        "GROUP BY product_id HAVING AVG(rating) >= 4.6)",
    ),
    (
        "scalar-subquery",
        "SELECT c.category_id, c.name, (SELECT COUNT(*) FROM products p WHERE p.category_id = c.category_id) "
        "AS n FROM categories c",
    ),
    (
        "derived-table",
        "SELECT t.status, t.n FROM (SELECT status, COUNT(*) AS n FROM orders GROUP BY status) t WHERE t.n > 100",
    ),
    (
        "having",
        "SELECT brand, COUNT(*) AS n, AVG(price) AS avg_price FROM products GROUP BY brand HAVING COUNT(*) >= 10",
    ),
    ("literal-drop-table", "SELECT 'DROP TABLE orders;' AS note, COUNT(*) AS n FROM orders"),
    ("literal-semicolons", "SELECT name FROM categories WHERE name <> ';' AND name <> '; DELETE FROM orders; --'"),
    (
        "literal-comment-markers",
        "SELECT '-- 주석 아님' AS a, '/* 이것도 */' AS b, category_id FROM categories WHERE category_id <= 3",
    ),
    ("literal-quote-escape", "SELECT 'it''s; DROP TABLE x' AS s, COUNT(*) AS n FROM coupons"),
    ("like-semicolon", "SELECT COUNT(*) FROM reviews WHERE content LIKE '%;%'"),
    ("like-korean", "SELECT product_id, name FROM products WHERE name LIKE '%가디건%'"),
    (
        "coalesce",
        "SELECT COALESCE(content, '(내용 없음)') AS content, COUNT(*) AS n FROM reviews WHERE rating = 1 GROUP BY 1",
    ),
    (
        "nullif-ratio",
        "SELECT grade, SUM(CASE WHEN marketing_opt_in THEN 1 ELSE 0 END) * 1.0 / NULLIF(COUNT(*), 0) AS ratio "
        "FROM customers GROUP BY grade",
    ),
    (
        "count-distinct",
        "SELECT COUNT(DISTINCT customer_id) AS buyers, COUNT(DISTINCT shipping_city) AS cities FROM orders",
    ),
    (
        "four-table-join",
        "SELECT cat.name, SUM(oi.quantity * oi.unit_price) AS sales FROM order_items oi "
        "JOIN products p ON p.product_id = oi.product_id JOIN categories cat ON cat.category_id = p.category_id "
        "JOIN orders o ON o.order_id = oi.order_id WHERE o.status = '배송완료' GROUP BY cat.name",
    ),
    (
        "self-join",
        "SELECT child.name AS child, parent.name AS parent FROM categories child "
        "JOIN categories parent ON parent.category_id = child.parent_id",
    ),
    ("order-limit-offset", "SELECT order_id FROM orders ORDER BY order_id LIMIT 5 OFFSET 10"),
    ("quoted-identifiers", 'SELECT "name", "grade" FROM "customers" WHERE "customer_id" = 7'),
    ("mixed-case-keywords", "select Name, Grade From Customers Where Customer_Id < 4 Order By Customer_Id"),
    ("comments-in-query", "SELECT name /* 상품명; DROP TABLE x */ FROM products -- 끝; DELETE\n WHERE product_id = 1"),
    ("between-in", "SELECT COUNT(*) FROM products WHERE price BETWEEN 10000 AND 50000 AND category_id IN (8, 9, 10)"),
    ("trailing-semicolon", "SELECT COUNT(*) FROM refunds;"),
    (
        "small-cross-join",
        "SELECT g.grade, s.status FROM (SELECT DISTINCT grade FROM customers) g "
        "CROSS JOIN (SELECT DISTINCT status FROM orders) s",
    ),
    (
        "string-functions",
        "SELECT UPPER(code), LOWER(code), LENGTH(name), SUBSTR(name, 1, 2), REPLACE(name, ' ', '_'), "
        "TRIM(name) FROM coupons",
    ),
    ("round-avg", "SELECT grade, ROUND(AVG(birth_year), 1) AS avg_birth_year FROM customers GROUP BY grade"),
]
BENIGN_BY_ENGINE = {
    "duckdb": [
        (
            "date-trunc-month",
            "SELECT date_trunc('month', order_date) AS m, SUM(total_amount) FROM orders GROUP BY 1 ORDER BY 1",
        ),
        ("strftime", "SELECT strftime(order_date, '%Y-%m') AS m, COUNT(*) FROM orders GROUP BY 1"),
        ("extract-year", "SELECT EXTRACT(year FROM order_date) AS y, COUNT(*) FROM orders GROUP BY 1"),
        (
            "date-diff",
            "SELECT refund_id, date_diff('day', requested_at, completed_at) AS days FROM refunds WHERE refund_id <= 50",
        ),
        ("interval", "SELECT COUNT(*) FROM orders WHERE order_date >= TIMESTAMP '2025-12-31' - INTERVAL 30 DAY"),
        (
            "qualify",
            "SELECT customer_id, order_id, total_amount FROM orders WHERE customer_id <= 20 "
            "QUALIFY ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY total_amount DESC, order_id) = 1",
        ),
        (
            "string-agg-ordered",
            "SELECT category_id, string_agg(name, ', ' ORDER BY product_id) FROM products GROUP BY category_id",
        ),
        ("median-quantile", "SELECT median(total_amount), quantile_cont(total_amount, 0.9) FROM orders"),
        ("from-first", "FROM categories SELECT name WHERE parent_id IS NULL"),
        ("date-spine", "SELECT unnest(generate_series(DATE '2025-01-01', DATE '2025-01-31', INTERVAL 1 DAY)) AS d"),
        ("small-range", "SELECT unnest(range(5)) AS i"),
        ("regexp", "SELECT name FROM products WHERE regexp_matches(name, '^베이직')"),
    ],
    "sqlite": [
        ("strftime-month", "SELECT strftime('%Y-%m', order_date) AS m, COUNT(*) FROM orders GROUP BY m"),
        (
            "date-function",
            "SELECT date(order_date) AS d, COUNT(*) FROM orders WHERE order_date >= '2025-12-01' GROUP BY d",
        ),
        (
            "julianday-diff",
            "SELECT refund_id, julianday(completed_at) - julianday(requested_at) AS days FROM refunds "
            "WHERE refund_id <= 50",
        ),
        ("date-modifier", "SELECT COUNT(*) FROM orders WHERE order_date >= date('2025-12-31', '-30 days')"),
        (
            "group-concat",
            "SELECT category_id, group_concat(name) FROM products WHERE category_id <= 10 GROUP BY category_id",
        ),
        ("iif", "SELECT iif(rating >= 4, '좋음', '보통') AS verdict, COUNT(*) FROM reviews GROUP BY verdict"),
        ("printf-total", "SELECT printf('%.1f', total(amount)) FROM refunds"),
        ("instr-substr", "SELECT instr(name, ' '), substr(name, 1, 2) FROM products WHERE product_id <= 20"),
        ("glob", "SELECT name FROM products WHERE name GLOB '베이직*'"),
        (
            "recursive-cte-with-limit",
            "WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt LIMIT 12) SELECT x FROM cnt",
        ),
    ],
    "postgres": [
        (
            "date-trunc-month",
            "SELECT date_trunc('month', order_date) AS m, SUM(total_amount) FROM orders GROUP BY 1 ORDER BY 1",
        ),
        ("to-char", "SELECT to_char(order_date, 'YYYY-MM') AS m, COUNT(*) FROM orders GROUP BY 1"),
        ("extract-year", "SELECT EXTRACT(year FROM order_date) AS y, COUNT(*) FROM orders GROUP BY 1"),
        ("age", "SELECT refund_id, age(completed_at, requested_at) FROM refunds WHERE refund_id <= 50"),
        ("interval", "SELECT COUNT(*) FROM orders WHERE order_date >= TIMESTAMP '2025-12-31' - INTERVAL '30 days'"),
        (
            "string-agg-ordered",
            "SELECT category_id, string_agg(name, ', ' ORDER BY product_id) FROM products GROUP BY category_id",
        ),
        (
            "distinct-on",
            "SELECT DISTINCT ON (customer_id) customer_id, order_id, total_amount FROM orders "
            "WHERE customer_id <= 20 ORDER BY customer_id, total_amount DESC, order_id",
        ),
        ("ilike", "SELECT name FROM products WHERE name ILIKE '%코트%'"),
        ("percentile", "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total_amount) FROM orders"),
        ("double-colon-cast", "SELECT order_id::text, total_amount::numeric / 1000 FROM orders WHERE order_id <= 10"),
        ("small-generate-series", "SELECT generate_series(1, 5) AS i"),
        ("date-spine", "SELECT generate_series(DATE '2025-01-01', DATE '2025-01-31', INTERVAL '1 day') AS d"),
    ],
}


def _benign(engine: str) -> list[tuple[str, str]]:
    return BENIGN_COMMON + BENIGN_BY_ENGINE[engine]


# What the tests saw, for test_counts: OUTCOMES[engine][key] -> count.
OUTCOMES: dict[str, Counter] = defaultdict(Counter)


# --- (a) The guard refuses every attack ------------------------------------------------------


def _render(sql: str, folder: Path) -> str:
    return sql.replace("{tmp}", str(folder)).replace("{secret}", str(folder / "secret.txt"))


def _attack_params():
    for engine, attacks in ATTACKS.items():
        for attack in attacks:
            yield pytest.param(engine, attack, id=f"{engine}-{attack.id}")


@pytest.mark.parametrize(("engine", "attack"), list(_attack_params()))
def test_guard_refuses_attack(engine, attack):
    with pytest.raises(GuardRefusal) as caught:
        guard.check(_render(attack.sql, Path("/tmp/t2sql-watched")), DIALECT[engine])
    assert HANGUL.search(str(caught.value)), str(caught.value)
    OUTCOMES[engine]["attacks refused by guard"] += 1


# --- (b) The connection alone makes every attack harmless -------------------------------------


@dataclass
class Target:
    """A hardened Database on a private copy of the shop sample, and what must not change."""

    db: Database
    folder: Path  # watched: nothing may appear here; secret.txt lies here
    token: str
    content: Callable[[], object]  # the database's content (file hash, or table hashes)
    state_queries: dict[str, str]  # session and database state: attachments, settings, temp objects

    def snapshot(self) -> dict:
        files = sorted(str(p.relative_to(self.folder)) for p in self.folder.rglob("*"))
        with self.db.engine.connect() as first, self.db.engine.connect() as second:  # two pooled connections
            pooled = [{k: _rows(conn, q) for k, q in self.state_queries.items()} for conn in (first, second)]
        fresh = {k: self.db.run(q, max_rows=100_000).rows for k, q in self.state_queries.items()}
        return {"content": self.content(), "files": files, "pooled": pooled, "fresh": fresh}


def _rows(conn, sql: str) -> list[tuple]:
    if conn.dialect.name == "postgresql":  # psycopg2 reads '%' as a parameter marker here
        sql = sql.replace("%", "%%")
    return [tuple(r) for r in conn.exec_driver_sql(sql).fetchall()]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _watched_folder(tmp_path: Path) -> tuple[Path, str]:
    token = f"T2SQL-SECRET-{secrets.token_hex(12)}"
    (tmp_path / "secret.txt").write_text(f"{token}\n{token}\n", encoding="utf-8")
    return tmp_path, token


DUCKDB_STATE = {
    "databases": "SELECT database_name, path, readonly FROM duckdb_databases() ORDER BY ALL",
    # duckdb_extensions() itself needs file access, which is off: a loaded extension shows as new
    # functions and types instead.
    "functions": "SELECT count(*), count(DISTINCT function_name) FROM duckdb_functions()",
    "types": "SELECT count(*) FROM duckdb_types()",
    "settings": "SELECT name, value FROM duckdb_settings() ORDER BY ALL",
    "temp-tables": "SELECT database_name, table_name FROM duckdb_tables() WHERE temporary ORDER BY ALL",
    "views": "SELECT database_name, view_name FROM duckdb_views() WHERE NOT internal ORDER BY ALL",
    "macros": "SELECT function_name FROM duckdb_functions() WHERE NOT internal ORDER BY ALL",
    "sequences": "SELECT sequence_name FROM duckdb_sequences() ORDER BY ALL",
    "variables": "SELECT name FROM duckdb_variables() ORDER BY ALL",
    "secrets": "SELECT name FROM duckdb_secrets() ORDER BY ALL",  # instance-wide
    "schema": "SELECT current_database(), current_schema(), current_setting('search_path')",
}
SQLITE_STATE = {  # temp schema first: reading it makes SQLite list its own (empty) 'temp' database
    "temp-schema": "SELECT type, name FROM sqlite_temp_master ORDER BY type, name",
    "databases": "PRAGMA database_list",
    "query-only": "PRAGMA query_only",
    "schema": "SELECT type, name, sql FROM sqlite_master ORDER BY type, name",
}
POSTGRES_STATE = {
    "settings": "SELECT name, setting FROM pg_settings ORDER BY name",
    "prepared": "SELECT name FROM pg_prepared_statements ORDER BY name",
    "cursors": "SELECT count(*) FROM pg_cursors",  # names would differ: the fresh channel sees its own
    "advisory-locks": "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'",
    "listening": "SELECT * FROM pg_listening_channels()",
    "temp-relations": "SELECT count(*) FROM pg_class WHERE relpersistence = 't'",
}


@pytest.fixture
def duckdb_target(tmp_path, shop_copy):
    folder, token = _watched_folder(tmp_path)
    path = folder / "shop.duckdb"
    shutil.copy(shop_copy, path)
    db = Database(f"duckdb:///{path}", timeout_s=ATTACK_TIMEOUT_S, memory_limit="1GB")
    yield Target(db, folder, token, lambda: _sha256(path), DUCKDB_STATE)
    db.dispose()


@pytest.fixture
def sqlite_target(tmp_path, shop_sqlite):
    folder, token = _watched_folder(tmp_path)
    path = folder / "shop.sqlite"
    shutil.copy(shop_sqlite, path)
    db = Database(f"sqlite:///{path}", timeout_s=ATTACK_TIMEOUT_S)
    yield Target(db, folder, token, lambda: _sha256(path), SQLITE_STATE)
    db.dispose()


@pytest.fixture
def postgres_target(tmp_path, shop_postgres):
    url, content = shop_postgres
    os.chmod(tmp_path, 0o777)  # the server runs as another OS user: let it reach the watched folder
    folder, token = _watched_folder(tmp_path)
    os.chmod(folder / "secret.txt", 0o644)
    db = Database(url, timeout_s=ATTACK_TIMEOUT_S)
    yield Target(db, folder, token, content, POSTGRES_STATE)
    db.dispose()


def _connection_params():
    for engine, attacks in ATTACKS.items():
        for attack in attacks:
            marks = [pytest.mark.skip(reason=f"guard-only: {attack.guard_only}")] if attack.guard_only else []
            yield pytest.param(engine, attack, id=f"{engine}-{attack.id}", marks=marks)


@pytest.mark.parametrize(("engine", "attack"), list(_connection_params()))
def test_connection_alone_is_harmless(engine, attack, request):
    target: Target = request.getfixturevalue(f"{engine}_target")
    before = target.snapshot()
    sql = _render(attack.sql, target.folder)
    try:
        result = target.db.run(sql, max_rows=100)
        seen = repr(result.columns) + repr(result.rows)
    except (QueryError, QueryTimeout) as err:  # any other exception type is a bug in the executor
        seen = str(err)
        assert HANGUL.search(seen), seen
    assert target.token not in seen, "the secret file was read"
    after = target.snapshot()
    assert after["files"] == before["files"], "a file appeared or disappeared in the watched folder"
    assert after["content"] == before["content"], "the database changed"
    for key in before["fresh"]:
        assert after["fresh"][key] == before["fresh"][key], f"{key} changed (fresh connection)"
        for i in range(2):
            assert after["pooled"][i][key] == before["pooled"][i][key], f"{key} changed (pooled connection {i})"
    assert target.db.run("SELECT COUNT(*) FROM orders").rows == [(40000,)]  # still usable
    OUTCOMES[engine]["attacks harmless at connection"] += 1


def test_guard_only_rows_are_few_and_explained():
    guard_only = [a for attacks in ATTACKS.values() for a in attacks if a.guard_only]
    assert all(a in POSTGRES_ATTACKS for a in guard_only), "only PostgreSQL superuser cases may be guard-only"
    assert len(guard_only) <= 3 and all(len(a.guard_only) > 20 for a in guard_only)


# --- Benign queries: no false refusals, same rows ---------------------------------------------


@dataclass
class Bench:
    db: Database
    original: Callable[[str], list[tuple]]  # the unguarded SQL on the same data, over a trusted path


@pytest.fixture(scope="module")
def duckdb_bench(shop_copy):
    db = Database(f"duckdb:///{shop_copy}")

    def original(sql):
        with db.engine.connect() as conn:  # a second, differently configured connection is not allowed
            return _rows(conn, sql)

    yield Bench(db, original)
    db.dispose()


@pytest.fixture(scope="module")
def sqlite_bench(shop_sqlite):
    db = Database(f"sqlite:///{shop_sqlite}")
    plain = sqlite3.connect(f"file:{shop_sqlite}?mode=ro", uri=True)
    yield Bench(db, lambda sql: [tuple(r) for r in plain.execute(sql).fetchall()])
    plain.close()
    db.dispose()


@pytest.fixture(scope="module")
def postgres_bench(shop_postgres):
    import sqlalchemy as sa

    url, _ = shop_postgres
    db = Database(url)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")

    def original(sql):
        with admin.connect() as conn:
            return _rows(conn, sql)

    yield Bench(db, original)
    admin.dispose()
    db.dispose()


def _benign_params():
    for engine in ATTACKS:
        for case_id, sql in _benign(engine):
            yield pytest.param(engine, sql, id=f"{engine}-{case_id}")


@pytest.mark.parametrize(("engine", "sql"), list(_benign_params()))
def test_benign_query_passes_guard_and_returns_same_rows(engine, sql, request):
    approved = guard.check(sql, DIALECT[engine])  # a GuardRefusal here is a false refusal
    OUTCOMES[engine]["benign allowed by guard"] += 1
    bench: Bench = request.getfixturevalue(f"{engine}_bench")
    original = bench.original(sql)
    result = bench.db.run(approved.sql)
    assert original, "each benign query should return rows on the shop sample"
    assert not result.truncated and len(original) < 1000
    assert Counter(map(repr, result.rows)) == Counter(map(repr, original))
    OUTCOMES[engine]["benign run with same rows"] += 1


# --- Resource bounds on the real sample ------------------------------------------------------
# ~10^10 row pairs; the modulo keeps the optimiser from proving the filter empty via statistics.
BIG_CROSS_JOIN = (
    "SELECT COUNT(*) FROM order_items a CROSS JOIN order_items b WHERE (a.unit_price * b.quantity) % 97 = 3"
)


@pytest.mark.parametrize("engine", list(ATTACKS))
def test_big_cross_join_is_allowed_but_cancelled_by_the_timeout(engine, request):
    target: Target = request.getfixturevalue(f"{engine}_target")
    approved = guard.check(BIG_CROSS_JOIN, DIALECT[engine])  # allowed: bounded by time and memory instead
    with pytest.raises(QueryTimeout) as caught:
        target.db.run(approved.sql, timeout_s=1)
    assert "제한 시간(1초)" in str(caught.value)
    assert target.db.run("SELECT COUNT(*) FROM orders").rows == [(40000,)]  # usable afterwards


@pytest.mark.parametrize("engine", list(ATTACKS))
def test_result_size_cap_on_the_sample(engine, request):
    target: Target = request.getfixturevalue(f"{engine}_target")
    approved = guard.check("SELECT * FROM customers ORDER BY customer_id", DIALECT[engine], max_rows=5000)
    result = target.db.run(approved.sql, max_rows=5000, max_result_mb=0.05)
    assert result.truncated and result.truncated_reason == "size" and 0 < len(result.rows) < 5000
    assert "메모리 한도" in result.truncation_message
    assert [r[0] for r in result.rows] == list(range(1, len(result.rows) + 1))
    capped = target.db.run(approved.sql, max_rows=10)
    assert capped.truncated_reason == "rows" and len(capped.rows) == 10


# --- Data: the shop sample in each engine ----------------------------------------------------


@pytest.fixture(scope="module")
def shop_copy(sample_dir, tmp_path_factory) -> Path:
    """A private copy of the real shop sample (never the shared file itself)."""
    path = tmp_path_factory.mktemp("shop") / "shop.duckdb"
    shutil.copy(sample_dir / "shop.duckdb", path)
    return path


def _shop_tables(shop_copy: Path) -> dict[str, tuple[list[tuple[str, str]], list[tuple]]]:
    """table -> ([(column, DuckDB type)], rows), read from a copy so no configured instance clashes."""
    scratch = shop_copy.with_name("shop-read.duckdb")
    shutil.copy(shop_copy, scratch)
    con = duckdb.connect(str(scratch), read_only=True)
    try:
        tables = {}
        for (name,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall():
            columns = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [name]
            ).fetchall()
            tables[name] = (columns, con.execute(f'SELECT * FROM "{name}"').fetchall())
        return tables
    finally:
        con.close()
        scratch.unlink()


@pytest.fixture(scope="module")
def shop_sqlite(shop_copy) -> Path:
    """The shop sample as a SQLite file (dates as ISO text, booleans as 0/1), keyed and indexed."""
    path = shop_copy.with_name("shop.sqlite")
    con = sqlite3.connect(path)
    for name, (columns, rows) in _shop_tables(shop_copy).items():
        definitions = [f"{c} {_sqlite_type(t)}{' PRIMARY KEY' if i == 0 else ''}" for i, (c, t) in enumerate(columns)]
        con.execute(f'CREATE TABLE "{name}" ({", ".join(definitions)})')
        con.executemany(
            f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(columns))})',
            [tuple(_sqlite_value(v) for v in row) for row in rows],
        )
        for column, _ in columns[1:]:
            if column.endswith("_id"):
                con.execute(f'CREATE INDEX "{name}_{column}" ON "{name}" ({column})')
    con.commit()
    con.close()
    return path


def _sqlite_type(duck_type: str) -> str:
    return {"INTEGER": "INTEGER", "BIGINT": "INTEGER", "BOOLEAN": "INTEGER", "DOUBLE": "REAL"}.get(duck_type, "TEXT")


def _sqlite_value(value):
    if hasattr(value, "isoformat"):
        return str(value)  # '2023-01-02 07:06:20' / '2023-01-01', as SQLite's date functions expect
    return value


def _copy_text(value) -> str:
    """One field of PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


PG_TYPES = {
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "VARCHAR": "text",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "BOOLEAN": "boolean",
    "DOUBLE": "double precision",
}


@pytest.fixture(scope="module")
def shop_postgres(postgres_url, shop_copy):
    """The shop sample in its own database on the test server; yields (url, content fingerprint)."""
    import sqlalchemy as sa

    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS t2sql_attack_shop")
        conn.exec_driver_sql("CREATE DATABASE t2sql_attack_shop")
    url = sa.engine.make_url(postgres_url).set(database="t2sql_attack_shop").render_as_string(hide_password=False)
    owner = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    tables = _shop_tables(shop_copy)
    with owner.connect() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            for name, (columns, rows) in tables.items():
                cur.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {PG_TYPES[t]}' for c, t in columns)})")
                buffer = io.StringIO("".join("\t".join(map(_copy_text, row)) + "\n" for row in rows))
                cur.copy_expert(f"COPY {name} FROM STDIN", buffer)
            cur.execute("ALTER TABLE categories ADD PRIMARY KEY (category_id)")

    def content():
        with owner.connect() as conn:
            relations = _rows(
                conn,
                "SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2",
            )
            hashes = {name: _rows(conn, f"SELECT count(*), sum(hashtext(t::text)) FROM {name} t") for name in tables}
            others = _rows(
                conn,
                "SELECT (SELECT count(*) FROM pg_largeobject_metadata), "
                "(SELECT array_agg(extname ORDER BY extname) FROM pg_extension), "
                "(SELECT array_agg(datname ORDER BY datname) FROM pg_database), "
                "(SELECT array_agg(proname ORDER BY proname) FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE n.nspname = 'public')",
            )
        return relations, hashes, others

    yield url, content
    owner.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS t2sql_attack_shop WITH (FORCE)")
    admin.dispose()


# --- Summary (keep last: it reports what the tests above saw) ---------------------------------


def test_counts():
    """Table sizes meet the minimums; prints attacks tried/refused/harmless and benign tried/allowed/run."""
    lines = [
        f"{'engine':<9} {'attacks':>7} {'refused':>7} {'harmless':>8} {'guard-only':>10} "
        f"{'benign':>6} {'allowed':>7} {'same rows':>9}"
    ]
    for engine, attacks in ATTACKS.items():
        assert len(attacks) >= MINIMUM_ATTACKS[engine], engine
        assert len({a.id for a in attacks}) == len(attacks), f"duplicate attack ids for {engine}"
        benign = _benign(engine)
        assert len(benign) >= MINIMUM_BENIGN, engine
        refused = allowed = 0
        for attack in attacks:
            try:
                guard.check(_render(attack.sql, Path("/tmp/t2sql-watched")), DIALECT[engine])
            except GuardRefusal:
                refused += 1
        for _, sql in benign:
            try:
                guard.check(sql, DIALECT[engine])
                allowed += 1
            except GuardRefusal:
                pass
        assert refused == len(attacks) and allowed == len(benign), engine
        seen = OUTCOMES[engine]
        guard_only = sum(1 for a in attacks if a.guard_only)
        lines.append(
            f"{engine:<9} {len(attacks):>7} {refused:>7} {seen['attacks harmless at connection']:>8} "
            f"{guard_only:>10} {len(benign):>6} {allowed:>7} {seen['benign run with same rows']:>9}"
        )
    print("\n" + "\n".join(lines))
    print("(harmless / same rows count the tests run in this session; 0 when the engine was skipped)")
