"""The kind of SQL a question asks for, and examples of that kind chosen for the prompt."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from t2sql.lab.corpus import shape_pairs
from t2sql.retrieval.shape import ShapeModel, agreement, corpus_hash, rerank, shape_model, sql_shape


@pytest.mark.parametrize(
    "sql, kinds",
    [
        ("SELECT name FROM customer WHERE city = 'Seoul'", set()),
        ("SELECT COUNT(*) FROM customer", {"count"}),
        ("SELECT region, COUNT(*) FROM customer GROUP BY region", {"count", "group"}),
        ("SELECT region, SUM(amount) FROM sale GROUP BY region HAVING SUM(amount) > 10", {"sum", "group", "having"}),
        ("SELECT name FROM product ORDER BY price DESC LIMIT 5", {"top"}),
        ("SELECT AVG(o.total) FROM orders o JOIN customer c ON c.id = o.customer_id", {"avg", "join"}),
        ("SELECT name FROM customer WHERE id NOT IN (SELECT customer_id FROM orders)", {"negation", "subquery"}),
        ("SELECT strftime('%Y-%m', ordered_at) AS m, COUNT(*) FROM orders GROUP BY m", {"dateparts", "count", "group"}),
        ("SELECT 100.0 * SUM(paid) / COUNT(*) FROM invoice", {"sum", "count", "ratio"}),
        ("SELECT name, RANK() OVER (ORDER BY score DESC) FROM player", {"window"}),
        ("SELECT MAX(price), MIN(price) FROM product", {"minmax"}),
        ("SELEC nonsense", set()),
    ],
)
def test_sql_shape(sql, kinds):
    assert sql_shape(sql) == kinds


@pytest.mark.parametrize(
    "question, expected",
    [
        ("지역별 고객 수 알려줘", {"count", "group"}),
        ("매출 상위 5개 상품", {"top"}),
        ("평균 주문 금액은?", {"avg"}),
        ("주문이 한 번도 없는 고객", {"negation"}),
        ("월별 가입자 수 추이", {"dateparts", "group", "count"}),
    ],
)
def test_the_shipped_model_reads_the_kind_off_a_question(question, expected):
    model = shape_model()
    assert model is not None
    assert expected <= model.predict(question)


def test_the_shipped_model_is_trained_on_the_current_corpus():
    """Retrain with ``python -m t2sql shape-model`` when the natural corpus changes."""
    model = shape_model()
    assert model is not None and model.corpus == corpus_hash(shape_pairs())


def test_training_learns_the_words_that_ask_for_a_kind():
    pairs = [
        (f"{thing}별 {n}개 수", f"SELECT {thing}, COUNT(*) FROM t GROUP BY {thing}")
        for thing in "가나다라마"
        for n in range(8)
    ]
    pairs += [(f"{thing} 목록 {n}", f"SELECT {thing} FROM t WHERE n = {n}") for thing in "가나다라마" for n in range(8)]
    model = ShapeModel.train(pairs, min_count=2)
    assert model.predict("바별 수") == {"count", "group"}
    assert model.predict("바 목록") == set()
    assert model.corpus == corpus_hash(pairs)


@dataclass
class Example:
    question: str
    sql: str


def test_examples_of_the_asked_kind_come_first():
    found = [
        (Example("지역이 서울인 고객 수", "SELECT COUNT(*) FROM customer WHERE region = '서울'"), 0.80),
        (Example("고객 지역 목록", "SELECT DISTINCT region FROM customer"), 0.78),
        (Example("등급별 고객 수", "SELECT grade, COUNT(*) FROM customer GROUP BY grade"), 0.70),
    ]
    question = "지역별 고객 수"
    assert rerank(question, found, 2, 0.0) == found[:2]  # similarity alone
    chosen = [e.question for e, _ in rerank(question, found, 2, 0.3)]
    assert chosen[0] == "등급별 고객 수"
    assert agreement(frozenset(), frozenset()) == 1.0
