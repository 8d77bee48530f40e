"""Keeping stored examples apart from benchmark questions, so few-shot examples never leak an answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from t2sql.db.results import results_match
from t2sql.errors import T2SQLError
from t2sql.sqltext import canonical

NEAR_DUPLICATE = 0.85  # question similarity (cosine) above which two questions count as the same


def overlaps(
    pairs: list[dict],
    heldout: list[dict],
    dialect: str,
    embed: Callable[[list[str]], list],
    rows: Callable[[str], list | None] | None = None,
    max_similarity: float = NEAR_DUPLICATE,
) -> dict[int, str]:
    """Index -> reason for each pair that repeats a held-out question: the same SQL after sqlglot
    normalisation, a near-identical question, or (with ``rows``: SQL -> result rows, None when it
    fails) the same result as a held-out answer. Used so few-shot examples never leak a benchmark answer."""
    if not pairs or not heldout:
        return {}
    import numpy as np  # numpy: kept off the start-up path of `sql`

    gold = {c: q["id"] for q in heldout if (c := canonical(q["sql"], dialect))}
    a = np.stack(embed([p["question"] for p in pairs]))
    b = np.stack(embed([q["question"] for q in heldout]))
    sims = a @ b.T
    found = {}
    results = [(q["id"], rows(q["sql"])) for q in heldout] if rows else []
    for i, pair in enumerate(pairs):
        same_sql = canonical(pair["sql"], dialect)
        j = int(sims[i].argmax())
        if same_sql in gold:
            found[i] = f"평가 질문 {gold[same_sql]}과(와) 같은 SQL"
        elif sims[i, j] >= max_similarity:
            found[i] = f"평가 질문 {heldout[j]['id']}과(와) 거의 같은 질문 (유사도 {sims[i, j]:.2f})"
        elif results and rows is not None and (mine := rows(pair["sql"])) is not None:
            same = next((qid for qid, theirs in results if theirs is not None and results_match(mine, theirs)), None)
            if same:
                found[i] = f"평가 질문 {same}과(와) 같은 결과"
    return found


def load_questions(path: Path, limit: int | None = None) -> list[dict]:
    questions = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise T2SQLError(f"질문 파일을 읽을 수 없습니다: {path} ({exc.strerror or exc})") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except ValueError:
            q = None
        if not isinstance(q, dict) or not q.get("question") or not q.get("sql"):
            raise T2SQLError(f"질문 파일 {path}의 {n}번째 줄이 question과 sql을 가진 JSON 객체가 아닙니다.")
        q.setdefault("id", n)
        questions.append(q)
    return questions[:limit] if limit is not None else questions
