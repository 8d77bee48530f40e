"""The benchmark's verified Chinook examples are well-formed: they are imported as few-shot
examples, so a malformed pair or a value the question never says would skew the benchmark."""

import json
from pathlib import Path

import pytest
import sqlglot

from t2sql.guard.grounding import ungrounded_values
from t2sql.retrieval.example_store import normalize_question, normalize_sql

FILES = sorted((Path(__file__).parent.parent / "benchmarks").glob("chinook_examples*_ko.jsonl"))
PAIRS = [json.loads(line) for path in FILES for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
# The first file predates value grounding; these two say a value the way a user would
# (브라질 for 'Brazil', "gmail 주소" for '%@gmail.com'). The later files were written to the rule.
SAID_DIFFERENTLY = {"chinook-ex-002": ["Brazil"], "chinook-ex-018": ["%@gmail.com"]}


def test_the_three_example_files_are_there():
    assert [p.name for p in FILES] == [
        "chinook_examples_extra_ko.jsonl",
        "chinook_examples_ko.jsonl",
        "chinook_examples_more_ko.jsonl",
    ]
    assert len(PAIRS) == 350


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p["id"])
def test_pair_parses_and_says_its_values(pair):
    assert pair["db_id"] == "chinook" and pair["difficulty"] in {"easy", "medium", "hard"}
    assert isinstance(pair["order_matters"], bool) and pair["question"].strip()
    sqlglot.parse_one(pair["sql"], read="sqlite")
    assert ungrounded_values(pair["sql"], pair["question"], "sqlite") == SAID_DIFFERENTLY.get(pair["id"], [])


@pytest.mark.parametrize("key, norm", [("id", str), ("question", normalize_question), ("sql", normalize_sql)])
def test_ids_questions_and_sql_are_unique(key, norm):
    values = [norm(p[key]) for p in PAIRS]
    assert len(set(values)) == len(values), key
