"""Learning from users through the real pipeline: examples and definitions in the prompt, follow-up
turns, self-correction (repair and execution-guided candidates) and the examples CLI.

A scripted OpenAI-compatible server plays the model and sees the whole prompt, so a test can make
it fail first and succeed once the error is fed back; the guard, the read-only DuckDB sample, the
SQLite example store and the Chroma index are all real.
"""

import json
import threading
import time

import pytest
from conftest import PromptModel

from t2sql.cli import main
from t2sql.errors import GuardRefusal, T2SQLError
from t2sql.pipeline import BUSY_NOTICE, HOLLOW, Pipeline
from t2sql.prompt import Shot

GOOD = "SELECT count(*) AS n FROM customers WHERE city = '서울';"
BROKEN = "SELECT count(*) AS n FROM customers WHERE town = '서울';"  # the column is `city`


@pytest.fixture
def pipeline(settings, prompt_model, sample_dir):
    PromptModel.reply = staticmethod(lambda prompt, i: GOOD)
    return Pipeline(
        settings.replace(
            backend="openai", openai_base_url=prompt_model, openai_model="scripted", self_correction="repair"
        )
    )


def repairs_when_told(prompt: str, i: int) -> str:
    return GOOD if "### 실패한 SQL:" in prompt else BROKEN


# --- self-correction --------------------------------------------------------------------------


def test_repair_feeds_the_real_database_error_back(pipeline):
    PromptModel.reply = staticmethod(repairs_when_told)
    draft = pipeline.solve("shop", "서울에 사는 고객은 몇 명이야?")
    assert draft.error is None and draft.sql == GOOD.rstrip(";")
    assert [f.sql for f in draft.failures] == [BROKEN.rstrip(";")]
    error = draft.failures[0].error
    assert error.startswith("데이터베이스가 쿼리를 실행하지 못했습니다") and "town" in error
    # the second prompt carried the failed SQL and DuckDB's own message
    assert len(PromptModel.prompts) == 2 and error in PromptModel.prompts[1] and BROKEN in PromptModel.prompts[1]
    approved, result = draft.checked
    assert result.rows[0][0] > 0
    answer = pipeline.ask("shop", "서울에 사는 고객은 몇 명이야?")
    assert answer.error is None and answer.repairs == 1 and answer.rows == result.rows
    assert "자동 수정: 처음 만든 SQL에 문제가 있어 1번 다시 만들었고, 아래 SQL로 고쳤습니다." in answer.notices


def test_ask_shows_the_notices_the_app_shows(settings, prompt_model, sample_dir, monkeypatch, capsys):
    """How "지난달" was read and which verified examples were used: in `ask` as in the app."""
    monkeypatch.setenv("T2SQL_BACKEND", "openai")
    monkeypatch.setenv("T2SQL_OPENAI_BASE_URL", prompt_model)
    monkeypatch.setenv("T2SQL_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("T2SQL_SAMPLE_DIR", str(sample_dir))
    monkeypatch.setenv("T2SQL_OPENAI_MODEL", "scripted")
    monkeypatch.setenv("T2SQL_SELF_CORRECTION", "off")
    PromptModel.reply = staticmethod(lambda prompt, i: GOOD)
    assert main(["ask", "--db", "shop", "지난달 가입한 서울 고객은 몇 명이야?"]) == 0
    err = capsys.readouterr().err
    assert "알림: 기간을 이렇게 해석했습니다:" in err


def test_a_refused_sql_is_repaired_too(pipeline):
    PromptModel.reply = staticmethod(lambda p, i: GOOD if "### 실패한 SQL:" in p else "DELETE FROM customers;")
    draft = pipeline.solve("shop", "서울 고객 수")
    assert draft.error is None and "DELETE" in draft.failures[0].sql and "DELETE" in draft.failures[0].error


def test_repair_rounds_are_bounded_and_the_last_error_is_reported(pipeline):
    PromptModel.reply = staticmethod(lambda p, i: BROKEN)
    answer = pipeline.ask("shop", "서울 고객 수")
    assert answer.repairs == pipeline.settings.max_repairs == 2
    assert len(PromptModel.prompts) == 3 and "town" in answer.error and answer.rows == []


def test_candidates_keep_the_first_alternative_that_runs(pipeline):
    alternatives = [BROKEN, "SELECT count(*) AS n FROM customers;", GOOD, "SELECT 2;"]
    PromptModel.reply = staticmethod(lambda p, i: BROKEN if len(PromptModel.prompts) == 1 else alternatives[i])
    draft = pipeline.solve("shop", "서울 고객 수", strategy="candidates")
    assert draft.error is None and draft.sql == "SELECT count(*) AS n FROM customers"
    assert [f.sql for f in draft.failures] == [BROKEN.rstrip(";")]  # duplicates of a failed SQL are not retried
    assert len(PromptModel.prompts) == 2 and "### 실패한 SQL:" not in PromptModel.prompts[1]  # same prompt, sampled


def test_candidates_that_all_fail_keep_the_first_sql_and_list_the_alternatives(pipeline):
    PromptModel.reply = staticmethod(
        lambda p, i: BROKEN if len(PromptModel.prompts) == 1 else f"SELECT nope{i} FROM customers;"
    )
    draft = pipeline.solve("shop", "서울 고객 수", strategy="candidates")
    assert draft.sql == BROKEN.rstrip(";") and "town" in str(draft.error) and draft.checked is None
    assert [f.sql for f in draft.failures] == [f"SELECT nope{i} FROM customers" for i in range(4)]


def test_candidates_need_a_server_that_samples_or_the_first_answer_stays(pipeline):
    original = PromptModel.do_POST

    def stream_only(self):  # a server that answers every request as a stream (no `n` choices)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        PromptModel.prompts.append(body["messages"][0]["content"])
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"data: [DONE]\n\n")

    PromptModel.do_POST = stream_only
    try:
        draft = pipeline.solve("shop", "서울 고객 수", strategy="candidates")
    finally:
        PromptModel.do_POST = original
    assert draft.sql == "" or draft.error is not None
    assert any("대안 SQL을 만들지 못했습니다" in n for n in draft.notices)


@pytest.mark.parametrize("strategy", ["candidates", "repair"])
def test_self_correction_is_skipped_while_another_question_waits_for_the_model(pipeline, strategy):
    """Under load the extra generations would lengthen everyone's wait: the first answer stays, with a notice."""
    release, waiter = threading.Event(), None

    def busy_then_broken(prompt: str, i: int) -> str:
        nonlocal waiter
        if waiter is None:  # another session arrives while this question holds the model
            waiter = threading.Thread(target=hold_the_model, args=(pipeline.turnstile, release))
            waiter.start()
            while sum(pipeline.turnstile.load()) < 2:
                time.sleep(0.01)
        return BROKEN

    PromptModel.reply = staticmethod(busy_then_broken)
    try:
        draft = pipeline.solve("shop", "서울 고객 수", strategy=strategy)
    finally:
        release.set()
        if waiter is not None:
            waiter.join()
    assert len(PromptModel.prompts) == 1 and draft.sql == BROKEN.rstrip(";") and "town" in str(draft.error)
    assert [n for n in draft.notices if n.startswith(BUSY_NOTICE)] == [
        f"{BUSY_NOTICE} (대기 중인 질문 1개) SQL을 확인하거나 잠시 후 다시 물어보세요."
    ]
    # alone again, the same question is corrected as usual
    PromptModel.reply = staticmethod(repairs_when_told if strategy == "repair" else lambda p, i: GOOD if i else BROKEN)
    PromptModel.prompts.clear()
    assert pipeline.solve("shop", "서울 고객 수", strategy=strategy).sql == GOOD.rstrip(";")


def hold_the_model(turnstile, release: threading.Event) -> None:
    with turnstile.enter():
        release.wait(30)


# Runs, but filters on a city nobody asked about: the kind of answer no error check catches.
MADE_UP = "SELECT count(*) AS n FROM customers WHERE city = '부산';"
ALL = "SELECT count(*) AS n FROM customers;"


def test_candidates_replace_sql_that_filters_on_a_value_nobody_said(pipeline):
    PromptModel.reply = staticmethod(
        lambda p, i: MADE_UP if len(PromptModel.prompts) == 1 else [MADE_UP, BROKEN, ALL, GOOD][i]
    )
    draft = pipeline.solve("shop", "고객은 모두 몇 명이야?", strategy="candidates")
    assert draft.sql == ALL.rstrip(";") and draft.error is None and draft.unsaid == []
    assert [(f.sql, f.error) for f in draft.failures][0] == (
        MADE_UP.rstrip(";"),
        "질문에 없는 값 '부산'(으)로 데이터를 거르고 있습니다.",
    )
    assert "town" in draft.failures[1].error  # the broken alternative was tried on the way
    assert draft.checked[1].rows[0][0] > pipeline.run("shop", MADE_UP)[1].rows[0][0]
    assert not any("질문에 없는 값" in n for n in draft.notices)


def test_sql_that_runs_is_kept_when_no_alternative_says_only_what_was_asked(pipeline):
    PromptModel.reply = staticmethod(
        lambda p, i: MADE_UP if len(PromptModel.prompts) == 1 else [BROKEN, MADE_UP][i % 2]
    )
    draft = pipeline.solve("shop", "고객은 모두 몇 명이야?", strategy="candidates")
    assert draft.sql == MADE_UP.rstrip(";") and draft.checked is not None and draft.failures == []
    assert draft.unsaid == ["부산"]
    assert any(n.startswith("질문에 없는 값 '부산'") and "확인하세요" in n for n in draft.notices)
    PromptModel.reply = staticmethod(lambda p, i: MADE_UP)
    answer = pipeline.ask("shop", "고객은 모두 몇 명이야?")  # the CLI and the app see the same notice
    assert answer.error is None and any("'부산'" in n for n in answer.notices)


# Run, but answer nothing: no rows, or one row of NULL (an aggregate over no rows).
NO_ROWS = "SELECT name FROM customers WHERE birth_year > 2100;"
ONLY_NULL = "SELECT max(birth_year) AS latest FROM customers WHERE birth_year > 2100;"


def test_candidates_replace_sql_whose_result_is_empty(pipeline):
    PromptModel.reply = staticmethod(
        lambda p, i: NO_ROWS if len(PromptModel.prompts) == 1 else [ONLY_NULL, BROKEN, GOOD, ALL][i]
    )
    draft = pipeline.solve("shop", "서울 고객 수", strategy="candidates")
    assert draft.sql == GOOD.rstrip(";") and draft.problem is None and draft.checked[1].rows[0][0] > 0
    assert [(f.sql, f.error) for f in draft.failures] == [
        (NO_ROWS.rstrip(";"), HOLLOW),
        (ONLY_NULL.rstrip(";"), HOLLOW),
        (BROKEN.rstrip(";"), draft.failures[2].error),
    ]
    assert not any("결과가 비어" in n for n in draft.notices)


def test_an_empty_result_is_kept_with_a_notice_when_no_alternative_returns_rows(pipeline):
    pipeline.settings = pipeline.settings.replace(self_correction="candidates")
    PromptModel.reply = staticmethod(
        lambda p, i: NO_ROWS if len(PromptModel.prompts) == 1 else [ONLY_NULL, BROKEN][i % 2]
    )
    answer = pipeline.ask("shop", "2100년 이후에 태어난 고객")
    assert answer.error is None and answer.sql.startswith(NO_ROWS.rstrip(";")) and answer.rows == []
    assert any(n.startswith(HOLLOW) and "SQL을 확인하세요" in n for n in answer.notices)


def test_an_empty_result_is_an_answer_when_retry_doubtful_is_off(pipeline):
    pipeline.settings = pipeline.settings.replace(retry_doubtful=False)
    PromptModel.reply = staticmethod(lambda p, i: NO_ROWS)
    draft = pipeline.solve("shop", "2100년 이후에 태어난 고객", strategy="candidates")
    assert draft.problem is None and draft.failures == [] and len(PromptModel.prompts) == 1
    assert draft.checked[1].rows == [] and not any("결과가 비어" in n for n in draft.notices)


def test_a_failing_sql_gives_way_to_one_that_runs_even_with_an_unsaid_value(pipeline):
    PromptModel.reply = staticmethod(lambda p, i: BROKEN if len(PromptModel.prompts) == 1 else MADE_UP)
    draft = pipeline.solve("shop", "고객은 모두 몇 명이야?", strategy="candidates")
    assert draft.sql == MADE_UP.rstrip(";") and draft.error is None and draft.unsaid == ["부산"]
    assert [f.sql for f in draft.failures] == [BROKEN.rstrip(";")]


def test_values_from_the_question_the_previous_turn_and_the_definitions_count_as_said(pipeline):
    PromptModel.reply = staticmethod(lambda p, i: GOOD)
    assert pipeline.solve("shop", "서울에 사는 고객은 몇 명이야?", strategy="candidates").unsaid == []
    follow_up = pipeline.solve(
        "shop", "그 중 VIP만", strategy="candidates", previous=Shot("서울 고객 목록", "SELECT * FROM customers")
    )
    assert follow_up.unsaid == [] and follow_up.failures == [] and len(PromptModel.prompts) == 2  # nothing resampled


def test_repair_feeds_an_unsaid_value_back_and_never_trades_sql_that_runs_for_sql_that_fails(pipeline):
    PromptModel.reply = staticmethod(lambda p, i: ALL if "질문에 없는 값 '부산'" in p else MADE_UP)
    draft = pipeline.solve("shop", "고객은 모두 몇 명이야?", strategy="repair")
    assert draft.sql == ALL.rstrip(";") and draft.failures[0].sql == MADE_UP.rstrip(";")
    PromptModel.reply = staticmethod(lambda p, i: BROKEN if "### 실패한 SQL:" in p else MADE_UP)
    kept = pipeline.solve("shop", "고객은 모두 몇 명이야?", strategy="repair")
    assert kept.sql == MADE_UP.rstrip(";") and kept.checked is not None and kept.unsaid == ["부산"]


def test_off_shows_the_first_failure(pipeline):
    PromptModel.reply = staticmethod(repairs_when_told)
    draft = pipeline.solve("shop", "서울 고객 수", strategy="off")
    assert draft.failures == [] and "town" in str(draft.error) and len(PromptModel.prompts) == 1
    PromptModel.reply = staticmethod(lambda p, i: MADE_UP)
    made_up = pipeline.solve("shop", "고객은 모두 몇 명이야?", strategy="off")
    assert made_up.failures == [] and made_up.unsaid == ["부산"] and any("'부산'" in n for n in made_up.notices)


def test_unknown_strategy_is_a_korean_error(pipeline):
    with pytest.raises(T2SQLError, match="자동 수정 방식"):
        pipeline.solve("shop", "서울 고객 수", strategy="retry-forever")


def test_typed_sql_is_not_sent_to_the_model(pipeline):
    answer = pipeline.ask("shop", "SELECT count(*) FROM orders")
    assert answer.error is None and answer.rows[0][0] > 0 and PromptModel.prompts == []


# --- examples, definitions and follow-ups in the prompt ------------------------------------------


def test_verified_examples_and_definitions_reach_the_prompt(pipeline):
    pipeline.save_example("shop", "서울에 사는 고객은 몇 명이야?", GOOD, "feedback")
    pipeline.save_example(
        "shop", "카테고리별 상품 수", "SELECT category_id, count(*) FROM products GROUP BY category_id", "admin"
    )
    draft = pipeline.generate("shop", "서울 사는 고객 수 알려줘")
    assert [e.sql for e in draft.examples][-1] == GOOD.rstrip(";")  # the most similar sits next to the question
    assert "### 예시:\n" in draft.prompt and f"SQL: {GOOD}" in draft.prompt
    revenue = pipeline.generate("shop", "2024년 매출 합계는?")
    assert any(doc.startswith("매출 =") for doc in revenue.docs)  # from schemas/shop.yaml `docs:`
    assert "### 참고 정의:\n- 매출 =" in revenue.prompt
    assert not any("서울" in e.question for e in revenue.examples)  # unrelated pairs stay out


def test_tables_of_similar_examples_join_the_schema_context(pipeline):
    question = "쿠폰을 쓴 건수는?"
    plain = pipeline.generate("shop", question)
    assert "refunds" not in plain.tables
    pipeline.save_example(
        "shop",
        "쿠폰을 쓴 주문 중 환불된 건수는?",
        "SELECT count(*) FROM orders o JOIN refunds r ON r.order_id = o.order_id WHERE o.coupon_id IS NOT NULL",
        "admin",
    )
    with_example = pipeline.generate("shop", question)
    assert "refunds" in with_example.tables and "CREATE TABLE refunds" in with_example.prompt
    assert len(with_example.tables) <= pipeline.settings.max_prompt_tables


def test_no_examples_when_k_is_zero(settings, prompt_model, sample_dir):
    pipeline = Pipeline(
        settings.replace(backend="openai", openai_base_url=prompt_model, openai_model="scripted", examples_k=0)
    )
    pipeline.save_example("shop", "서울에 사는 고객은 몇 명이야?", GOOD, "feedback")
    draft = pipeline.generate("shop", "서울에 사는 고객은 몇 명이야?")
    assert draft.examples == [] and "### 예시:" not in draft.prompt


def test_only_sql_that_runs_becomes_a_verified_example(pipeline):
    with pytest.raises(GuardRefusal):
        pipeline.save_example("shop", "고객 지워줘", "DELETE FROM customers", "admin")
    with pytest.raises(T2SQLError):
        pipeline.save_example("shop", "고객 수", BROKEN, "admin")
    assert pipeline.examples.store.list("shop") == []


def test_follow_up_carries_the_previous_turn_and_its_tables(pipeline):
    previous = Shot(
        "2024년 주문은 몇 건이야?",
        "SELECT count(*) FROM orders WHERE order_date >= '2024-01-01' AND order_date < '2025-01-01'",
    )
    PromptModel.reply = staticmethod(lambda p, i: previous.sql + " AND status = '취소';")
    draft = pipeline.solve("shop", "그 중에서 취소된 것만", previous=previous)
    assert draft.tables[0] == "orders" and draft.previous == previous
    assert f"### 이전 질문:\n{previous.question}\n### 이전 SQL:\n{previous.sql};" in draft.prompt
    assert draft.error is None and draft.checked[1].rows[0][0] > 0
    fresh = pipeline.generate("shop", "상품은 몇 개야?")  # without a turn there is no conversation section
    assert "### 이전 질문:" not in fresh.prompt


# --- the examples and docs commands -------------------------------------------------------------


def test_examples_import_export_round_trip_and_disjoint_filter(settings, sample_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("T2SQL_DATA_DIR", str(tmp_path / "data"))
    pairs = [
        {"id": "a", "question": "서울에 사는 고객은 몇 명이야?", "sql": GOOD.rstrip(";")},
        {"id": "b", "question": "상품은 모두 몇 개예요?", "sql": "SELECT count(*) FROM products"},
        {"id": "c", "question": "주문 상태별 건수", "sql": "SELECT status, count(*) FROM orders GROUP BY status"},
        {"id": "d", "question": "고객 테이블 지워", "sql": "DROP TABLE customers"},  # never verified
    ]
    src = tmp_path / "pairs.jsonl"
    src.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs), encoding="utf-8")
    heldout = tmp_path / "dev.jsonl"  # benchmark questions: the same SQL as pair b; the same result as pair e
    heldout.write_text(
        "".join(
            json.dumps(q, ensure_ascii=False) + "\n"
            for q in [
                {"id": "x", "question": "제품 개수는?", "sql": "select COUNT(*) from products"},
                {"id": "y", "question": "리뷰 평균 별점", "sql": "SELECT ROUND(AVG(rating), 2) FROM reviews"},
            ]
        ),
        encoding="utf-8",
    )
    src.write_text(
        src.read_text(encoding="utf-8")
        + json.dumps(
            {"id": "e", "question": "후기 별점 평균이 얼마야?", "sql": "SELECT AVG(rating) FROM reviews"},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    assert main(["examples", "import", "--db", "shop", str(src), "--disjoint-from", str(heldout)]) == 0
    err = capsys.readouterr().err
    assert "추가 2개" in err and "DROP" in err and "평가 질문과 겹쳐 건너뜀 (평가 질문 x과(와) 같은 SQL)" in err
    assert "평가 질문 y과(와) 같은 결과" in err  # rounded to 2 decimals, the same answer
    kept_or_left_out = tmp_path / "again.jsonl"  # re-imported: present or left out on purpose, nothing failed
    kept_or_left_out.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs[:2]), encoding="utf-8")
    assert main(["examples", "import", "--db", "shop", str(kept_or_left_out), "--disjoint-from", str(heldout)]) == 0
    assert "추가 0개, 갱신 0개, 건너뜀 2개" in capsys.readouterr().err
    out = tmp_path / "out.jsonl"
    assert main(["examples", "export", "--db", "shop", str(out)]) == 0
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {(e["question"], e["sql"]) for e in exported} == {
        (p["question"], p["sql"]) for p in pairs if p["id"] in "ac"
    }
    assert all(e["db_id"] == "shop" and "CREATE TABLE" in e["context"] and e["answer"] == e["sql"] for e in exported)
    # the export is a training file for the next fine-tune
    from t2sql.tuning.data import load_records

    assert len(load_records(out)) == 2
    assert main(["examples", "import", "--db", "shop", str(out)]) == 0
    assert "건너뜀 2개" in capsys.readouterr().err
    assert main(["examples", "list", "--db", "shop"]) == 0
    assert "서울에 사는 고객은 몇 명이야?" in capsys.readouterr().out


def test_docs_add_list_delete(tmp_path, monkeypatch, capsys, sample_dir):
    monkeypatch.setenv("T2SQL_DATA_DIR", str(tmp_path / "data"))
    assert main(["docs", "add", "--db", "shop", "활성 고객 = 최근 30일 안에 주문한 고객"]) == 0
    doc_id = capsys.readouterr().out.split("\t")[0]
    assert main(["docs", "list", "--db", "shop"]) == 0
    listed = capsys.readouterr().out
    assert "활성 고객" in listed and "매출 =" in listed  # store and yaml definitions
    assert main(["docs", "delete", "--db", "shop", doc_id]) == 0
    assert main(["docs", "delete", "--db", "shop", doc_id]) == 1
    assert "찾을 수 없습니다" in capsys.readouterr().err


def test_tiny_model_samples_distinct_candidates(tiny_model_dir):
    from t2sql.generation.transformers_backend import TransformersGenerator

    gen = TransformersGenerator(str(tiny_model_dir), max_new_tokens=6)
    first = gen.sample("### SQL:\n", 3)
    assert len(first) == 3 and all(isinstance(t, str) for t in first)
    assert gen.sample("### SQL:\n", 3) == first  # seeded: the same question gets the same alternatives


def test_sampling_reads_the_prompt_once_and_samples_as_if_each_row_had_read_it(tiny_model_dir):
    """The prompt's cache is computed once and copied to every row: the rows are the ones a per-row read gives
    (same seed), also past the sliding-attention window (the real model's 512 tokens)."""
    import torch

    from t2sql.generation.transformers_backend import TransformersGenerator

    gen = TransformersGenerator(str(tiny_model_dir), max_new_tokens=12)
    prompt = "CREATE TABLE customers (customer_id INTEGER, city TEXT);\n" * 60 + "### SQL:\n"
    inputs = gen.tokenizer(prompt, return_tensors="pt")
    assert inputs["input_ids"].shape[1] > gen.model.config.sliding_window
    torch.manual_seed(0)
    with torch.inference_mode():
        out = gen.model.generate(
            **inputs, max_new_tokens=12, do_sample=True, temperature=0.8, top_p=0.95, num_return_sequences=3
        )
    per_row = [gen.tokenizer.decode(row[inputs["input_ids"].shape[1] :], skip_special_tokens=True) for row in out]
    rows = gen.sample(prompt, 3)  # a row may stop early at the end of a statement (the reference does not)
    assert len(rows) == 3 and all(row and ref.startswith(row) for row, ref in zip(rows, per_row)), (rows, per_row)
    assert len(set(per_row)) > 1
