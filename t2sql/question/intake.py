"""Question intake: turn away input no model call can help with, before spending seconds on it.

Runs before retrieval and generation. It is a convenience, not a security boundary: a request
that slips past these checks still meets the guard, which refuses anything but one read query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from t2sql.errors import GuardRefusal, T2SQLError
from t2sql.sqltext import READ_STARTS, STATEMENT_START, statement_end

MAX_QUESTION_CHARS = 1000

MSG_EMPTY = "질문을 입력하세요."
MSG_TOO_LONG = "질문이 너무 깁니다 ({n:,}자). {limit:,}자 이내로 줄여 주세요."
MSG_NO_WORDS = "질문에 글자나 숫자가 없습니다. 알고 싶은 내용을 문장으로 적어 주세요."
MSG_WRITE_REQUEST = (
    "이 앱은 데이터를 조회(읽기)만 할 수 있습니다. 삭제·수정·추가·생성 요청은 처리하지 않습니다. "
    "알고 싶은 내용을 질문으로 적어 주세요 (예: 지난달 주문 수는?)."
)
MSG_WRITE_SQL = "질문에 데이터를 바꾸는 SQL({keyword})이 들어 있습니다. 이 앱은 조회(SELECT)만 실행합니다."
NOTE_SQL_AS_QUESTION = "질문이 SQL 문이라 모델 없이 그대로 SQL 편집기에 넣었습니다. 확인하고 실행하세요."
NOTE_NOT_KOREAN = "한국어 질문에 맞춰 학습된 모델입니다. 다른 언어로 물으면 정확도가 떨어질 수 있습니다."

# Imperative write verbs ("삭제해", "지워 줘", "바꿔주세요") near an object that is the data itself.
_WRITE_VERB = re.compile(
    r"(삭제|제거|수정|변경|업데이트|추가|삽입|입력|생성|초기화|드롭|저장)\s*(해|하라|하시오|하세요|해라|해줘|해\s*줘|해\s*주세요|해주세요|할\s*것|하자)"
    r"|(지워|지우|없애|바꿔|넣어|비워|날려|만들어)\s*(줘|주세요|라|버려|\.|!|$)",
)
_WRITE_OBJECT = re.compile(
    r"테이블|데이터|레코드|행|컬럼|열|DB|데이터베이스|스키마|모든|모두|전부|전체|권한|인덱스|뷰", re.I
)
_SQL_OBJECT = re.compile(
    r"\b(TABLE|FROM|INTO|SET|DATABASE|VIEW|INDEX|SCHEMA|EXTENSION|VACUUM|PRAGMA|ATTACH|DETACH|TRUNCATE)\b|[;(=]", re.I
)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass(frozen=True)
class Intake:
    """An accepted question: ``sql`` is set when the user typed a read query instead of a question."""

    text: str
    sql: str = ""
    notices: tuple[str, ...] = ()


def check_question(question: str | None) -> Intake:
    """Accept a question or raise ``T2SQLError`` (``GuardRefusal`` for write requests) in Korean."""
    text = (question or "").strip()
    if not text:
        raise T2SQLError(MSG_EMPTY)
    if len(text) > MAX_QUESTION_CHARS:
        raise T2SQLError(MSG_TOO_LONG.format(n=len(text), limit=MAX_QUESTION_CHARS))
    if not any(ch.isalnum() for ch in text):
        raise T2SQLError(MSG_NO_WORDS)
    statement = STATEMENT_START.match(text)
    if statement:
        keyword = statement.group(1).upper()
        if keyword not in READ_STARTS and _SQL_OBJECT.search(text):
            raise GuardRefusal(MSG_WRITE_SQL.format(keyword=keyword))
        if keyword in READ_STARTS and _looks_like_sql(text):
            return Intake(text, sql=text, notices=(NOTE_SQL_AS_QUESTION,))
    if _WRITE_VERB.search(text) and _WRITE_OBJECT.search(text):
        raise GuardRefusal(MSG_WRITE_REQUEST)
    notices = () if _HANGUL.search(text) else (NOTE_NOT_KOREAN,)
    return Intake(text, notices=notices)


def _looks_like_sql(text: str) -> bool:
    """A read keyword followed by SQL structure, not a Korean sentence that starts with 'select'."""
    body = text[: statement_end(text) or len(text)]
    return bool(re.search(r"\bFROM\b|\bSELECT\s+\d|\bSELECT\s+'|\bVALUES\s*\(", body, re.I)) and not _HANGUL.search(
        re.sub(r"'[^']*'|\"[^\"]*\"|--[^\n]*", "", body)
    )
