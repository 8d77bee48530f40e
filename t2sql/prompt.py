"""The one prompt format, shared by inference and training, and SQL extraction from model output.

Small models are sensitive to format drift, so training and inference must build the prompt
with this same function.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from t2sql.sqltext import STATEMENT_START, statement_end

INSTRUCTION = (
    "당신은 SQL을 생성하는 SQL 봇입니다. DDL의 테이블을 활용한 Question을 해결할 수 있는 SQL 쿼리를 생성하세요."
)
SQL_MARKER = "### SQL:"
VALUES_MARKER = "### 질문 속 값:"
STOP_MARKERS = ("###", "\n\n\n", "<end_of_turn>", "<eos>")


@dataclass(frozen=True)
class Shot:
    """A question and its SQL: a verified example, or the previous turn of a conversation."""

    question: str
    sql: str


@dataclass(frozen=True)
class Failure:
    """SQL that did not run, with the message that says why (fed back for a repair)."""

    sql: str
    error: str


def build_prompt(
    ddl: str,
    question: str,
    answer: str = "",
    *,
    docs: Sequence[str] = (),
    examples: Sequence[Shot] = (),
    previous: Shot | None = None,
    failed: Failure | None = None,
    values: Sequence[str] = (),
) -> str:
    """Instruction, ``### DDL:``, optional sections, ``### Question:``, ``### SQL:`` (+ the answer when training).

    Optional sections, in this order and only when present: values the question names (linked to
    their columns), business definitions, verified examples, the previous turn of a conversation,
    and the last SQL that failed with its error.
    """
    parts = [INSTRUCTION, f"### DDL:\n{ddl.strip()}"]
    if values:
        parts.append(VALUES_MARKER + "\n" + "\n".join(f"- {v}" for v in values))
    if docs:
        parts.append("### 참고 정의:\n" + "\n".join(f"- {d.strip()}" for d in docs))
    if examples:
        parts.append(
            "### 예시:\n" + "\n\n".join(f"질문: {e.question.strip()}\nSQL: {_statement(e.sql)}" for e in examples)
        )
    if previous:
        parts.append(f"### 이전 질문:\n{previous.question.strip()}\n### 이전 SQL:\n{_statement(previous.sql)}")
    if failed:
        parts.append(f"### 실패한 SQL:\n{_statement(failed.sql)}\n### 오류:\n{failed.error.strip()}")
    parts.append(f"### Question:\n{question.strip()}")
    return "\n\n".join(parts) + f"\n\n{SQL_MARKER}\n" + answer


def prompt_from_record(record: dict, answer: str = "") -> str:
    """The prompt for a training record; the optional sections come from its optional fields."""
    previous, failed = record.get("previous"), record.get("failed")
    return build_prompt(
        record["context"],
        record["question"],
        answer,
        docs=record.get("docs") or (),
        examples=[Shot(e["question"], e["sql"]) for e in record.get("examples") or ()],
        previous=Shot(previous["question"], previous["sql"]) if previous else None,
        failed=Failure(failed["sql"], failed["error"]) if failed else None,
        values=record.get("values") or (),
    )


def _statement(sql: str) -> str:
    return sql.strip().rstrip(";").strip() + ";"


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
        text = text[start.start() :]
    end = statement_end(text)
    if end is not None:
        text = text[:end]
    return text.strip().rstrip(";").strip()
