"""Generation backends behind one small interface: prompt in, text out (whole or streamed).

* ``TransformersGenerator``: an in-process causal LM (default Gemma 3 270M, optional LoRA,
  4-bit on CUDA), greedy decoding that stops at the end of the first statement.
* ``OpenAIGenerator``: any OpenAI-compatible server (LM Studio, Ollama, vLLM, llama.cpp).

``get_generator`` loads a backend once per process and shares it between sessions.
"""

from __future__ import annotations

import json
import re
import threading
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from t2sql.errors import ModelUnavailable
from t2sql.prompt import STOP_MARKERS
from t2sql.sqltext import starts_non_read, statement_end
from t2sql.settings import Settings


@dataclass(frozen=True)
class Constraint:
    """Decode only SQL over these tables of this catalog (schema-constrained decoding, ``grammar``)."""

    catalog: object
    tables: tuple[str, ...]

    def grammar_text(self) -> str:
        from t2sql.generation.grammar import sql_grammar

        return sql_grammar(self.catalog, list(self.tables))


class Generator(ABC):
    """Prompt -> raw completion text (``extract_sql`` turns it into one statement)."""

    name: str = ""

    @abstractmethod
    def stream(self, prompt: str, constraint: Constraint | None = None) -> Iterator[str]:
        """Yield text pieces as they are generated (only text the constraint admits, when given)."""

    def complete(self, prompt: str, constraint: Constraint | None = None) -> str:
        return "".join(self.stream(prompt, constraint))

    def sample(self, prompt: str, n: int, constraint: Constraint | None = None) -> list[str]:
        """``n`` sampled completions (temperature > 0) for execution-guided decoding."""
        raise NotImplementedError


def finished(text: str) -> bool:
    """True once the output holds a complete statement or a stop marker, or has begun a
    statement the guard will refuse anyway (no point spending seconds writing it out)."""
    unfenced = re.sub(r"```(?:sql|SQL)?", "", text)
    return (
        statement_end(unfenced) is not None
        or any(m in text for m in STOP_MARKERS)
        or starts_non_read(unfenced)
    )


class TransformersGenerator(Generator):
    def __init__(self, model: str, adapter: str = "", load_in_4bit: str = "auto", max_new_tokens: int = 160):
        from t2sql.generation.local import load_causal_lm

        self.model, self.tokenizer = load_causal_lm(model, adapter, load_in_4bit)
        self.max_new_tokens = max_new_tokens
        self.name = model + (f" + {adapter}" if adapter else "")
        self._lock = threading.Lock()  # one generation at a time: the CPU is the bottleneck anyway

    def _processors(self, constraint: Constraint | None) -> list:
        """The grammar's logits processor (compiled once per schema and table set), or none."""
        if constraint is None:
            return []
        from t2sql.generation.grammar import default_cache

        tok = self.tokenizer
        eos = self.model.generation_config.eos_token_id
        return [default_cache().processor(
            tok, constraint.catalog, list(constraint.tables),
            vocab_size=self.model.get_output_embeddings().weight.shape[0],
            stop_token_ids=[eos] if isinstance(eos, int) else list(eos or []),
        )]

    def stream(self, prompt: str, constraint: Constraint | None = None) -> Iterator[str]:
        import torch
        from transformers import LogitsProcessorList, StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        tok = self.tokenizer
        inputs = tok(prompt, return_tensors="pt").to(self.model.device)
        start = inputs["input_ids"].shape[1]

        cancelled = threading.Event()  # set when the consumer stops reading (e.g. a browser rerun)

        class StopAtStatementEnd(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return cancelled.is_set() or finished(tok.decode(input_ids[0, start:], skip_special_tokens=True))

        streamer = TextIteratorStreamer(tok, skip_prompt=True, skip_special_tokens=True)
        kwargs = dict(
            **inputs,
            max_new_tokens=self.max_new_tokens,
            do_sample=False,
            stopping_criteria=StoppingCriteriaList([StopAtStatementEnd()]),
            logits_processor=LogitsProcessorList(self._processors(constraint)),
            streamer=streamer,
            pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
        )
        errors: list[BaseException] = []

        def run():
            try:
                with torch.inference_mode():
                    self.model.generate(**kwargs)
            except BaseException as exc:  # surfaced to the caller below
                errors.append(exc)
                streamer.on_finalized_text("", stream_end=True)

        with self._lock:
            worker = threading.Thread(target=run, daemon=True)
            worker.start()
            try:
                yield from streamer
            finally:  # also on an abandoned stream: stop the model before the next caller gets it
                cancelled.set()
                worker.join()
        if errors:
            raise ModelUnavailable(f"모델이 SQL을 생성하지 못했습니다: {errors[0]}") from errors[0]


    def sample(self, prompt: str, n: int, constraint: Constraint | None = None, temperature: float = 0.8,
               seed: int = 0) -> list[str]:
        """One batched sampling call; each row stops at the end of its own statement."""
        import torch
        from transformers import LogitsProcessorList, StoppingCriteria, StoppingCriteriaList

        tok = self.tokenizer
        inputs = tok(prompt, return_tensors="pt").to(self.model.device)
        start = inputs["input_ids"].shape[1]

        class EachRowFinished(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                done = [finished(tok.decode(row[start:], skip_special_tokens=True)) for row in input_ids]
                return torch.tensor(done, dtype=torch.bool, device=input_ids.device)

        with self._lock, torch.inference_mode():
            torch.manual_seed(seed)  # the same question gets the same alternatives (reproducible benchmarks)
            try:
                out = self.model.generate(
                    **inputs, max_new_tokens=self.max_new_tokens, do_sample=True, temperature=temperature, top_p=0.95,
                    num_return_sequences=n, stopping_criteria=StoppingCriteriaList([EachRowFinished()]),
                    logits_processor=LogitsProcessorList(self._processors(constraint)),
                    pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
                )
            except Exception as exc:
                raise ModelUnavailable(f"모델이 대안 SQL을 생성하지 못했습니다: {exc}") from exc
        return [tok.decode(row[start:], skip_special_tokens=True) for row in out]


class OpenAIGenerator(Generator):
    """Chat Completions with streaming (SSE), temperature 0."""

    def __init__(self, base_url: str, model: str, api_key: str = "", max_tokens: int = 160, timeout_s: float = 120.0):
        if not model:
            raise ModelUnavailable("OpenAI 호환 서버를 쓰려면 모델 이름(T2SQL_OPENAI_MODEL)을 설정하세요.")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.max_tokens = max_tokens
        self.timeout_s = timeout_s
        self.name = f"{model} @ {base_url}"
        self.guided = True  # until the server refuses ``guided_grammar``

    def _guided(self, body: dict, constraint: Constraint | None) -> dict:
        """vLLM-style guided decoding: the schema grammar travels with the request."""
        if constraint is not None and self.guided:
            body = {**body, "guided_grammar": constraint.grammar_text()}
        return body

    def _refused_grammar(self, status: int, text: str, body: dict) -> bool:
        """The server rejected the grammar field: stop sending it (the guard still checks every SQL)."""
        if status in (400, 422) and "guided_grammar" in body:
            self.guided = False
            return True
        return False

    def stream(self, prompt: str, constraint: Constraint | None = None) -> Iterator[str]:
        import httpx

        body = self._guided({
            "model": self.model,
            "messages": [{"role": "user", "content": prompt}],
            "temperature": 0,
            "max_tokens": self.max_tokens,
            "stream": True,
        }, constraint)
        text = ""
        try:
            with httpx.stream("POST", self.url, json=body, headers=self.headers, timeout=self.timeout_s) as resp:
                if resp.status_code != 200:
                    resp.read()
                    if self._refused_grammar(resp.status_code, resp.text, body):
                        yield from self.stream(prompt, None)
                        return
                    raise ModelUnavailable(
                        f"모델 서버가 오류를 돌려주었습니다 (HTTP {resp.status_code}): {resp.text[:200]}"
                    )
                for piece in _sse_deltas(resp.iter_lines()):
                    text += piece
                    yield piece
                    if finished(text):
                        return
        except httpx.HTTPError as exc:
            raise ModelUnavailable(
                f"모델 서버({self.url})에 연결할 수 없습니다. 서버가 켜져 있는지, 주소가 맞는지 확인하세요: {exc}"
            ) from exc


    def sample(self, prompt: str, n: int, constraint: Constraint | None = None, temperature: float = 0.8) -> list[str]:
        """Asks for ``n`` choices at once; servers that ignore ``n`` (e.g. Ollama) are asked again."""
        import httpx

        texts: list[str] = []
        try:
            while len(texts) < n:
                body = self._guided({"model": self.model, "messages": [{"role": "user", "content": prompt}],
                                     "temperature": temperature, "max_tokens": self.max_tokens, "n": n - len(texts)},
                                    constraint)
                resp = httpx.post(self.url, json=body, headers=self.headers, timeout=self.timeout_s)
                if resp.status_code != 200 and self._refused_grammar(resp.status_code, resp.text, body):
                    continue
                if resp.status_code != 200:
                    raise ModelUnavailable(f"모델 서버가 오류를 돌려주었습니다 (HTTP {resp.status_code}): {resp.text[:200]}")
                try:
                    choices = resp.json().get("choices") or []
                except ValueError as exc:
                    raise ModelUnavailable(f"모델 서버의 응답을 읽을 수 없습니다: {resp.text[:200]}") from exc
                if not choices:
                    break
                texts += [(c.get("message") or {}).get("content") or "" for c in choices]
        except httpx.HTTPError as exc:
            raise ModelUnavailable(f"모델 서버({self.url})에 연결할 수 없습니다: {exc}") from exc
        return texts[:n]


def _sse_deltas(lines: Iterator[str]) -> Iterator[str]:
    """Content pieces from an OpenAI streaming response (``data: {...}`` lines)."""
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            choice = json.loads(data)["choices"][0]
        except (ValueError, KeyError, IndexError):
            continue
        piece = (choice.get("delta") or {}).get("content") or (choice.get("message") or {}).get("content") or ""
        if piece:
            yield piece


class ModelBusy(ModelUnavailable):
    """Too many questions are already waiting for the shared model."""


class Turnstile:
    """A bounded first-come-first-served line in front of the shared model.

    Every browser session shares one loaded model; a CPU can only run one generation well at
    a time. Waiters learn their place in line (for a wait indicator) and arrivals beyond
    ``capacity`` are turned away at once with a Korean message instead of piling up.
    """

    def __init__(self, capacity: int = 32, concurrency: int = 1):
        self.capacity = capacity
        self.concurrency = concurrency
        self._cond = threading.Condition()
        self._line: list[object] = []
        self._running = 0

    @contextmanager
    def enter(self, on_wait: Callable[[int], None] | None = None, poll_s: float = 0.5):
        """Wait for a turn; ``on_wait(n)`` is told how many are ahead, whenever that number changes."""
        ticket = object()
        reported = None
        with self._cond:
            if len(self._line) >= self.capacity:
                raise ModelBusy(
                    f"지금 질문이 많아 모델이 바쁩니다 (대기 {len(self._line)}명). 잠시 후 다시 시도하세요."
                )
            self._line.append(ticket)
        try:
            while True:
                with self._cond:
                    ahead = self._line.index(ticket) + self._running - self.concurrency + 1
                    if ahead <= 0:
                        self._line.remove(ticket)
                        self._running += 1
                        break
                    self._cond.wait(poll_s)
                if on_wait and ahead != reported:
                    reported = ahead
                    on_wait(ahead)
        except BaseException:
            with self._cond:
                if ticket in self._line:
                    self._line.remove(ticket)
                self._cond.notify_all()
            raise
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()

    def load(self) -> tuple[int, int]:
        """(running, waiting) right now."""
        with self._cond:
            return self._running, len(self._line)


_CACHE: dict[tuple, Generator] = {}
_CACHE_LOCK = threading.Lock()


def get_generator(settings: Settings, progress: Callable[[str], None] | None = None) -> Generator:
    """The configured backend, loaded once per process."""
    if settings.backend == "openai":
        key = ("openai", settings.openai_base_url, settings.openai_model, settings.openai_api_key)
        factory = lambda: OpenAIGenerator(  # noqa: E731
            settings.openai_base_url, settings.openai_model, settings.openai_api_key,
            settings.max_new_tokens, settings.request_timeout_s,
        )
    elif settings.backend == "transformers":
        key = ("transformers", settings.model, settings.adapter_path, settings.load_in_4bit, settings.max_new_tokens)

        def factory():
            from t2sql.generation.local import resolve_model

            return TransformersGenerator(
                resolve_model(settings.model, settings.cache_dir, progress),
                settings.adapter_path, settings.load_in_4bit, settings.max_new_tokens,
            )
    else:
        raise ModelUnavailable(f"알 수 없는 생성 백엔드입니다: {settings.backend} (transformers 또는 openai)")
    with _CACHE_LOCK:
        if key not in _CACHE:
            if progress:
                progress("모델을 불러오는 중…")
            _CACHE[key] = factory()
        return _CACHE[key]
