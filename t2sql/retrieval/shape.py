"""The kind of SQL a question asks for (a count, a grouping, a top N, a ratio, …), so the few-shot
examples a prompt shows are of the same kind and not only about the same words.

``sql_shape`` reads the kind off a query's tree. ``ShapeModel`` predicts it from a question's words
and syllables: one logistic regression per kind, trained on the natural corpus's training schemas
(the project's own questions, never a benchmark's) and shipped as ``t2sql/data/shape_model.json``;
``python -m t2sql lab shape-model`` retrains it when the corpus changes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from sqlglot import exp

from t2sql.fileio import write_text_atomic
from t2sql.sqltext import parse

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "shape_model.json"
KINDS = (
    "count",
    "sum",
    "avg",
    "minmax",
    "group",
    "having",
    "top",
    "join",
    "window",
    "negation",
    "subquery",
    "ratio",
    "dateparts",
)
DATE_FUNCTIONS = {"strftime", "date_trunc", "date_part", "extract", "year", "month", "to_char", "date_format"}


def sql_shape(sql: str, dialect: str = "sqlite") -> frozenset[str]:
    """The kinds of ``KINDS`` a query is made of; empty when it does not parse."""
    tree = parse(sql, dialect)
    if tree is None:
        return frozenset()
    kinds = {
        kind
        for kind, node in (
            ("count", exp.Count),
            ("sum", exp.Sum),
            ("avg", exp.Avg),
            ("minmax", (exp.Max, exp.Min)),
            ("group", exp.Group),
            ("having", exp.Having),
            ("join", exp.Join),
            ("window", exp.Window),
            ("negation", (exp.Not, exp.Except)),
            ("ratio", exp.Div),
        )
        if tree.find(node)
    }
    if tree.find(exp.Limit) and tree.find(exp.Order):
        kinds.add("top")
    if any(select is not tree for select in tree.find_all(exp.Select)):
        kinds.add("subquery")
    if tree.find(exp.Extract, exp.TimeToStr, exp.DateTrunc, exp.TimestampTrunc) or any(
        f.name.lower() in DATE_FUNCTIONS for f in tree.find_all(exp.Anonymous)
    ):
        kinds.add("dateparts")
    return frozenset(kinds)


def question_features(question: str) -> set[str]:
    """Words, and the syllables and syllable pairs and triples inside them (Korean glues endings on)."""
    words = re.findall(r"[가-힣a-z0-9%]+", question.lower())
    out = set(words)
    for word in words:
        for n in (1, 2, 3):
            out.update("#" + word[i : i + n] for i in range(len(word) - n + 1))
    return out


class ShapeModel:
    """Per kind, a bias and a weight per feature; a kind is predicted when its logit is above 0."""

    def __init__(self, weights: dict[str, dict[str, float]], bias: dict[str, float], corpus: str = ""):
        self.weights, self.bias, self.corpus = weights, bias, corpus

    def predict(self, question: str) -> frozenset[str]:
        features = question_features(question)
        return frozenset(
            kind
            for kind in KINDS
            if self.bias.get(kind, -1.0) + sum(self.weights.get(kind, {}).get(f, 0.0) for f in features) > 0
        )

    @classmethod
    def train(
        cls, pairs: Sequence[tuple[str, str]], dialect: str = "sqlite", epochs: int = 300, min_count: int = 4
    ) -> ShapeModel:
        """Logistic regression by full-batch gradient descent (numpy) over (question, SQL) pairs."""
        import numpy as np  # only the trainer needs it

        rows = [(question_features(q), sql_shape(s, dialect)) for q, s in pairs]
        counts = Counter(f for features, _ in rows for f in features)
        vocab = sorted(f for f, c in counts.items() if c >= min_count)
        index = {f: i for i, f in enumerate(vocab)}
        x = np.zeros((len(rows), len(vocab) + 1), np.float32)
        y = np.zeros((len(rows), len(KINDS)), np.float32)
        x[:, -1] = 1.0
        for r, (features, kinds) in enumerate(rows):
            x[r, [index[f] for f in features if f in index]] = 1.0
            y[r, [k for k, kind in enumerate(KINDS) if kind in kinds]] = 1.0
        w = np.zeros((x.shape[1], len(KINDS)), np.float32)
        for _ in range(epochs):
            p = 1.0 / (1.0 + np.exp(-(x @ w)))
            w -= 0.5 * (x.T @ (p - y) / len(rows) + 1e-3 * w)
        weights = {
            kind: {f: round(float(w[i, k]), 3) for f, i in index.items() if abs(w[i, k]) >= 0.01}
            for k, kind in enumerate(KINDS)
        }
        return cls(weights, {kind: round(float(w[-1, k]), 3) for k, kind in enumerate(KINDS)}, corpus_hash(pairs))

    def save(self, path: Path = MODEL_PATH) -> None:
        data = {"corpus": self.corpus, "bias": self.bias, "weights": self.weights}
        write_text_atomic(path, json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n")

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> ShapeModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["weights"], data["bias"], data.get("corpus", ""))


def corpus_hash(pairs: Iterable[tuple[str, str]]) -> str:
    """Which training pairs a model was made from (a test checks the shipped model is current)."""
    digest = hashlib.sha256()
    for question, sql in pairs:
        digest.update(f"{question}\t{sql}\n".encode())
    return digest.hexdigest()[:16]


@cache
def shape_model() -> ShapeModel | None:
    """The shipped model, or None when the file is missing (examples are then ranked by similarity alone)."""
    return ShapeModel.load() if MODEL_PATH.is_file() else None


def agreement(wanted: frozenset[str], shape: frozenset[str]) -> float:
    """How alike two kinds of SQL are (Jaccard; two plain selects are alike)."""
    union = wanted | shape
    return len(wanted & shape) / len(union) if union else 1.0


def rerank(question: str, found: list, k: int, weight: float, dialect: str = "sqlite") -> list:
    """``found``: (example, similarity) pairs, best first; the ``k`` best by similarity plus ``weight``
    times the agreement of the example's SQL with the kind of SQL the question asks for."""
    model = shape_model()
    if model is None or weight <= 0:
        return found[:k]
    wanted = model.predict(question)
    return sorted(found, key=lambda es: -(es[1] + weight * agreement(wanted, sql_shape(es[0].sql, dialect))))[:k]
