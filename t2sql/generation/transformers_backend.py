"""The in-process backend: a causal LM (default Gemma 3 270M, optional LoRA, 4-bit on CUDA) with greedy
decoding that stops at the end of the first statement, under the schema grammar when one is given.

Imported only when this backend is used (``base.BACKENDS``), so torch is imported at the top.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import torch
from transformers import LogitsProcessorList, StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

from t2sql.errors import ModelUnavailable
from t2sql.generation.base import Constraint, Generator, finished
from t2sql.generation.grammar import default_cache
from t2sql.generation.loading import load_causal_lm, resolve_model
from t2sql.progress import Progress
from t2sql.settings import Settings


class TransformersGenerator(Generator):
    def __init__(self, model: str, adapter: str = "", load_in_4bit: str = "auto", max_new_tokens: int = 160):
        self.model, self.tokenizer = load_causal_lm(model, adapter, load_in_4bit)
        self.max_new_tokens = max_new_tokens
        self.name = model + (f" + {adapter}" if adapter else "")
        self._lock = threading.Lock()  # one generation at a time: the CPU is the bottleneck anyway

    @classmethod
    def cache_key(cls, settings: Settings) -> tuple:
        return settings.model, settings.adapter_path, settings.load_in_4bit, settings.max_new_tokens

    @classmethod
    def from_settings(cls, settings: Settings, progress: Progress | None = None) -> TransformersGenerator:
        return cls(
            resolve_model(settings.model, settings.cache_dir, progress),
            settings.adapter_path,
            settings.load_in_4bit,
            settings.max_new_tokens,
        )

    def _processors(self, constraint: Constraint | None) -> list:
        """The grammar's logits processor (compiled once per schema and table set), or none."""
        if constraint is None:
            return []
        eos = self.model.generation_config.eos_token_id
        return [
            default_cache().processor(
                self.tokenizer,
                constraint.catalog,
                list(constraint.tables),
                vocab_size=self.model.get_output_embeddings().weight.shape[0],
                stop_token_ids=[eos] if isinstance(eos, int) else list(eos or []),
            )
        ]

    def stream(self, prompt: str, constraint: Constraint | None = None) -> Iterator[str]:
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

    def sample(
        self, prompt: str, n: int, constraint: Constraint | None = None, temperature: float = 0.8, seed: int = 0
    ) -> list[str]:
        """One batched sampling call over a prompt read once; each row stops at the end of its own statement."""
        tok = self.tokenizer
        inputs = tok(prompt, return_tensors="pt").to(self.model.device)
        start = inputs["input_ids"].shape[1]

        class EachRowFinished(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                done = [finished(tok.decode(row[start:], skip_special_tokens=True)) for row in input_ids]
                return torch.tensor(done, dtype=torch.bool, device=input_ids.device)

        rows = inputs["input_ids"].repeat(n, 1)
        with self._lock, torch.inference_mode():
            torch.manual_seed(seed)  # the same question gets the same alternatives (reproducible benchmarks)
            try:
                read: dict = {}
                if start > 1:  # read the prompt once and copy its cache to every row (per row cost n times as much)
                    read["cache"] = self.model(input_ids=inputs["input_ids"][:, :-1], use_cache=True).cache
                    read["cache"].batch_repeat_interleave(n)
                out = self.model.generate(
                    input_ids=rows,
                    attention_mask=torch.ones_like(rows),
                    **read,
                    max_new_tokens=self.max_new_tokens,
                    do_sample=True,
                    temperature=temperature,
                    top_p=0.95,
                    stopping_criteria=StoppingCriteriaList([EachRowFinished()]),
                    logits_processor=LogitsProcessorList(self._processors(constraint)),
                    pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
                )
            except Exception as exc:
                raise ModelUnavailable(f"모델이 대안 SQL을 생성하지 못했습니다: {exc}") from exc
        return [tok.decode(row[start:], skip_special_tokens=True) for row in out]
