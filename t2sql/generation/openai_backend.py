"""The HTTP backend: any OpenAI-compatible server (LM Studio, Ollama, vLLM, llama.cpp) through the
``openai`` SDK, which does the streaming, retries and timeouts.

The schema grammar travels as vLLM-style guided decoding (``guided_grammar`` in the request body);
a server that refuses it is asked again without it, and not sent it again (the guard still checks
every SQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
from openai import OpenAI
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from t2sql.errors import ModelUnavailable
from t2sql.generation.base import Constraint, Generator, finished
from t2sql.progress import Progress
from t2sql.settings import Settings


class ChatServer:
    """Chat Completions on one OpenAI-compatible server (also used by the evaluation's LLM judge)."""

    errors = (openai.APIError,)  # what a failed request raises, for callers that do not import the SDK

    def __init__(
        self, base_url: str, api_key: str = "", timeout_s: float = 120.0, max_retries: int = openai.DEFAULT_MAX_RETRIES
    ):
        self.url = base_url.rstrip("/") + "/chat/completions"
        # local servers take no key, but the SDK insists on one: it gets a stand-in that is never sent
        self.client = OpenAI(base_url=base_url, api_key=api_key or "unused", timeout=timeout_s, max_retries=max_retries)
        self._headers: dict[str, Any] = {} if api_key else {"Authorization": openai.omit}

    def create(self, **params: Any) -> Any:
        """``chat.completions.create`` (a ``Stream`` of chunks when ``stream=True``)."""
        return self.client.chat.completions.create(extra_headers=self._headers, **params)

    def close(self) -> None:
        self.client.close()


class OpenAIGenerator(Generator):
    """Chat Completions with streaming, temperature 0."""

    def __init__(self, base_url: str, model: str, api_key: str = "", max_tokens: int = 160, timeout_s: float = 120.0):
        if not model:
            raise ModelUnavailable("OpenAI 호환 서버를 쓰려면 모델 이름(T2SQL_OPENAI_MODEL)을 설정하세요.")
        self.server = ChatServer(base_url, api_key, timeout_s)
        self.url = self.server.url
        self.model = model
        self.max_tokens = max_tokens
        self.name = f"{model} @ {base_url}"
        self.guided = True  # until the server refuses ``guided_grammar``

    @classmethod
    def cache_key(cls, settings: Settings) -> tuple:
        return settings.openai_base_url, settings.openai_model, settings.openai_api_key

    @classmethod
    def from_settings(cls, settings: Settings, progress: Progress | None = None) -> OpenAIGenerator:
        return cls(
            settings.openai_base_url,
            settings.openai_model,
            settings.openai_api_key,
            settings.max_new_tokens,
            settings.request_timeout_s,
        )

    def _create(self, prompt: str, constraint: Constraint | None, **params: Any) -> Any:
        """One request, with the schema grammar while the server takes it; without it once it refuses it."""
        messages = [{"role": "user", "content": prompt}]
        if constraint is not None and self.guided:
            try:
                return self.server.create(
                    model=self.model,
                    messages=messages,
                    max_tokens=self.max_tokens,
                    extra_body={"guided_grammar": constraint.grammar_text()},
                    **params,
                )
            except (openai.BadRequestError, openai.UnprocessableEntityError):
                self.guided = False  # a server without guided decoding: ask again, unconstrained
        return self.server.create(model=self.model, messages=messages, max_tokens=self.max_tokens, **params)

    def stream(self, prompt: str, constraint: Constraint | None = None) -> Iterator[str]:
        text = ""
        try:
            with self._create(prompt, constraint, temperature=0, stream=True) as chunks:
                for chunk in chunks:
                    piece = _piece(chunk)
                    if not piece:
                        continue
                    text += piece
                    yield piece
                    if finished(text):
                        return
        except openai.APIConnectionError as exc:  # timeouts included
            raise ModelUnavailable(
                f"모델 서버({self.url})에 연결할 수 없습니다. 서버가 켜져 있는지, 주소가 맞는지 확인하세요: "
                f"{exc.__cause__ or exc}"
            ) from exc
        except openai.APIError as exc:
            raise ModelUnavailable(_server_error(exc)) from exc

    def sample(self, prompt: str, n: int, constraint: Constraint | None = None, temperature: float = 0.8) -> list[str]:
        """Asks for ``n`` choices at once; servers that ignore ``n`` (e.g. Ollama) are asked again."""
        texts: list[str] = []
        try:
            while len(texts) < n:
                reply = self._create(prompt, constraint, temperature=temperature, n=n - len(texts))
                if not isinstance(reply, ChatCompletion):  # the SDK hands back what is not JSON as text
                    raise ModelUnavailable(f"모델 서버의 응답을 읽을 수 없습니다: {str(reply)[:200]}")
                if not reply.choices:
                    break
                texts += [(c.message.content if c.message else None) or "" for c in reply.choices]
        except openai.APIConnectionError as exc:
            raise ModelUnavailable(f"모델 서버({self.url})에 연결할 수 없습니다: {exc.__cause__ or exc}") from exc
        except openai.APIError as exc:
            raise ModelUnavailable(_server_error(exc)) from exc
        return texts[:n]


def _piece(chunk: ChatCompletionChunk) -> str:
    """The text of one streamed chunk: its ``delta`` (a few servers send a whole ``message`` instead)."""
    if not chunk.choices:
        return ""
    choice = chunk.choices[0]
    if choice.delta is not None and choice.delta.content:
        return choice.delta.content
    message = (choice.model_extra or {}).get("message")
    return (message.get("content") if isinstance(message, dict) else None) or ""


def _server_error(exc: openai.APIError) -> str:
    if isinstance(exc, openai.APIStatusError):
        return f"모델 서버가 오류를 돌려주었습니다 (HTTP {exc.status_code}): {exc.response.text[:200]}"
    if isinstance(exc, openai.APIResponseValidationError):
        return f"모델 서버의 응답을 읽을 수 없습니다: {exc.response.text[:200]}"
    return f"모델 서버가 오류를 돌려주었습니다: {exc}"
