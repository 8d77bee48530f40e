import pytest

from t2sql.prompt import INSTRUCTION, build_prompt, extract_sql, statement_end


def test_prompt_has_the_reference_format():
    prompt = build_prompt("CREATE TABLE t (id INTEGER);", "몇 개야?")
    assert prompt == (
        f"{INSTRUCTION}\n\n### DDL:\nCREATE TABLE t (id INTEGER);\n\n### Question:\n몇 개야?\n\n### SQL:\n"
    )
    assert build_prompt("d", "q", "SELECT 1;").endswith("### SQL:\nSELECT 1;")


@pytest.mark.parametrize(
    "output, expected",
    [
        ("SELECT 1; SELECT 2;", "SELECT 1"),
        (" SELECT count(*) FROM customers WHERE city = '서울'\n\n### Question: 다음", "SELECT count(*) FROM customers WHERE city = '서울'"),
        ("다음 SQL을 실행하세요:\n```sql\nSELECT a FROM t WHERE x = 'a;b';\n```\n설명", "SELECT a FROM t WHERE x = 'a;b'"),
        ("```\nWITH x AS (SELECT 1) SELECT * FROM x\n```", "WITH x AS (SELECT 1) SELECT * FROM x"),
        ("prompt echo ### SQL:\nSELECT 2;", "SELECT 2"),
        ("SELECT 1 -- 주석; 아님\nFROM t;", "SELECT 1 -- 주석; 아님\nFROM t"),
        ("SELECT name FROM t<end_of_turn>", "SELECT name FROM t"),
        # a harmful statement is kept whole so that the guard sees and refuses it
        ("DELETE FROM t WHERE id IN (SELECT id FROM t);", "DELETE FROM t WHERE id IN (SELECT id FROM t)"),
        ("", ""),
    ],
    ids=["first-statement", "stop-marker", "fenced-with-chatter", "fence-cte", "echo", "comment-semicolon",
         "special-token", "delete-kept", "empty"],
)
def test_extract_sql(output, expected):
    assert extract_sql(output) == expected


@pytest.mark.parametrize(
    "text, end",
    [("SELECT 1;", 9), ("SELECT ';'", None), ('SELECT "a;b";', 13), ("SELECT 1 -- ;\n;", 15), ("SELECT 1", None)],
)
def test_statement_end(text, end):
    assert statement_end(text) == end
