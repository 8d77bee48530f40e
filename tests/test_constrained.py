"""Schema-constrained decoding through the pipeline: the in-process model decodes under the grammar,
an OpenAI-compatible server gets the grammar (and is asked again without it if it refuses it)."""

from __future__ import annotations

import sqlglot
from conftest import PromptModel

from t2sql.generation.base import Generator
from t2sql.pipeline import Pipeline
from t2sql.prompt import extract_sql
from t2sql.settings import ROOT, Settings


def test_in_process_model_decodes_only_schema_sql(sqlite_file, tiny_model_dir, tmp_path):
    settings = Settings(
        data_dir=tmp_path / "data",
        sample_dir=ROOT / "sample_dbs",
        model=str(tiny_model_dir),
        adapter="none",
        max_new_tokens=40,
        self_correction="off",
    )
    pipeline = Pipeline(settings)
    draft = pipeline.generate(str(sqlite_file), "부서별 직원 수")
    assert draft.constrained
    catalog = pipeline.catalog(str(sqlite_file))
    real = {t.lower() for t in catalog.tables}
    sql = extract_sql(draft.raw)
    assert sql.upper().startswith(("SELECT", "WITH"))  # a random tiny model, yet the grammar forces a query
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.SqlglotError:
        return  # cut off by max_new_tokens: nothing to check but the start
    assert {t.name.lower() for t in tree.find_all(sqlglot.exp.Table)} <= real
    off = Pipeline(Settings(**{**settings.__dict__, "grammar": "off"}))
    assert not off.generate(str(sqlite_file), "부서별 직원 수").constrained


def test_openai_backend_sends_the_grammar_and_retries_without(sqlite_file, tmp_path, prompt_model):
    PromptModel.reply = staticmethod(lambda prompt, i: "SELECT COUNT(*) FROM employees;")
    settings = Settings(
        data_dir=tmp_path / "data",
        sample_dir=ROOT / "sample_dbs",
        backend="openai",
        openai_base_url=prompt_model,
        openai_model="scripted",
    )
    pipeline = Pipeline(settings)
    answer = pipeline.ask(str(sqlite_file), "직원 수")
    assert answer.rows == [(4,)]
    grammar = PromptModel.bodies[-1]["guided_grammar"]
    assert "employees" in grammar and "departments" in grammar

    PromptModel.refuse_grammar = True  # a server without guided decoding: the question still gets answered
    other = Pipeline(Settings(**{**settings.__dict__, "openai_model": "plain"}))
    answer = other.ask(str(sqlite_file), "직원 수")
    assert answer.rows == [(4,)] and "guided_grammar" not in PromptModel.bodies[-1]


class GrammarBound(Generator):
    """An in-process model that under the grammar writes SQL that fails, and without it SQL that runs."""

    name = "grammar-bound"

    def __init__(self):
        self.calls: list[bool] = []

    def stream(self, prompt, constraint=None):
        self.calls.append(constraint is not None)
        yield "SELECT nope FROM employees;" if constraint is not None else "SELECT COUNT(*) FROM employees;"

    def sample(self, prompt, n, constraint=None):
        self.calls.append(constraint is not None)
        return ["SELECT nope FROM employees;"] * n


def test_unconstrained_fallback_when_the_grammar_cannot_express_the_answer(sqlite_file, tmp_path, monkeypatch):
    pipeline = Pipeline(Settings(data_dir=tmp_path / "data", sample_dir=ROOT / "sample_dbs"))
    model = GrammarBound()
    monkeypatch.setattr(pipeline, "generator", lambda progress=None, db=None: model)
    answer = pipeline.ask(str(sqlite_file), "직원 수")
    assert answer.error is None and answer.rows == [(4,)]
    assert model.calls == [True, True, False]  # constrained, constrained alternatives, then once without
    assert answer.repairs == 1  # the failed SQL is listed as the earlier attempt (its repeats are not retried)
