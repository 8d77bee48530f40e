"""How much right SQL the schema grammar lets through: the share of the natural corpus's verified
SQL (every schema, every split) that ``sql_grammar`` admits over the SQL's own tables. A query the
grammar rejects is one the model cannot write while decoding under it. Prints one JSON line.

    python benchmarks/grammar_coverage.py                      # all natural schemas
    python benchmarks/grammar_coverage.py --rejected out.txt   # and the rejected SQL, one a line

An older commit is measured from a worktree (``PYTHONPATH=<worktree>``).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from t2sql.db.catalog import build_catalog
from t2sql.db.engine import Database
from t2sql.generation.grammar import accepts
from t2sql.guard.statement import tables_read
from t2sql.lab.corpus import build_database, read_pairs, schemas


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rejected", type=Path, help="write the rejected SQL here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    total, rejected = 0, []
    for schema in schemas():
        database = Database(f"sqlite:///{build_database(schema, work)}")
        catalog = build_catalog(database, {}, 5)
        for pair in read_pairs(schema):
            total += 1
            if not accepts(catalog, pair["sql"], tables_read(pair["sql"], catalog) or None):
                rejected.append(pair["sql"])
        database.dispose()
    if args.rejected:
        args.rejected.write_text("".join(sql + "\n" for sql in rejected), encoding="utf-8")
    admitted = total - len(rejected)
    print(json.dumps({"queries": total, "admitted": admitted, "share": round(admitted / total, 4)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
