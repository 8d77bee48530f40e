"""One training record as inference would prompt for it: the SQL's tables plus the retriever's
usual neighbours and noise, wide tables pruned by linking, linked values, optional examples.

Onboarding's practice pairs and the shared model's natural corpus both go through here, so
the per-database adapter and the shared one learn exactly the prompt the pipeline builds.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from t2sql.db.catalog import Catalog
from t2sql.guard.statement import tables_read
from t2sql.onboard.linking import ValueIndex, name_sql_columns, place, prune, schema_links
from t2sql.onboard.vocabulary import load_glossary
from t2sql.settings import Settings


def training_record(
    catalog: Catalog,
    annotations: dict,
    values: ValueIndex | None,
    question: str,
    sql: str,
    rng: random.Random,
    db_id: str,
    examples: Sequence[dict] = (),
    previous: dict | None = None,
    prune_columns: bool = True,
) -> dict:
    """``{"db_id", "context", "question", "answer", "values", "examples"?, "previous"?}``."""
    from t2sql.practice.generate import choose_tables  # off the pipeline's start-up path (it imports onboard)

    limit = Settings().max_prompt_tables  # the default: records are the same whatever the environment sets
    gold = tables_read(sql, catalog)
    tables = choose_tables(catalog, gold, rng, limit) if gold else list(catalog.tables)[:limit]
    glossary = load_glossary()
    links = place(values.link(question, glossary), tables, limit) if values else []
    keep = {}
    if prune_columns and annotations:
        named = schema_links(question, catalog, annotations, glossary)
        name_sql_columns(named, [sql, *(e["sql"] for e in examples), *([previous["sql"]] if previous else [])], catalog)
        keep = prune(catalog, annotations, tables, named, links)
    record: dict[str, object] = {
        "db_id": db_id,
        "context": catalog.ddl(tables, keep),
        "question": question,
        "answer": sql,
        "values": [v.render() for v in links],
        "split": "train",
    }
    if examples:
        record["examples"] = [{"question": e["question"], "sql": e["sql"]} for e in examples]
    if previous:
        record["previous"] = {"question": previous["question"], "sql": previous["sql"]}
    return record
