"""The generation interface (prompt in, text out, whole or streamed) and the backends by name.

A backend is a ``Generator`` subclass registered in ``BACKENDS`` under the name ``T2SQL_BACKEND``
takes; ``get_generator`` loads the configured one once per process and shares it between sessions.
"""

from __future__ import annotations

import importlib
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterator
from dataclasses import dataclass

from t2sql.db.catalog import Catalog
from t2sql.generation.grammar import sql_grammar
from t2sql.progress import Progress
from t2sql.prompt import STOP_MARKERS
from t2sql.settings import Settings
from t2sql.sqltext import starts_non_read, statement_end


@dataclass(frozen=True)
class Constraint:
    """Decode only SQL over these tables of this catalog (schema-constrained decoding, ``grammar``)."""

    catalog: Catalog
    tables: tuple[str, ...]

    def grammar_text(self) -> str:
        return sql_grammar(self.catalog, list(self.tables))


class Generator(ABC):
    """Prompt -> raw completion text (``extract_sql`` turns it into one statement)."""

    name: str = ""

    @classmethod
    def cache_key(cls, settings: Settings) -> tuple[Hashable, ...]:
        """The settings that make a different model: one instance per distinct key and process."""
        raise NotImplementedError

    @classmethod
    def from_settings(cls, settings: Settings, progress: Progress | None = None) -> Generator:
        raise NotImplementedError

    @abstractmethod
    def stream(self, prompt: str, constraint: Constraint | None = None) -> Iterator[str]:
        """Yield text pieces as they are generated (only text the constraint admits, when given)."""

    def complete(self, prompt: str, constraint: Constraint | None = None) -> str:
        return "".join(self.stream(prompt, constraint))

    def sample(self, prompt: str, n: int, constraint: Constraint | None = None) -> list[str]:
        """``n`` sampled completions (temperature > 0) for execution-guided decoding."""
        raise NotImplementedError


# The same 5-60 characters four times in a row at the end: a small model stuck in a loop (`* (1000) * (1000)
# …`, `k.gukjeok, k.gukjeok, …`), which a grammar cannot stop. No prefix of 15,912 verified queries (the natural
# corpus, practice pairs, the benchmark sets) matches it. Such a tail fits in LOOP_TAIL characters, so only
# those are searched (``finished`` runs once per generated token).
LOOP = re.compile(r"(.{5,60}?)\1{3,}$", re.S)
LOOP_TAIL = 4 * 60


def finished(text: str) -> bool:
    """True once the output holds a complete statement or a stop marker, has begun a statement the
    guard will refuse anyway, or is repeating itself (no point spending seconds writing it out)."""
    unfenced = re.sub(r"```(?:sql|SQL)?", "", text)
    return (
        statement_end(unfenced) is not None
        or any(m in text for m in STOP_MARKERS)
        or starts_non_read(unfenced)
        or LOOP.search(text[-LOOP_TAIL:]) is not None
    )


# ``T2SQL_BACKEND`` value -> "module:class". Imported on first use, so neither torch nor the OpenAI SDK
# is on the start-up path of commands that never generate.
BACKENDS: dict[str, str] = {
    "transformers": "t2sql.generation.transformers_backend:TransformersGenerator",
    "openai": "t2sql.generation.openai_backend:OpenAIGenerator",
}

_CACHE: dict[tuple, Generator] = {}
_CACHE_LOCK = threading.Lock()


def backend(name: str) -> type[Generator]:
    """The ``Generator`` class registered under ``name``."""
    module, _, cls = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def get_generator(settings: Settings, progress: Progress | None = None) -> Generator:
    """The configured backend, loaded once per process."""
    cls = backend(settings.backend)
    key = (settings.backend, *cls.cache_key(settings))
    with _CACHE_LOCK:
        if key not in _CACHE:
            if progress:
                progress("모델을 불러오는 중…")
            _CACHE[key] = cls.from_settings(settings, progress)
        return _CACHE[key]
