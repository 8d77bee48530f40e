"""Merge per-database eval reports into one (items joined, summary recomputed, EX per database).

PYTHONPATH=. python benchmarks/merge_reports.py DIR OUT.json     # every DIR/*.json
"""

import json
import sys
from pathlib import Path

from t2sql.lab.evaluation import summarize

folder, out = Path(sys.argv[1]), Path(sys.argv[2])
reports = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
items = [i for r in reports for i in r["items"]]
meta = {k: v for k, v in reports[0]["summary"].items() if k in ("model", "adapter", "backend", "machine")}
summary = summarize(items, meta) | {"per_database": {r["items"][0]["db_id"]: r["summary"]["ex"] for r in reports}}
out.write_text(json.dumps({"summary": summary, "items": items}, ensure_ascii=False, indent=1), encoding="utf-8")
print(json.dumps({k: summary[k] for k in ("n", "ex", "valid_sql_rate", "latency_ms_p50")}))
