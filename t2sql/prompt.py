"""The one prompt format, shared by inference and training, and SQL extraction from model output.

Small models are sensitive to format drift, so training and inference must build the prompt
with this same function.
"""

from __future__ import annotations

import re

INSTRUCTION = "당신은 SQL을 생성하는 SQL 봇입니다. DDL의 테이블을 활용한 Question을 해결할 수 있는 SQL 쿼리를 생성하세요."
SQL_MARKER = "### SQL:"
STOP_MARKERS = ("###", "\n\n\n", "<end_of_turn>", "<eos>")
# Any statement keyword at a line start; the guard decides later whether it may run.
STATEMENT_START = re.compile(
    r"^\s*\(?\s*(WITH|SELECT|INSERT|UPDATE|DELETE|DROP|CREATE|ALTER|MERGE|REPLACE|PRAGMA|ATTACH|DETACH|COPY|"
    r"EXPORT|IMPORT|INSTALL|LOAD|CALL|SET|RESET|VACUUM|TRUNCATE|GRANT|VALUES|FROM)\b",
    re.I | re.M,
)
READ_STARTS = frozenset({"WITH", "SELECT", "VALUES", "FROM"})


def build_prompt(ddl: str, question: str, answer: str = "") -> str:
    """Instruction, ``### DDL:``, ``### Question:``, ``### SQL:`` (+ the answer when training)."""
    prompt = f"{INSTRUCTION}\n\n### DDL:\n{ddl.strip()}\n\n### Question:\n{question.strip()}\n\n{SQL_MARKER}\n"
    return prompt + answer


def statement_end(text: str) -> int | None:
    """Index just past the first ``;`` outside quotes and comments, or None if the statement is open."""
    quote = None
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in ("'", '"', "`"):
            quote = ch
        elif text.startswith("--", i):
            nl = text.find("\n", i)
            if nl < 0:
                return None
            i = nl
        elif ch == ";":
            return i + 1
        i += 1
    return None


def starts_non_read(text: str) -> bool:
    """The text opens with a statement keyword the guard will refuse (CREATE, DELETE, PRAGMA …)."""
    match = STATEMENT_START.match(text)
    return match is not None and match.group(1).upper() not in READ_STARTS


def extract_sql(output: str) -> str:
    """Exactly one SQL statement from raw model output (code fences, echoes and chatter removed)."""
    text = output
    if SQL_MARKER in text:  # the model (or server) echoed the prompt
        text = text.rsplit(SQL_MARKER, 1)[1]
    fence = re.search(r"```(?:sql|SQL)?\s*\n?(.*?)(```|$)", text, re.S)
    if fence:
        text = fence.group(1)
    for marker in STOP_MARKERS:
        if marker in text:
            text = text.split(marker, 1)[0]
    start = STATEMENT_START.search(text)
    if start:  # drop chatter before the statement; never skip past a leading non-SELECT keyword
        text = text[start.start():]
    end = statement_end(text)
    if end is not None:
        text = text[:end]
    return text.strip().rstrip(";").strip()
