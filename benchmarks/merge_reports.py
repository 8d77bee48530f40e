"""Merge per-database eval reports into one (items joined, summary recomputed, EX per database).

    python benchmarks/merge_reports.py DIR OUT.json     # every DIR/*.json
"""

import glob
import json
import sys

from t2sql.lab.evaluation import summarize

folder, out = sys.argv[1], sys.argv[2]
reports = [json.load(open(p, encoding="utf-8")) for p in sorted(glob.glob(f"{folder}/*.json"))]
items = [i for r in reports for i in r["items"]]
meta = {k: v for k, v in reports[0]["summary"].items() if k in ("model", "adapter", "backend", "machine")}
summary = summarize(items, meta) | {"per_database": {r["items"][0]["db_id"]: r["summary"]["ex"] for r in reports}}
json.dump({"summary": summary, "items": items}, open(out, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
print(json.dumps({k: summary[k] for k in ("n", "ex", "valid_sql_rate", "latency_ms_p50")}))
