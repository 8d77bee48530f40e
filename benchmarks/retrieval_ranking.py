"""Where the retriever puts the tables a question needs (no model): the share of questions whose
SQL's first FROM table is ranked first (the small model writes its FROM from the first table far
more often than from any other), whose tables all reach the prompt, and the prompt's table count.

    python benchmarks/retrieval_ranking.py                          # natural corpus, train schemas, bare
    python benchmarks/retrieval_ranking.py --split test --rendering annotated
    python benchmarks/retrieval_ranking.py --db sqlite:///../shared/datasets/chinook/chinook.sqlite \
        --questions ../shared/datasets/chinook/dev_ko.jsonl
    ... --no-name-hints                                             # without the glossary's names

    python benchmarks/retrieval_ranking.py --report docs/reports/shared_long_3536_chinook.json
        # an eval report instead: where the model's own FROM table sat among the prompt's tables
    python benchmarks/retrieval_ranking.py --report .t2sql/natural_templates_0.2_42/train.jsonl
        # training records: where the answer's FROM table sits in the DDL the model learned from

An older commit is measured with ``--no-name-hints`` from a worktree (``PYTHONPATH=<worktree>``).

``bare`` is the schema as introspected (English identifiers only, what a new database looks like
before onboarding); ``annotated`` adds onboarding's vocabulary. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from pathlib import Path

from t2sql.db.catalog import Catalog, build_catalog
from t2sql.db.engine import Database
from t2sql.fileio import read_jsonl
from t2sql.guard.statement import tables_read
from t2sql.lab.corpus import build_database, onboarded, read_pairs, schemas, split_of
from t2sql.onboard.vocabulary import load_glossary
from t2sql.retrieval.schema_index import SchemaIndex
from t2sql.settings import Settings

FIRST_FROM = re.compile(r'\bFROM\s+"?(\w+)', re.IGNORECASE)
CREATE = re.compile(r'CREATE TABLE "?(\w+)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="train", choices=["train", "validation", "test"])
    parser.add_argument("--rendering", default="bare", choices=["bare", "annotated"])
    parser.add_argument("--per-schema", type=int, default=30, help="questions per natural schema (seeded)")
    parser.add_argument("--db", help="measure this database instead of the natural corpus")
    parser.add_argument("--questions", help="JSONL with question and sql (with --db)")
    parser.add_argument("--no-name-hints", action="store_true")
    parser.add_argument("--report", help="an eval report: positions of the predicted FROM table")
    args = parser.parse_args()
    if args.report:
        return from_report(Path(args.report))

    work = Path(tempfile.mkdtemp())
    index = SchemaIndex(Settings(data_dir=work / "data"))

    def prepared(catalog: Catalog) -> Catalog:
        """The catalog as the pipeline serves it: with the glossary's names unless told not to."""
        if not args.no_name_hints:
            from t2sql.onboard.annotate import name_hints  # not at import: the script also measures older commits

            name_hints(catalog, load_glossary())
        return catalog

    cases = []  # (catalog, question, sql)
    if args.db:
        catalog = prepared(build_catalog(Database(args.db), {}, 5))
        cases = [(catalog, q["question"], q["sql"]) for q in read_jsonl(Path(args.questions))]
    else:
        for schema in (s for s in schemas() if split_of(s) == args.split):
            path = build_database(schema, work)
            if args.rendering == "annotated":
                catalog = prepared(onboarded(path, work)[1])
            else:
                catalog = prepared(build_catalog(Database(f"sqlite:///{path}"), {}, 5))
            pairs = [p for p in read_pairs(schema) if not p.get("previous")]
            random.Random(0).shuffle(pairs)
            cases += [(catalog, p["question"], p["sql"]) for p in pairs[: args.per_schema]]
    first = every = shown = n = 0
    for catalog, question, sql in cases:
        found = FIRST_FROM.search(sql)
        if not found or found.group(1) not in catalog.tables:
            continue  # a FROM over a CTE or a derived table: no single table to look for
        got = index.retrieve(question, catalog).tables
        n += 1
        first += got[:1] == [found.group(1)]
        every += set(tables_read(sql, catalog)) <= set(got)
        shown += len(got)
    source = args.db or f"natural/{args.split}/{args.rendering}"
    print(
        json.dumps(
            {
                "source": source,
                "name_hints": not args.no_name_hints,
                "n": n,
                "first_table_ranked_first": round(first / n, 3),
                "all_tables_in_prompt": round(every / n, 3),
                "mean_prompt_tables": round(shown / n, 2),
            }
        )
    )
    return 0


def from_report(path: Path) -> int:
    """How often the model's FROM table was the prompt's first table, next to how often it should be."""
    if path.suffix == ".jsonl":  # training records: the answer's FROM table among the DDL's tables
        pairs = [(r["answer"], CREATE.findall(r["context"])) for r in read_jsonl(path)]
    else:
        pairs = [(i.get("pred_sql") or "", i["tables"]) for i in json.loads(path.read_text(encoding="utf-8"))["items"]]
    positions: dict[int, int] = {}
    for sql, tables in pairs:
        found = FIRST_FROM.search(sql)
        if found and found.group(1) in tables:
            k = tables.index(found.group(1))
            positions[k] = positions.get(k, 0) + 1
    n = sum(positions.values())
    print(
        json.dumps(
            {
                "report": str(path),
                "n": n,
                "from_first_table": round(positions.get(0, 0) / n, 3),
                "positions": dict(sorted(positions.items())),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
