"""Read-only SQL guard: prove a statement is one safe read query before anything runs it.

SQL comes from a small LLM or from an analyst's edit, so it is treated as hostile. The guard
parses it with sqlglot in the database's own dialect, refuses anything that is not a single
read query (statements that write, change settings, touch files, or call unknown functions),
caps the row count with a LIMIT, and hands back SQL regenerated from the checked tree, so the
executor runs exactly what was inspected. It is the first of two layers (the connection is
read-only too) and never relies on the second.

Everything is decided by the tables below; the functions are small and pure over the tree.
The module imports only the standard library and sqlglot: it sits on the fast CLI path.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import math
import re
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, SqlglotError
from sqlglot.tokens import TokenType

from t2sql.errors import GuardRefusal

# SQLAlchemy backend name -> sqlglot dialect name.

# --- Statements ------------------------------------------------------------------------------
# Node classes that mean "this is not a plain read", wherever they sit in the tree (a DELETE
# inside a CTE writes just as well). Value: the keyword named in the refusal. Looked up by name
# so that a class missing from this sqlglot version is simply skipped.
DENIED_STATEMENTS = {
    "Insert": "INSERT",
    "Update": "UPDATE",
    "Delete": "DELETE",
    "Merge": "MERGE",
    "Copy": "COPY",
    "Create": "CREATE",
    "Drop": "DROP",
    "Alter": "ALTER",
    "AlterSession": "ALTER SESSION",
    "TruncateTable": "TRUNCATE",
    "Undrop": "UNDROP",
    "Comment": "COMMENT",
    "Attach": "ATTACH",
    "Detach": "DETACH",
    "Install": "INSTALL",
    "Pragma": "PRAGMA",
    "Set": "SET",
    "Use": "USE",
    "Transaction": "BEGIN",
    "Commit": "COMMIT",
    "Rollback": "ROLLBACK",
    "Into": "SELECT ... INTO",
    "LoadData": "LOAD DATA",
    "Describe": "DESCRIBE",
    "Show": "SHOW",
    "Analyze": "ANALYZE",
    "Grant": "GRANT",
    "Revoke": "REVOKE",
    "Export": "EXPORT",
    "Kill": "KILL",
    "Declare": "DECLARE",
    "Execute": "EXECUTE",
    "Cache": "CACHE",
    "Uncache": "UNCACHE",
    "Refresh": "REFRESH",
    "LockingStatement": "LOCKING",
    "Put": "PUT",
    "Get": "GET",
    "ListStage": "LIST",
    "StoredProcedure": "PROCEDURE",
    "Block": "BEGIN ... END",
    "IfBlock": "IF",
    "WhileBlock": "WHILE",
    "LoopBlock": "LOOP",
    "RepeatBlock": "REPEAT",
    "ConditionalInsert": "INSERT",
    "MultitableInserts": "INSERT",
    "ConnectTo": "CONNECT",
    "Disconnect": "DISCONNECT",
    "UserDefinedFunction": "FUNCTION",
    "NextValueFor": "NEXT VALUE FOR",
    "DML": "DML",
    "DDL": "DDL",
}
DENIED_STATEMENT_CLASSES = tuple(
    cls for cls in (getattr(exp, name, None) for name in DENIED_STATEMENTS) if isinstance(cls, type)
)
# sqlglot keeps statement-level classes in these modules: anything from them that is not listed
# as harmless is refused too, so a statement class added in a newer sqlglot fails closed.
STATEMENT_MODULES = ("sqlglot.expressions.ddl", "sqlglot.expressions.dml")
HARMLESS_STATEMENT_MODULE_CLASSES = frozenset({"Comprehension", "Heredoc", "Summarize"})

# --- Table sources ---------------------------------------------------------------------------
# A table name containing one of these is a file path or URL (DuckDB reads 'x.csv' or
# "https://..." in FROM as a file), not a table of this database.
FILE_LIKE_NAME = re.compile(r"[./\\:~*?]")
# Catalogs of the engine itself: a user query reads user tables only (the schema browser shows
# the structure). Schemas, and name prefixes of system tables, views and table-valued pragmas.
SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog", "pg_toast", "temp", "system"})
SYSTEM_TABLE_PREFIXES = ("pg_", "sqlite_", "duckdb_", "pragma_", "information_schema")
SYSTEM_TABLES = frozenset({"dbstat"})  # SQLite's page-level virtual table (its sibling sqlite_dbpage can write pages)
# The schema a catalog's unqualified table names live in, per dialect.
DEFAULT_SCHEMAS = {"duckdb": frozenset({"main"}), "sqlite": frozenset({"main"}), "postgres": frozenset({"public"})}
# DuckDB statements sqlglot parses only without a trailing ORDER BY / LIMIT: run as a subquery.
PIVOT_STATEMENTS = frozenset({"PIVOT", "UNPIVOT", "PIVOT_WIDER", "PIVOT_LONGER"})
# Table functions allowed as a FROM source: they only reshape values already in the query.
ALLOWED_TABLE_FUNCTIONS = (exp.Unnest,)

# --- Functions -------------------------------------------------------------------------------
# Functions that read or write files, URLs or other databases. Names and name prefixes.
FILE_FUNCTIONS = frozenset(
    {
        "read_csv",
        "read_csv_auto",
        "read_parquet",
        "read_json",
        "read_json_auto",
        "read_json_objects",
        "read_ndjson",
        "read_ndjson_auto",
        "read_text",
        "read_blob",
        "read_xlsx",
        "glob",
        "parquet_scan",
        "parquet_metadata",
        "parquet_schema",
        "sniff_csv",
        "iceberg_scan",
        "delta_scan",
        "sqlite_scan",
        "postgres_scan",
        "mysql_scan",
        "readfile",
        "writefile",
        "edit",
        "fsdir",
        "zipfile",
        "load_extension",
        "pg_read_file",
        "pg_read_binary_file",
        "pg_ls_dir",
        "pg_stat_file",
        "lo_import",
        "lo_export",
        "http_get",
        "http_post",
        "to_file",
        "csv_scan",
        "json_scan",
    }
)
FILE_FUNCTION_PREFIXES = ("read_", "dblink", "lo_", "http_", "pg_read", "pg_ls_", "postgres_", "mysql_")
# Functions that expose the environment, change settings, sleep, or run other SQL.
SYSTEM_FUNCTIONS = frozenset(
    {
        "getenv",
        "current_setting",
        "set_config",
        "system",
        "shell",
        "query",
        "query_table",
        "json_execute_serialized_sql",
        "nextval",
        "setval",
        "currval",
        "setseed",
        "getvariable",
        "txid_current",
        "checkpoint",
        "force_checkpoint",
        "enable_profiling",
        "install",
        "load",
    }
)
SYSTEM_FUNCTION_PREFIXES = ("pg_", "sqlite_", "fts", "duckdb_", "pragma_", "txid_", "enable_", "disable_")
# Known sqlglot function classes that are still not harmless (file, ML, secrets, sequences).
DENIED_FUNCTION_CLASSES = {
    "ReadCSV": "file",
    "ReadParquet": "file",
    "ToFile": "file",
    "Secret": "system",
    "NextValueFor": "system",
    "GenerateEmbedding": "system",
    "GenerateText": "system",
    "AIAgg": "system",
    "AIClassify": "system",
    "AIEmbed": "system",
    "AIForecast": "system",
    "AIGenerate": "system",
    "AISimilarity": "system",
    "AISummarizeAgg": "system",
    "MLForecast": "system",
    "MLTranslate": "system",
    "Predict": "system",
    "FeaturesAtTime": "system",
    "VectorSearch": "system",
}
# Function nodes that carry a free-form name: sqlglot does not know what they do.
NAMED_FUNCTION_CLASSES = (exp.Anonymous, exp.AnonymousAggFunc, exp.ParameterizedAgg)

# Harmless functions sqlglot may not know, per dialect (a name sqlglot does know becomes its
# own class and is allowed anyway). Lowercase; prefixes below cover whole families.
_COMMON_FUNCTIONS = frozenset(
    {
        "abs",
        "round",
        "ceil",
        "ceiling",
        "floor",
        "trunc",
        "mod",
        "power",
        "pow",
        "sqrt",
        "exp",
        "ln",
        "log",
        "log10",
        "log2",
        "sign",
        "pi",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "atan2",
        "degrees",
        "radians",
        "greatest",
        "least",
        "coalesce",
        "nullif",
        "ifnull",
        "count",
        "sum",
        "avg",
        "min",
        "max",
        "lower",
        "upper",
        "length",
        "trim",
        "ltrim",
        "rtrim",
        "replace",
        "substr",
        "substring",
        "instr",
        "concat",
        "concat_ws",
        "left",
        "right",
        "lpad",
        "rpad",
        "reverse",
        "repeat",
        "position",
        "strpos",
        "split_part",
        "initcap",
        "char_length",
        "character_length",
        "octet_length",
        "ascii",
        "chr",
        "format",
        "printf",
        "string_agg",
        "group_concat",
        "listagg",
        "array_agg",
        "median",
        "mode",
        "stddev",
        "stddev_pop",
        "stddev_samp",
        "variance",
        "var_pop",
        "var_samp",
        "corr",
        "covar_pop",
        "covar_samp",
        "percentile_cont",
        "percentile_disc",
        "bool_and",
        "bool_or",
        "every",
        "row_number",
        "rank",
        "dense_rank",
        "ntile",
        "lag",
        "lead",
        "first_value",
        "last_value",
        "nth_value",
        "cume_dist",
        "percent_rank",
        "date_trunc",
        "date_part",
        "extract",
        "strftime",
        "to_char",
        "to_date",
        "to_timestamp",
        "to_number",
        "now",
        "current_date",
        "md5",
        "typeof",
        "unicode",
        "hex",
        "json_extract",
        "json_array_length",
        "json_object",
        "json_array",
        "json_type",
        "json_valid",
        "unnest",
        "cast",
        "if",
        "iif",
    }
)
SAFE_FUNCTIONS = {
    "duckdb": _COMMON_FUNCTIONS
    | {
        "datediff",
        "date_diff",
        "datesub",
        "date_sub",
        "date_add",
        "datepart",
        "datetrunc",
        "dayname",
        "monthname",
        "epoch",
        "epoch_ms",
        "epoch_us",
        "epoch_ns",
        "make_date",
        "make_time",
        "make_timestamp",
        "last_day",
        "age",
        "strptime",
        "try_strptime",
        "time_bucket",
        "today",
        "get_current_timestamp",
        "current_localtimestamp",
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "week",
        "weekday",
        "weekofyear",
        "dayofweek",
        "dayofmonth",
        "dayofyear",
        "isodow",
        "isoyear",
        "yearweek",
        "quarter",
        "century",
        "decade",
        "millennium",
        "era",
        "microsecond",
        "millisecond",
        "to_days",
        "to_hours",
        "to_minutes",
        "to_seconds",
        "to_months",
        "to_years",
        "to_weeks",
        "quantile",
        "quantile_cont",
        "quantile_disc",
        "approx_quantile",
        "approx_count_distinct",
        "arg_max",
        "arg_min",
        "argmax",
        "argmin",
        "max_by",
        "min_by",
        "first",
        "last",
        "any_value",
        "arbitrary",
        "count_if",
        "countif",
        "histogram",
        "entropy",
        "kurtosis",
        "skewness",
        "product",
        "fsum",
        "favg",
        "sumkahan",
        "bit_and",
        "bit_or",
        "bit_xor",
        "bit_count",
        "len",
        "cardinality",
        "string_split",
        "str_split",
        "string_to_array",
        "starts_with",
        "ends_with",
        "contains",
        "prefix",
        "suffix",
        "strip_accents",
        "levenshtein",
        "damerau_levenshtein",
        "jaccard",
        "jaro_similarity",
        "jaro_winkler_similarity",
        "hamming",
        "translate",
        "ord",
        "to_base64",
        "from_base64",
        "base64",
        "to_hex",
        "format_bytes",
        "formatreadablesize",
        "formatreadabledecimalsize",
        "nfc_normalize",
        "isnan",
        "isinf",
        "isfinite",
        "even",
        "factorial",
        "gamma",
        "lgamma",
        "cot",
        "hash",
        "try_cast",
        "struct_pack",
        "struct_extract",
        "row",
        "map",
        "flatten",
        "generate_series",
        "range",
        "json_extract_string",
        "json_extract_path",
        "json_extract_path_text",
        "json_value",
        "json_keys",
        "json_structure",
        "json_contains",
        "json_group_array",
        "json_group_object",
        "to_json",
        "json_transform",
        "uuid",
        "gen_random_uuid",
        "random",
        "timezone",
    },
    "sqlite": _COMMON_FUNCTIONS
    | {
        "julianday",
        "unixepoch",
        "date",
        "datetime",
        "time",
        "timediff",
        "total",
        "char",
        "quote",
        "soundex",
        "likely",
        "unlikely",
        "likelihood",
        "random",
        "json",
        "json_insert",
        "json_replace",
        "json_set",
        "json_remove",
        "json_patch",
        "json_quote",
        "json_group_array",
        "json_group_object",
        "like",
    },
    "postgres": _COMMON_FUNCTIONS
    | {
        "age",
        "date_bin",
        "make_date",
        "make_time",
        "make_timestamp",
        "make_interval",
        "justify_days",
        "justify_hours",
        "justify_interval",
        "clock_timestamp",
        "statement_timestamp",
        "localtimestamp",
        "isfinite",
        "btrim",
        "regexp_match",
        "regexp_matches",
        "regexp_replace",
        "regexp_split_to_array",
        "regexp_count",
        "string_to_array",
        "array_to_string",
        "array_length",
        "array_position",
        "array_remove",
        "array_append",
        "array_cat",
        "cardinality",
        "width_bucket",
        "cbrt",
        "div",
        "gcd",
        "lcm",
        "factorial",
        "generate_series",
        "json_build_object",
        "jsonb_build_object",
        "json_agg",
        "jsonb_agg",
        "json_object_agg",
        "jsonb_object_agg",
        "json_extract_path",
        "json_extract_path_text",
        "jsonb_extract_path",
        "jsonb_extract_path_text",
        "to_json",
        "to_jsonb",
        "jsonb_array_length",
        "json_typeof",
        "jsonb_typeof",
        "bit_and",
        "bit_or",
        "xor",
        "quote_ident",
        "quote_literal",
        "translate",
        "encode",
        "decode",
        "sha256",
        "gen_random_uuid",
        "random",
        "timezone",
    },
}
SAFE_FUNCTION_PREFIXES = {
    "duckdb": ("list_", "array_", "regexp_", "struct_", "map_"),
    "sqlite": (),
    "postgres": ("array_", "regr_"),
}

# --- Resources -------------------------------------------------------------------------------
# Cross joins and big scans are left to the executor's time and memory limits. These two are
# refused up front: they read no table at all, yet never end or fill memory on their own.
MAX_SERIES_VALUES = 1_000_000
SERIES_FUNCTION_CLASSES: tuple[type[exp.Func], ...] = tuple(
    cls
    for cls in (getattr(exp, name, None) for name in ("GenerateSeries", "ExplodingGenerateSeries"))
    if isinstance(cls, type) and issubclass(cls, exp.Func)
)
SERIES_FUNCTION_NAMES = frozenset({"range", "generate_series"})  # if sqlglot leaves them unparsed
# Seconds per interval unit, for date series (singular, lowercase; months and years on average).
INTERVAL_SECONDS = {
    "microsecond": 1e-6,
    "millisecond": 1e-3,
    "second": 1,
    "sec": 1,
    "minute": 60,
    "min": 60,
    "hour": 3600,
    "hr": 3600,
    "day": 86400,
    "week": 604800,
    "month": 2629746,
    "mon": 2629746,
    "quarter": 7889238,
    "year": 31556952,
    "yr": 31556952,
}
# Functions that build one value of a requested size, and the argument holding that size: a
# literal size above the cap is refused (DuckDB cannot interrupt a single giant value).
MAX_GENERATED_LENGTH = 1_000_000
SIZED_FUNCTION_ARGS = {"Repeat": "times", "Pad": "expression", "Space": "this"}
# A recursive CTE's recursive term must filter on a column (WHERE, or a JOIN's ON/USING): without
# one it never ends. (SQLite makes a CTE recursive by self-reference, even without RECURSIVE.)
IMPLICIT_RECURSION_DIALECTS = frozenset({"sqlite"})

# --- Messages --------------------------------------------------------------------------------
READ_ONLY = "읽기 전용 조회(SELECT)만 실행할 수 있습니다."
MSG_EMPTY = "실행할 SQL이 비어 있습니다."
MSG_STACKED = "SQL 문은 한 번에 하나만 실행할 수 있습니다."
MSG_STATEMENT = READ_ONLY + " 이 SQL에는 {} 문이 들어 있습니다."
MSG_NOT_QUERY = READ_ONLY + " 이 SQL은 조회 문이 아닙니다."
MSG_LOCK = READ_ONLY + " 행을 잠그는 FOR UPDATE/FOR SHARE 절은 쓸 수 없습니다."
MSG_PARSE = "SQL을 해석할 수 없습니다: {}"
MSG_UNSUPPORTED = "SQL을 해석할 수 없습니다: 이 데이터베이스에서 확인할 수 없는 구문이 있습니다 ({})."
MSG_DIALECT = "지원하지 않는 데이터베이스 종류입니다: {}"
MSG_FILE_FUNCTION = "파일이나 외부 주소를 읽는 함수({})는 사용할 수 없습니다."
MSG_SYSTEM_FUNCTION = "데이터베이스 설정이나 시스템을 다루는 함수({})는 사용할 수 없습니다."
MSG_UNKNOWN_FUNCTION = "허용 목록에 없는 함수({})는 사용할 수 없습니다. 일반적인 집계·날짜·문자열 함수를 써 주세요."
MSG_TABLE_FUNCTION = "FROM 절에는 실제 테이블 이름만 쓸 수 있습니다. 테이블 함수({})는 사용할 수 없습니다."
MSG_FILE_TABLE = "파일이나 외부 주소({})를 테이블처럼 읽을 수 없습니다."
MSG_OTHER_DATABASE = "다른 데이터베이스의 테이블({})은 읽을 수 없습니다."
MSG_SYSTEM_TABLE = (
    "데이터베이스 시스템 카탈로그({})는 조회할 수 없습니다. 테이블과 열은 화면의 스키마 보기에서 확인하세요."
)
MSG_UNKNOWN_TABLE = "이 데이터베이스의 테이블 목록에 없는 테이블({})은 조회할 수 없습니다."
MSG_CLOSE_TABLES = " 비슷한 테이블: {}"
MSG_RECURSION = (
    "끝나는 조건이 없는 재귀 CTE({})는 실행할 수 없습니다. "
    "재귀 부분에 열을 비교하는 WHERE 조건(예: WHERE n < 100)이나 CTE 안의 LIMIT을 넣어 주세요."
)
MSG_SERIES_TOO_LARGE = "{}의 범위가 너무 큽니다(약 {:,}개). 한 번에 {:,}개 이하로 줄여 주세요."
MSG_GENERATED_TOO_LARGE = "만들려는 값이 너무 깁니다: {} (길이 {:,}). 길이는 {:,} 이하로 줄여 주세요."
MSG_SERIES_NOT_LITERAL = "{}의 시작·끝·간격은 숫자나 날짜 상수로 써야 합니다(열이나 식은 쓸 수 없습니다)."
MSG_RECHECK = "정규화한 SQL을 다시 검사하지 못했습니다. 질문을 바꾸거나 SQL을 단순하게 고쳐 주세요."

_SQLGLOT_LOGGER = logging.getLogger("sqlglot")


@dataclass(frozen=True)
class Approved:
    """A statement the guard accepted: run ``sql`` exactly as given."""

    sql: str
    limit_added: bool
    tables: tuple[str, ...]


def check(sql: str, dialect: str, max_rows: int = 1000, tables: Collection[str] | None = None) -> Approved:
    """Prove ``sql`` is one safe read query in ``dialect`` (a sqlglot name) or raise GuardRefusal.

    ``tables``: the user tables of the database (the catalog's names); when given, a query may read
    nothing else. System catalogs are refused either way."""
    if dialect not in SAFE_FUNCTIONS:
        raise GuardRefusal(MSG_DIALECT.format(dialect))
    if max_rows < 1:
        raise ValueError("max_rows must be at least 1")
    root = _inspect(_pivot_as_query(sql, dialect), dialect)
    if tables is not None:
        _raise_if(_unknown_table_refusal(root, dialect, {t.lower() for t in tables}))
    root, limit_added = _cap_rows(root, max_rows)
    normalised = _generate(root, dialect)
    _recheck(normalised, dialect, max_rows)
    return Approved(sql=normalised, limit_added=limit_added, tables=_tables(root))


# --- Parsing ---------------------------------------------------------------------------------


def _inspect(sql: str, dialect: str) -> exp.Expr:
    """Parse to exactly one statement and refuse it unless every node is safe."""
    if not sql or not sql.strip():
        raise GuardRefusal(MSG_EMPTY)
    statements, warnings = _parse(sql, dialect)
    if not statements:
        raise GuardRefusal(MSG_EMPTY)
    if len(statements) > 1:
        raise GuardRefusal(MSG_STACKED)
    root = _unwrap(statements[0])
    _refuse_unsafe_tree(root, dialect)
    if warnings:
        # sqlglot skipped or guessed at something it did not understand: fail closed.
        raise GuardRefusal(MSG_UNSUPPORTED.format(warnings[0][:120]))
    return root


def _parse(sql: str, dialect: str) -> tuple[list[exp.Expr], list[str]]:
    """All non-empty statements plus any sqlglot warnings, or a refusal for unparsable text."""
    with _captured_warnings() as warnings:
        try:
            parsed = sqlglot.parse(sql, read=dialect)
        except ParseError as err:
            raise GuardRefusal(MSG_PARSE.format(_parse_detail(err))) from None
        except RecursionError:
            raise GuardRefusal(MSG_PARSE.format("SQL이 너무 깊게 중첩되어 있습니다")) from None
        except (SqlglotError, ValueError) as err:
            raise GuardRefusal(MSG_PARSE.format(_first_line(str(err)) or type(err).__name__)) from None
    return [s for s in parsed if s is not None], warnings


def _pivot_as_query(sql: str, dialect: str) -> str:
    """DuckDB's ``PIVOT t ON c USING sum(x) GROUP BY g ORDER BY g LIMIT n`` statement as the
    query ``SELECT * FROM (PIVOT t ON c USING sum(x) GROUP BY g) AS pivoted ORDER BY g LIMIT n``
    (the same result; sqlglot reads the statement only without its ORDER BY / LIMIT)."""
    if dialect != "duckdb":
        return sql
    try:
        tokens = sqlglot.tokenize(sql, read=dialect)
    except SqlglotError:
        return sql  # the parser will refuse it with a clear reason
    if not tokens or tokens[0].text.upper() not in PIVOT_STATEMENTS:
        return sql
    depth, cut = 0, len(sql)
    for token in tokens:
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
        if depth == 0 and token.token_type in (TokenType.ORDER_BY, TokenType.LIMIT, TokenType.SEMICOLON):
            cut = token.start
            break
    return f"SELECT * FROM ({sql[:cut]}) AS pivoted {sql[cut:]}"


def _parse_detail(err: ParseError) -> str:
    """A short, one-line reason with position (sqlglot's own message has ANSI underlines)."""
    if err.errors:
        first = err.errors[0]
        desc = _first_line(str(first.get("description") or "")) or "잘못된 구문"
        line, col = first.get("line"), first.get("col")
        if line is not None and col is not None:
            return f"{desc} ({line}번째 줄 {col}번째 글자 부근)"
        return desc
    return _first_line(str(err)) or "잘못된 구문"


def _first_line(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return text.strip().splitlines()[0][:200] if text.strip() else ""


@contextmanager
def _captured_warnings() -> Iterator[list[str]]:
    """Collect sqlglot warnings from this thread (e.g. 'falling back to Command', 'not supported').

    The handler also keeps them off stderr, where Python's last-resort handler would print them.
    """
    caught: list[str] = []
    thread = threading.get_ident()

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.thread == thread and record.levelno >= logging.WARNING:
                caught.append(record.getMessage())

    handler = _Collect(logging.WARNING)
    _SQLGLOT_LOGGER.addHandler(handler)
    try:
        yield caught
    finally:
        _SQLGLOT_LOGGER.removeHandler(handler)


def _unwrap(root: exp.Expr) -> exp.Expr:
    """Drop plain parentheses around the whole query: ``(SELECT ...)`` -> ``SELECT ...``."""
    while isinstance(root, exp.Subquery) and not any(v for k, v in root.args.items() if k != "this"):
        root = root.this
    return root


# --- Tree checks -----------------------------------------------------------------------------


def _refuse_unsafe_tree(root: exp.Expr, dialect: str) -> None:
    """Run each check over every node, most telling first, so the reason given is the clearest."""
    nodes = list(root.walk())
    for node in nodes:
        _raise_if(_statement_refusal(node))
    _raise_if(_root_refusal(root))
    for check in (_lock_refusal, _dangerous_function_refusal):
        for node in nodes:
            _raise_if(check(node))
    for dialect_check in (_source_refusal, _table_refusal, _function_refusal, _resource_refusal):
        for node in nodes:
            _raise_if(dialect_check(node, dialect))


def _raise_if(message: str | None) -> None:
    if message:
        raise GuardRefusal(message)


def _statement_refusal(node: exp.Expr) -> str | None:
    """Writes, DDL, settings, transactions, file I/O statements and sqlglot's raw Commands."""
    if isinstance(node, exp.Command):
        return MSG_STATEMENT.format((node.name or "알 수 없는").upper())
    if isinstance(node, DENIED_STATEMENT_CLASSES):
        for cls in type(node).__mro__:
            if cls.__name__ in DENIED_STATEMENTS:
                return MSG_STATEMENT.format(DENIED_STATEMENTS[cls.__name__])
    cls = type(node)
    if cls.__module__ in STATEMENT_MODULES and cls.__name__ not in HARMLESS_STATEMENT_MODULE_CLASSES:
        return MSG_STATEMENT.format(cls.__name__.upper())
    return None


def _root_refusal(root: exp.Expr) -> str | None:
    """The statement itself must be a SELECT or a set operation of SELECTs (CTEs allowed)."""
    if isinstance(root, (exp.Select, exp.SetOperation)):
        return None
    if isinstance(root, exp.Summarize) and not root.args.get("table"):  # DuckDB: statistics of a table or query
        return None
    if isinstance(root, exp.Subquery) and isinstance(_unwrap(root.this), (exp.Select, exp.SetOperation)):
        return None
    return MSG_NOT_QUERY


def _lock_refusal(node: exp.Expr) -> str | None:
    """FOR UPDATE / FOR SHARE take row locks: a read that blocks writers is not harmless."""
    return MSG_LOCK if isinstance(node, exp.Lock) else None


def _source_refusal(node: exp.Expr, dialect: str) -> str | None:  # noqa: ARG001 - same shape as its pass
    """A function placed straight into FROM / JOIN / LATERAL is a table function: refuse it."""
    if not isinstance(node, (exp.From, exp.Join, exp.Lateral)):
        return None
    source = node.this
    if isinstance(source, exp.Func) and not isinstance(source, ALLOWED_TABLE_FUNCTIONS):
        return _table_function_refusal(source)
    return None


def _table_refusal(node: exp.Expr, dialect: str) -> str | None:
    """A table must be a plain [schema.]name of this database: no functions, files, URLs."""
    if not isinstance(node, exp.Table):
        return None
    source = node.this
    if isinstance(source, exp.Func) and not isinstance(source, ALLOWED_TABLE_FUNCTIONS):
        return _table_function_refusal(source)
    if not isinstance(source, (exp.Identifier, *ALLOWED_TABLE_FUNCTIONS)):
        return MSG_TABLE_FUNCTION.format(node.sql(dialect=dialect)[:60])
    if node.args.get("catalog"):
        return MSG_OTHER_DATABASE.format(".".join(p.name for p in node.parts))
    for part in node.parts:
        if FILE_LIKE_NAME.search(part.name):
            return MSG_FILE_TABLE.format(part.name)
    name = node.name.lower()
    if node.db.lower() in SYSTEM_SCHEMAS or name in SYSTEM_TABLES or name.startswith(SYSTEM_TABLE_PREFIXES):
        return MSG_SYSTEM_TABLE.format(".".join(p.name for p in node.parts))
    return None


def _unknown_table_refusal(root: exp.Expr, dialect: str, user_tables: set[str]) -> str | None:
    """Every table read must be one of the database's user tables (CTE names aside)."""
    for qualified in _tables(root):
        *schema, name = qualified.split(".")
        if name not in user_tables or (schema and schema[-1] not in DEFAULT_SCHEMAS[dialect]):
            close = difflib.get_close_matches(name, sorted(user_tables), n=3, cutoff=0.6)
            return MSG_UNKNOWN_TABLE.format(qualified) + (MSG_CLOSE_TABLES.format(", ".join(close)) if close else "")
    return None


def _table_function_refusal(func: exp.Func) -> str:
    """Why a function used as a table is refused: its own danger if it has one, else its position."""
    return _dangerous_function_refusal(func) or MSG_TABLE_FUNCTION.format(_function_name(func))


def _function_refusal(node: exp.Expr, dialect: str) -> str | None:
    """Known sqlglot functions pass unless denied; unknown ones need the dialect's allow-list."""
    if not isinstance(node, exp.Func):
        return None
    denied = _dangerous_function_refusal(node)
    if denied or not isinstance(node, NAMED_FUNCTION_CLASSES):
        return denied
    name = _function_name(node)
    if name in SAFE_FUNCTIONS[dialect] or name.startswith(SAFE_FUNCTION_PREFIXES[dialect]):
        return None
    return MSG_UNKNOWN_FUNCTION.format(name or "?")


def _dangerous_function_refusal(func: exp.Expr) -> str | None:
    """File/URL and system functions, by sqlglot class or by name; deny-lists beat allow-lists."""
    if not isinstance(func, exp.Func):
        return None
    if isinstance(func, NAMED_FUNCTION_CLASSES):
        name = _function_name(func)
        if name in FILE_FUNCTIONS or name.startswith(FILE_FUNCTION_PREFIXES):
            return MSG_FILE_FUNCTION.format(name)
        if name in SYSTEM_FUNCTIONS or name.startswith(SYSTEM_FUNCTION_PREFIXES):
            return MSG_SYSTEM_FUNCTION.format(name)
        return None
    for cls in type(func).__mro__:
        kind = DENIED_FUNCTION_CLASSES.get(cls.__name__)
        if kind:
            template = MSG_FILE_FUNCTION if kind == "file" else MSG_SYSTEM_FUNCTION
            return template.format(_function_name(func))
    return None


def _function_name(node: exp.Func) -> str:
    if isinstance(node, NAMED_FUNCTION_CLASSES):
        return node.name.lower()
    return node.sql_name().lower()


# --- Resources -------------------------------------------------------------------------------


def _resource_refusal(node: exp.Expr, dialect: str) -> str | None:
    """Recursive CTEs that cannot end, huge or non-literal series, giant generated strings."""
    if isinstance(node, exp.With):
        return _recursion_refusal(node, dialect)
    if isinstance(node, SERIES_FUNCTION_CLASSES) or (
        isinstance(node, NAMED_FUNCTION_CLASSES) and _function_name(node) in SERIES_FUNCTION_NAMES
    ):
        return _series_refusal(node)
    size_arg = SIZED_FUNCTION_ARGS.get(type(node).__name__)
    if size_arg:
        size = _constant_number(node.args.get(size_arg))
        if size is not None and size > MAX_GENERATED_LENGTH:
            return MSG_GENERATED_TOO_LARGE.format(node.sql(dialect=dialect)[:60], int(size), MAX_GENERATED_LENGTH)
    return None


def _recursion_refusal(with_: exp.With, dialect: str) -> str | None:
    """Every recursive term (a set-operation operand after the first that reads the CTE itself)
    needs a condition on a column, or the recursion only stops at the time limit."""
    if not with_.args.get("recursive") and dialect not in IMPLICIT_RECURSION_DIALECTS:
        return None
    for cte in with_.expressions:
        name = cte.alias_or_name.lower()
        if _literal_limit(cte.this):  # LIMIT inside the CTE stops the recursion (SQLite, DuckDB, PostgreSQL)
            continue
        for term in _set_operands(cte.this)[1:]:
            if _reads_table(term, name) and not _has_row_condition(term):
                return MSG_RECURSION.format(cte.alias_or_name)
    return None


def _literal_limit(query: exp.Expr) -> bool:
    """The query (or its last set-operation operand, where SQLite hangs it) ends at a constant LIMIT."""
    query = _unwrap(query)
    for part in (query, _set_operands(query)[-1]):
        limit = part.args.get("limit")
        if limit is not None and _literal_count(limit) is not None:
            return True
    return False


def _set_operands(query: exp.Expr) -> list[exp.Expr]:
    """``A UNION ALL B UNION C`` -> [A, B, C]; a query that is no set operation -> [query]."""
    query = _unwrap(query)
    if isinstance(query, exp.SetOperation):
        return _set_operands(query.this) + _set_operands(query.expression)
    return [query]


def _reads_table(query: exp.Expr, name: str) -> bool:
    return any(t.name.lower() == name and not t.args.get("db") for t in query.find_all(exp.Table))


def _has_row_condition(query: exp.Expr) -> bool:
    """A WHERE, or a JOIN's ON / USING, that compares at least one column."""
    where = query.args.get("where")
    if where is not None and where.find(exp.Column):
        return True
    for join in query.args.get("joins") or ():
        on = join.args.get("on")
        if (on is not None and on.find(exp.Column)) or join.args.get("using"):
            return True
    return False


def _series_refusal(func: exp.Func) -> str | None:
    """range()/generate_series() must have constant bounds spanning at most MAX_SERIES_VALUES."""
    name = _function_name(func) if isinstance(func, NAMED_FUNCTION_CLASSES) else _series_name(func)
    count = _series_length(func, exclusive=name == "range")  # range stops before its end
    if count is None:
        return MSG_SERIES_NOT_LITERAL.format(name)
    if count > MAX_SERIES_VALUES:
        return MSG_SERIES_TOO_LARGE.format(name, int(count), MAX_SERIES_VALUES)
    return None


def _series_name(func: exp.Func) -> str:
    return "range" if func.args.get("is_end_exclusive") else "generate_series"


def _series_length(func: exp.Func, exclusive: bool) -> float | None:
    """How many values the series yields (an upper estimate), or None when it cannot be known."""
    if isinstance(func, NAMED_FUNCTION_CLASSES):
        args = list(func.expressions)
        if not 1 <= len(args) <= 3:
            return None
        start, end, step = ([exp.Literal.number(0)] + args if len(args) == 1 else args + [None])[:3]
    else:
        start, end, step = func.args.get("start"), func.args.get("end"), func.args.get("step")
        if end is None:
            start, end = exp.Literal.number(0), start
    low, high = _constant_number(start), _constant_number(end)
    if low is not None and high is not None:
        stride = 1.0 if step is None else _constant_number(step)
    else:
        low, high, stride = _constant_epoch(start), _constant_epoch(end), _interval_seconds(step)
    if low is None or high is None or not stride:
        return None
    steps = max(0.0, (high - low) / stride)
    return math.ceil(steps) if exclusive else math.floor(steps) + 1


def _constant_number(node: exp.Expr | None) -> float | None:
    if isinstance(node, exp.Paren):
        return _constant_number(node.this)
    if isinstance(node, exp.Neg):
        value = _constant_number(node.this)
        return None if value is None else -value
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return float(node.this)
        except ValueError:
            return None
    return None


def _constant_epoch(node: exp.Expr | None) -> float | None:
    """Seconds since the epoch of a date/timestamp literal (``DATE '2024-01-01'``, ``'2024-01-01'::date``)."""

    if isinstance(node, exp.Cast) and node.to.is_type(*exp.DataType.TEMPORAL_TYPES):
        node = node.this
    if not (isinstance(node, exp.Literal) and node.is_string):
        return None
    try:
        moment = dt.datetime.fromisoformat(node.this.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=moment.tzinfo or dt.UTC).timestamp()


def _interval_seconds(node: exp.Expr | None) -> float | None:
    """Seconds in a constant interval (``INTERVAL 1 DAY``, ``INTERVAL '2 hours'``, ``'1 day'::interval``)."""
    if isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.INTERVAL):
        node = exp.Interval(this=node.this)
    if not isinstance(node, exp.Interval) or not isinstance(node.this, exp.Literal):
        return None
    text = f"{node.this.this} {node.unit.name if node.unit else ''}".strip().lower()
    match = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*([a-z]+?)s?", text)
    if not match or match.group(2) not in INTERVAL_SECONDS:
        return None
    return float(match.group(1)) * INTERVAL_SECONDS[match.group(2)]


# --- Row cap ---------------------------------------------------------------------------------


def _cap_rows(root: exp.Expr, max_rows: int) -> tuple[exp.Expr, bool]:
    """Make the outermost query return at most ``max_rows``; True when that changed the SQL.

    A literal LIMIT at or below the cap is kept; a larger one is lowered; a missing one is added.
    LIMIT expressions, percentages and WITH TIES cannot be compared, so the query is wrapped as
    ``SELECT * FROM (query) LIMIT max_rows``, which keeps its own limit semantics intact.
    """
    if isinstance(root, exp.Summarize):  # one row per column of what it summarises
        return root, False
    current = root.args.get("limit")
    if current is None:
        root.set("limit", exp.Limit(expression=exp.Literal.number(max_rows)))
        return root, True
    count = _literal_count(current)
    if count is not None and count <= max_rows:
        return root, False
    if count is not None:
        current.set("count" if isinstance(current, exp.Fetch) else "expression", exp.Literal.number(max_rows))
        return root, True
    assert isinstance(root, exp.Query)  # _root_refusal lets only queries and SUMMARIZE (returned above) through
    wrapped = exp.select("*").from_(root.subquery("guarded_query")).limit(max_rows)
    return wrapped, True


def _literal_count(limit: exp.Expr) -> int | None:
    """The row count of a plain ``LIMIT n`` / ``FETCH FIRST n ROWS ONLY``, else None."""
    value = limit.args.get("count") if isinstance(limit, exp.Fetch) else limit.args.get("expression")
    options = limit.args.get("limit_options")
    if options is not None and (options.args.get("percent") or options.args.get("with_ties")):
        return None
    if isinstance(value, exp.Literal) and value.is_int:
        return int(value.this)
    return None


# --- Output ----------------------------------------------------------------------------------


def _generate(root: exp.Expr, dialect: str) -> str:
    """Regenerate SQL from the checked tree; comments dropped, unsupported output refused."""
    with _captured_warnings() as warnings:
        try:
            sql = root.sql(dialect=dialect, comments=False, unsupported_level=ErrorLevel.RAISE)
        except RecursionError:
            raise GuardRefusal(MSG_PARSE.format("SQL이 너무 깊게 중첩되어 있습니다")) from None
        except (SqlglotError, ValueError) as err:
            raise GuardRefusal(MSG_UNSUPPORTED.format(_first_line(str(err))[:120])) from None
    if warnings:
        raise GuardRefusal(MSG_UNSUPPORTED.format(warnings[0][:120]))
    return sql


def _recheck(sql: str, dialect: str, max_rows: int) -> None:
    """Defence against generator surprises: the output must pass the guard unchanged."""
    try:
        root = _inspect(sql, dialect)
    except GuardRefusal:
        raise GuardRefusal(MSG_RECHECK) from None
    _, changed = _cap_rows(root, max_rows)
    if changed:
        raise GuardRefusal(MSG_RECHECK)


def _tables(root: exp.Expr) -> tuple[str, ...]:
    """Real tables read by the query, lowercased and sorted; CTE names are not tables."""
    ctes = {cte.alias_or_name.lower() for cte in root.find_all(exp.CTE)}
    names = set()
    for table in root.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue
        if not table.args.get("db") and table.name.lower() in ctes:
            continue
        names.add(".".join(part.name for part in table.parts).lower())
    return tuple(sorted(names))


def tables_read(sql: str, catalog) -> list[str]:
    """The catalog's tables a SQL statement reads, as the guard sees them ([] when it would be refused)."""
    try:
        found = check(sql, catalog.dialect).tables  # lowercased by the guard
    except GuardRefusal:
        return []
    by_lower = {name.lower(): name for name in catalog.tables}
    return [by_lower[t] for t in found if t in by_lower]
