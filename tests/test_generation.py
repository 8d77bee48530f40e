"""Both generation backends through the real loading code: a tiny Gemma 3, the real default model,
a LoRA adapter through peft, and a local OpenAI-compatible stub server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlglot

from t2sql.errors import ModelUnavailable
from t2sql.generation.base import finished, get_generator
from t2sql.generation.loading import load_causal_lm
from t2sql.generation.openai_backend import OpenAIGenerator
from t2sql.generation.transformers_backend import TransformersGenerator
from t2sql.prompt import build_prompt, extract_sql
from t2sql.settings import Settings

DDL = """CREATE TABLE customers ( -- 쇼핑몰 회원
  customer_id INTEGER PRIMARY KEY, -- 고객 번호
  city VARCHAR -- 거주 도시 예: '서울', '부산'
);"""


def test_tiny_model_streams_and_completes_the_same(tiny_model_dir):
    gen = TransformersGenerator(str(tiny_model_dir), max_new_tokens=8)
    prompt = build_prompt(DDL, "서울 고객 수")
    pieces = list(gen.stream(prompt))
    assert "".join(pieces) == gen.complete(prompt)  # greedy decoding is deterministic
    assert gen.name == str(tiny_model_dir)


def test_lora_adapter_loads_through_peft_and_is_merged_for_inference(tiny_model_dir, tmp_path):
    import torch
    from peft import LoraConfig, get_peft_model

    model, tok = load_causal_lm(str(tiny_model_dir), trainable=True)
    peft_model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    torch.manual_seed(0)
    for name, param in peft_model.named_parameters():
        if "lora_B" in name:  # a trained adapter, not the zero-initialised one
            param.data.normal_(0, 0.5)
    peft_model.save_pretrained(tmp_path / "adapter")
    gen = TransformersGenerator(str(tiny_model_dir), adapter=str(tmp_path / "adapter"), max_new_tokens=4)
    assert not type(gen.model).__name__.startswith("Peft")  # LoRA folded into the weights
    inputs = tok(build_prompt(DDL, "고객 수"), return_tensors="pt")
    with torch.no_grad():
        merged = gen.model(**inputs).logits.float()
        unmerged = peft_model.eval()(**inputs).logits.float()
        base = load_causal_lm(str(tiny_model_dir))[0](**inputs).logits.float()
    assert (merged - base).abs().max() > 0.05  # the adapter changes the model…
    assert torch.allclose(merged, unmerged, atol=0.15 * unmerged.abs().max().item())  # …exactly as peft does (bf16)
    assert isinstance(gen.complete(build_prompt(DDL, "고객 수")), str)


@pytest.mark.parametrize("adapter", ["missing", "broken"])
def test_bad_adapter_gives_korean_message(tiny_model_dir, tmp_path, adapter):
    path = tmp_path / adapter
    if adapter == "broken":
        path.mkdir()
        (path / "adapter_config.json").write_text("{not json")
    with pytest.raises(ModelUnavailable) as err:
        TransformersGenerator(str(tiny_model_dir), adapter=str(path))
    assert "어댑터" in str(err.value)


def test_unknown_model_path_gives_korean_message(tmp_path):
    with pytest.raises(ModelUnavailable) as err:
        TransformersGenerator(str(tmp_path / "no-model"))
    assert "불러올 수 없습니다" in str(err.value)


def test_generator_is_loaded_once_per_process(tiny_model_dir):
    settings = Settings(model=str(tiny_model_dir), adapter="none", max_new_tokens=4)
    assert get_generator(settings) is get_generator(settings)


def test_real_default_model_writes_sql_that_parses(default_model_dir):
    """The shipped default (Gemma 3 270M from PyPI, converted once) loads and answers with SQL."""
    gen = TransformersGenerator(str(default_model_dir), max_new_tokens=48)
    sql = extract_sql(gen.complete(build_prompt(DDL, "서울에 사는 고객은 몇 명이야?")))
    assert sql.upper().startswith(("SELECT", "WITH"))
    sqlglot.parse_one(sql, read="duckdb")


class StubOpenAI(BaseHTTPRequestHandler):
    """Speaks the streaming Chat Completions protocol; answers with a fixed SQL split into pieces."""

    requests: list = []
    status = 200

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        headers = {
            k.lower(): v for k, v in self.headers.items()
        }  # names are case-insensitive (the SDK sends lower case)
        StubOpenAI.requests.append((self.path, headers, body))
        if StubOpenAI.status != 200:
            self.send_response(StubOpenAI.status)
            self.end_headers()
            self.wfile.write(b'{"error": "model not loaded"}')
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in ["```sql\nSELECT COUNT(*) ", "FROM customers ", "WHERE city = '서울';", "\n```", " trailing"]:
            chunk = {"choices": [{"delta": {"content": piece}}]}
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def stub_server():
    StubOpenAI.requests = []
    StubOpenAI.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubOpenAI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


def test_openai_backend_streams_from_a_local_server(stub_server):
    settings = Settings(backend="openai", openai_base_url=stub_server, openai_model="sqlcoder", openai_api_key="k")
    gen = get_generator(settings)
    raw = gen.complete(build_prompt(DDL, "서울 고객 수"))
    assert extract_sql(raw) == "SELECT COUNT(*) FROM customers WHERE city = '서울'"
    assert "trailing" not in raw  # stops reading once the statement is complete
    path, headers, body = StubOpenAI.requests[0]
    assert path == "/v1/chat/completions"
    assert headers["authorization"] == "Bearer k"
    assert body["model"] == "sqlcoder" and body["temperature"] == 0 and body["stream"] is True
    assert "### Question:\n서울 고객 수" in body["messages"][0]["content"]


def test_openai_backend_sends_no_key_when_none_is_set(stub_server):
    OpenAIGenerator(stub_server, "m").complete("p")
    assert "authorization" not in StubOpenAI.requests[0][1]  # local servers take none


def test_openai_backend_reports_server_errors_in_korean(stub_server):
    StubOpenAI.status = 503
    with pytest.raises(ModelUnavailable) as err:
        OpenAIGenerator(stub_server, "m").complete("p")
    assert "HTTP 503" in str(err.value)


def test_openai_backend_reports_unreachable_server():
    with pytest.raises(ModelUnavailable) as err:
        OpenAIGenerator("http://127.0.0.1:9/v1", "m", timeout_s=2).complete("p")
    assert "연결할 수 없습니다" in str(err.value)


def test_openai_backend_needs_a_model_name():
    with pytest.raises(ModelUnavailable):
        OpenAIGenerator("http://127.0.0.1:9/v1", "")


@pytest.mark.parametrize(
    "text, done",
    [
        ("SELECT 1", False),
        ("SELECT 1;", True),
        ("SELECT ';'", False),
        ("SELECT 1\n###", True),
        ("```sql\nSELECT 1;", True),
        ("CREATE TABLE x (", True),
        ("```sql\nDELETE FROM t", True),
        ("다음은 쿼리입니다:\nSELECT", False),
        ("CREATED_AT", False),
        ("SELECT AVG(price) * (10000) * (10000) * (10000) * (10000) * (10000)", True),  # a loop
        ("SELECT k.name, k.city, k.city, k.city, k.city", True),
        ("SELECT SUM(CASE WHEN a = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN a = 2 THEN 1 ELSE 0 END)", False),
        ("SELECT 1000000", False),
    ],
)
def test_finished(text, done):
    assert finished(text) is done


def test_abandoned_stream_releases_the_model(tiny_model_dir):
    gen = TransformersGenerator(str(tiny_model_dir), max_new_tokens=64)
    stream = gen.stream(build_prompt(DDL, "서울 고객 수"))
    next(stream)
    stream.close()  # the reader went away mid-generation
    assert gen._lock.acquire(timeout=5)
    gen._lock.release()
    assert isinstance(gen.complete(build_prompt(DDL, "고객 수")), str)


def test_shipped_adapter_loads_by_default_and_writes_runnable_sql(default_model_dir, settings, sample_dir):
    """A fresh install (default settings: real base model + shipped LoRA) answers with SQL that runs."""
    from t2sql.pipeline import Pipeline
    from t2sql.settings import SHIPPED_ADAPTER

    assert Settings().adapter_path == str(SHIPPED_ADAPTER)
    answer = Pipeline(settings).ask("shop", "서울에 사는 고객은 몇 명이야?")
    assert answer.error is None, answer.error
    assert answer.sql.upper().startswith("SELECT") and answer.rows


# --- the bounded line in front of the shared model --------------------------------------------


def test_turnstile_serves_in_arrival_order_and_reports_places():
    import threading
    import time

    from t2sql.generation.queue import Turnstile

    gate = Turnstile(capacity=10, concurrency=1)
    order, places = [], {}
    release = threading.Event()

    def first():
        with gate.enter():
            order.append(0)
            release.wait(5)

    def later(i):
        with gate.enter(lambda n: places.setdefault(i, []).append(n), poll_s=0.02):
            order.append(i)

    threads = [threading.Thread(target=first)]
    threads[0].start()
    time.sleep(0.1)
    for i in (1, 2, 3):
        threads.append(threading.Thread(target=later, args=(i,)))
        threads[-1].start()
        time.sleep(0.1)
    assert gate.load() == (1, 3)
    release.set()
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2, 3]
    assert places[1][0] == 1 and places[3][0] == 3  # how many are ahead
    assert gate.load() == (0, 0)


def test_turnstile_turns_away_arrivals_beyond_capacity_in_korean():
    import threading
    import time

    from t2sql.generation.queue import ModelBusy, Turnstile

    gate = Turnstile(capacity=1, concurrency=1)
    hold = threading.Event()

    def use():
        with gate.enter(poll_s=0.02):
            hold.wait(5)

    workers = [threading.Thread(target=use) for _ in range(2)]  # one runs, one waits
    for w in workers:
        w.start()
        time.sleep(0.1)
    assert gate.load() == (1, 1)
    with pytest.raises(ModelBusy) as err, gate.enter():
        pass
    assert "바쁩니다" in str(err.value)
    hold.set()
    for w in workers:
        w.join(5)
    assert gate.load() == (0, 0)


def test_turnstile_forgets_a_waiter_that_gives_up():
    from t2sql.generation.queue import Turnstile

    gate = Turnstile(capacity=5, concurrency=1)

    class GaveUp(Exception):
        pass

    def give_up(_):
        raise GaveUp  # e.g. Streamlit stopping a rerun while the session waits

    with gate.enter():
        with pytest.raises(GaveUp), gate.enter(give_up, poll_s=0.01):
            pass
        assert gate.load() == (1, 0)
    assert gate.load() == (0, 0)
