import pytest

from t2sql.prompt import INSTRUCTION, Failure, Shot, build_prompt, extract_sql, prompt_from_record
from t2sql.sqltext import statement_end


def test_prompt_has_the_reference_format():
    prompt = build_prompt("CREATE TABLE t (id INTEGER);", "몇 개야?")
    assert prompt == (
        f"{INSTRUCTION}\n\n### DDL:\nCREATE TABLE t (id INTEGER);\n\n### Question:\n몇 개야?\n\n### SQL:\n"
    )
    assert build_prompt("d", "q", "SELECT 1;").endswith("### SQL:\nSELECT 1;")


SECTIONS = [  # (keyword arguments, the text each adds between the DDL and the question)
    (dict(docs=["매출 = 취소 제외 금액 합계"]), "### 참고 정의:\n- 매출 = 취소 제외 금액 합계"),
    (
        dict(
            examples=[Shot("고객 수", "SELECT count(*) FROM c"), Shot("도시 수", "SELECT count(DISTINCT city) FROM c;")]
        ),
        "### 예시:\n질문: 고객 수\nSQL: SELECT count(*) FROM c;\n\n"
        "질문: 도시 수\nSQL: SELECT count(DISTINCT city) FROM c;",
    ),
    (
        dict(previous=Shot("2024년 주문 수", "SELECT count(*) FROM o")),
        "### 이전 질문:\n2024년 주문 수\n### 이전 SQL:\nSELECT count(*) FROM o;",
    ),
    (
        dict(failed=Failure("SELECT nam FROM c", "no such column: nam")),
        "### 실패한 SQL:\nSELECT nam FROM c;\n### 오류:\nno such column: nam",
    ),
]


@pytest.mark.parametrize("kwargs, section", SECTIONS, ids=["docs", "examples", "previous", "failed"])
def test_optional_sections_sit_between_ddl_and_question(kwargs, section):
    prompt = build_prompt("DDL", "질문", **kwargs)
    assert prompt == f"{INSTRUCTION}\n\n### DDL:\nDDL\n\n{section}\n\n### Question:\n질문\n\n### SQL:\n"
    assert extract_sql(prompt + "SELECT 1;") == "SELECT 1"  # sections never confuse SQL extraction


def test_sections_keep_their_order_and_training_records_carry_them():
    record = {
        "context": "DDL",
        "question": "q",
        "docs": ["d = 1"],
        "examples": [{"question": "e", "sql": "SELECT 1"}],
        "previous": {"question": "p", "sql": "SELECT 2"},
        "failed": {"sql": "SELECT x", "error": "err"},
    }
    prompt = prompt_from_record(record, "SELECT 3;")
    marks = [
        "### DDL:",
        "### 참고 정의:",
        "### 예시:",
        "### 이전 질문:",
        "### 실패한 SQL:",
        "### Question:",
        "### SQL:\nSELECT 3;",
    ]
    assert [prompt.index(m) for m in marks] == sorted(prompt.index(m) for m in marks)
    assert prompt_from_record({"context": "DDL", "question": "q"}) == build_prompt("DDL", "q")


@pytest.mark.parametrize(
    "output, expected",
    [
        ("SELECT 1; SELECT 2;", "SELECT 1"),
        (
            " SELECT count(*) FROM customers WHERE city = '서울'\n\n### Question: 다음",
            "SELECT count(*) FROM customers WHERE city = '서울'",
        ),
        (
            "다음 SQL을 실행하세요:\n```sql\nSELECT a FROM t WHERE x = 'a;b';\n```\n설명",
            "SELECT a FROM t WHERE x = 'a;b'",
        ),
        ("```\nWITH x AS (SELECT 1) SELECT * FROM x\n```", "WITH x AS (SELECT 1) SELECT * FROM x"),
        ("prompt echo ### SQL:\nSELECT 2;", "SELECT 2"),
        ("SELECT 1 -- 주석; 아님\nFROM t;", "SELECT 1 -- 주석; 아님\nFROM t"),
        ("SELECT name FROM t<end_of_turn>", "SELECT name FROM t"),
        # a harmful statement is kept whole so that the guard sees and refuses it
        ("DELETE FROM t WHERE id IN (SELECT id FROM t);", "DELETE FROM t WHERE id IN (SELECT id FROM t)"),
        ("", ""),
    ],
    ids=[
        "first-statement",
        "stop-marker",
        "fenced-with-chatter",
        "fence-cte",
        "echo",
        "comment-semicolon",
        "special-token",
        "delete-kept",
        "empty",
    ],
)
def test_extract_sql(output, expected):
    assert extract_sql(output) == expected


@pytest.mark.parametrize(
    "text, end",
    [("SELECT 1;", 9), ("SELECT ';'", None), ('SELECT "a;b";', 13), ("SELECT 1 -- ;\n;", 15), ("SELECT 1", None)],
)
def test_statement_end(text, end):
    assert statement_end(text) == end
