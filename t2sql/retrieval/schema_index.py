"""Schema RAG: index each table's document in Chroma and pick the tables a question needs.

Ranking = embedding similarity (multilingual USE) + a bonus when the question literally
mentions a table's name or Korean synonym; then foreign-key neighbours are added so joins
have their keys. The index re-builds itself when the catalog fingerprint changes.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from t2sql.db.catalog import Catalog
from t2sql.errors import IndexUnavailable
from t2sql.retrieval.embeddings import embedding_function
from t2sql.settings import Settings

if TYPE_CHECKING:  # chromadb is imported lazily at run time (~1 s)
    from chromadb.api.models.Collection import Collection

KEYWORD_BONUS = 0.25
CHOSEN_CUTOFF = 0.5  # a table is chosen when it scores at least half of the best one


@dataclass(frozen=True)
class Retrieved:
    tables: list[str]  # in prompt order
    scores: dict[str, float]  # table -> ranking score (neighbours included with their own score)


def make_client(settings: Settings):
    """Embedded ``PersistentClient`` under data_dir, or an HTTP client when ``chroma_url`` is set.

    The embedded store only holds derived data, so a corrupted one is moved aside
    (``chroma.broken-<time>``) and rebuilt instead of taking the app down.
    """
    try:
        return _open_client(settings)
    except Exception as exc:
        if settings.chroma_url:
            raise IndexUnavailable(
                f"스키마 색인 서버(Chroma, {settings.chroma_url})에 연결할 수 없습니다. "
                f"서버가 켜져 있는지, 주소가 맞는지 확인하세요: {exc}"
            ) from exc
        first_error = exc
    moved = quarantine_store(settings)
    try:
        return _open_client(settings)
    except Exception as exc:
        raise IndexUnavailable(
            f"스키마 색인(Chroma)을 열 수 없습니다 ({chroma_path(settings)}). 손상된 색인을 {moved}(으)로 옮기고 "
            f"다시 만들려 했지만 실패했습니다. 폴더 권한과 디스크 공간을 확인하세요: {exc} (처음 오류: {first_error})"
        ) from exc


def chroma_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "chroma"


def _open_client(settings: Settings):
    import chromadb  # chromadb: ~1 s to import, kept off the start-up path of `sql`

    if settings.chroma_url:
        u = urlparse(settings.chroma_url)
        if not u.hostname:  # make_client reports this as an unreachable server, like any bad address
            raise ValueError("주소에 호스트 이름이 없습니다 (예: http://localhost:8000).")
        return chromadb.HttpClient(host=u.hostname, port=u.port or 8000, ssl=u.scheme == "https")
    path = chroma_path(settings)
    path.mkdir(parents=True, exist_ok=True)
    client = chromadb.PersistentClient(path=str(path))
    client.heartbeat()
    return client


def quarantine_store(settings: Settings) -> Path:
    """Move a broken embedded store aside (kept for inspection) so a fresh one can be built."""
    from chromadb.api.shared_system_client import (  # chromadb: kept off the start-up path of `sql`
        SharedSystemClient,  # chromadb: ~1 s to import, kept off the start-up path of `sql`
    )

    SharedSystemClient.clear_system_cache()  # chromadb caches one system per path
    path = chroma_path(settings)
    target = path.with_name(f"chroma.broken-{time.strftime('%Y%m%d-%H%M%S')}")
    if path.exists():
        path.rename(target)
    return target


class SchemaIndex:
    """One Chroma collection per database, kept in sync with its catalog."""

    def __init__(self, settings: Settings, client=None):
        self.settings = settings
        self.client = client if client is not None else make_client(settings)
        self.embedder = embedding_function(settings.embedding_model)
        self._lock = threading.Lock()
        self._collections: dict[str, Collection] = {}
        self._synced: dict[str, str] = {}  # collection -> fingerprint verified by this process

    def rebuild(self) -> None:
        """Move the embedded store aside and start an empty one (collections re-index on demand)."""
        with self._lock:
            quarantine_store(self.settings)
            self.client = make_client(self.settings)
            self._collections.clear()
            self._synced.clear()

    @staticmethod
    def collection_name(catalog: Catalog) -> str:
        digest = hashlib.sha1(catalog.database.encode()).hexdigest()[:16]
        return f"schema_{digest}"

    def sync(self, catalog: Catalog, progress: Callable[[float, str], None] | None = None) -> bool:
        """Make the collection match the catalog; returns True when it had to (re)index."""
        name = self.collection_name(catalog)
        with self._lock:
            if self._synced.get(name) == catalog.fingerprint:  # already checked in this process
                return False
            try:
                coll = self.client.get_or_create_collection(
                    name, embedding_function=self.embedder, metadata={"database": catalog.database}
                )
                if (coll.metadata or {}).get("fingerprint") == catalog.fingerprint and coll.count() == len(
                    catalog.tables
                ):
                    self._collections[name] = coll
                    self._synced[name] = catalog.fingerprint
                    return False
                self.client.delete_collection(name)
                coll = self.client.create_collection(
                    name,
                    embedding_function=self.embedder,
                    metadata={"database": catalog.database, "fingerprint": catalog.fingerprint},
                    configuration={"hnsw": {"space": "cosine"}},
                )
                tables = list(catalog.tables.values())
                batch = 16
                for start in range(0, len(tables), batch):
                    part = tables[start : start + batch]
                    coll.add(ids=[t.name for t in part], documents=[t.document() for t in part])
                    if progress:
                        done = min(start + batch, len(tables))
                        progress(done / len(tables), f"스키마 색인 중… ({done}/{len(tables)} 테이블)")
                self._collections[name] = coll
                self._synced[name] = catalog.fingerprint
                return True
            except IndexUnavailable:
                raise
            except Exception as exc:
                raise IndexUnavailable(
                    f"스키마 색인을 만들 수 없습니다 ({catalog.database}). "
                    f"색인 폴더({Path(self.settings.data_dir) / 'chroma'})를 "
                    f"지우고 다시 시도하세요: {exc}"
                ) from exc

    def retrieve(self, question: str, catalog: Catalog, _retry: bool = True) -> Retrieved:
        """Top ``top_k_tables`` tables for the question plus their foreign-key neighbours."""
        if not catalog.tables:
            return Retrieved([], {})
        name = self.collection_name(catalog)
        coll = self._collections.get(name)
        if coll is None:
            self.sync(catalog)
            coll = self._collections[name]
        try:
            res = coll.query(query_texts=[question], n_results=len(catalog.tables))
        except Exception as exc:
            if _retry and not self.settings.chroma_url:  # a broken embedded store is rebuilt once
                self.rebuild()
                return self.retrieve(question, catalog, _retry=False)
            raise IndexUnavailable(
                "스키마 색인 검색에 실패했습니다. "
                f"`python -m t2sql index --db {catalog.database}`로 색인을 다시 만들어 주세요: {exc}"
            ) from exc
        distances = res["distances"]
        assert distances is not None  # query() includes distances unless told otherwise
        scores = {tid: 1.0 - dist for tid, dist in zip(res["ids"][0], distances[0])}
        return rank_tables(question, catalog, scores, self.settings.top_k_tables, self.settings.max_prompt_tables)


def rank_tables(
    question: str, catalog: Catalog, similarity: dict[str, float], top_k: int, max_tables: int
) -> Retrieved:
    """Pure ranking step: similarity + keyword bonus, then foreign-key neighbours up to ``max_tables``.

    Only tables scoring close to the best one are chosen (a short prompt helps a small model), then
    bridge tables that join two chosen tables, then their other neighbours, best first: a question
    names the table it is about more often than the table it must join (measured on the natural
    corpus, in docs/BENCHMARKS.md), so a neighbour is kept whatever its own score.
    """
    q = question.lower()
    scores = {}
    for name, table in catalog.tables.items():
        hits = sum(1 for w in set(table.keywords()) if w in q)
        scores[name] = similarity.get(name, 0.0) + KEYWORD_BONUS * min(hits, 2)
    by_score = lambda n: (-scores[n], n)  # noqa: E731 — ties broken by name, so ranking is deterministic
    ranked = sorted(scores, key=by_score)
    best = max(scores[ranked[0]], 1e-6)
    limit = max(1, min(top_k, max_tables))
    chosen = [n for n in ranked[:limit] if n == ranked[0] or scores[n] >= best * CHOSEN_CUTOFF]
    candidates = set().union(*(catalog.neighbours(n) for n in chosen)) - set(chosen)
    bridges = [n for n in candidates if len(catalog.neighbours(n) & set(chosen)) >= 2]
    others = [n for n in candidates if n not in bridges]
    for extra in sorted(bridges, key=by_score) + sorted(others, key=by_score):
        if len(chosen) >= max_tables:
            break
        chosen.append(extra)
    return Retrieved(chosen, {n: round(scores[n], 4) for n in chosen})
