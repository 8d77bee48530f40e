#!/usr/bin/env bash
# The shared model on databases it never saw, plain pipeline (no onboarding, no examples), each in a
# fresh data directory: Chinook dev_ko (40) and the natural corpus's held-out test schemas
# (airline, hagwon, energy_meter, crm_sales; PER_SCHEMA questions each, even across difficulty).
#
#   bash benchmarks/shared_model.sh                                  # the shipped adapter
#   ADAPTER=.t2sql/runs/full NAME=full bash benchmarks/shared_model.sh
#   MODEL=.t2sql/runs/full_model ADAPTER=none NAME=full_model bash benchmarks/shared_model.sh
#   SETS=heldout bash benchmarks/shared_model.sh                     # only the held-out schemas
#
# Reports: $REPORTS/shared_<NAME>_chinook.json (dev texts removed), shared_<NAME>_heldout.json
# (REPORTS defaults to docs/reports).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
NAME=${NAME:-shipped}
CHINOOK=${CHINOOK:-../shared/datasets/chinook}
export T2SQL_ADAPTER=${ADAPTER:-auto} T2SQL_MODEL=${MODEL:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
REPORTS=${REPORTS:-docs/reports}
mkdir -p "$REPORTS"

SETS=${SETS:-chinook heldout}
if [[ " $SETS " == *" chinook "* ]]; then
  T2SQL_DATA_DIR=$work/chinook $PY -m t2sql eval --db "sqlite:///$CHINOOK/chinook.sqlite" \
    --questions "$CHINOOK/dev_ko.jsonl" --out "$REPORTS/shared_${NAME}_chinook.json" > /dev/null
  $PY benchmarks/strip_dev_texts.py "$REPORTS/shared_${NAME}_chinook.json"
fi
[[ " $SETS " == *" heldout "* ]] || exit 0

$PY -c "
from pathlib import Path; from t2sql.lab.corpus import export_eval
for db, q in export_eval(Path('$work/heldout'), per_schema=${PER_SCHEMA:-10}): print(db, q)
" | while read -r db questions; do
  T2SQL_DATA_DIR=$work/heldout/data $PY -m t2sql eval --db "sqlite:///$db" --questions "$questions" \
    --out "$work/$(basename "$db" .sqlite).json" > /dev/null
done
$PY - "$work" "$REPORTS/shared_${NAME}_heldout.json" "$REPORTS/shared_${NAME}_chinook.json" <<'PY'
import glob, json, sys
from t2sql.lab.evaluation import summarize
reports = [json.load(open(p, encoding="utf-8")) for p in sorted(glob.glob(f"{sys.argv[1]}/*.json"))]
items = [i for r in reports for i in r["items"]]
meta = {k: v for k, v in reports[0]["summary"].items() if k in ("model", "adapter", "backend", "machine")}
summary = summarize(items, meta) | {"per_database": {r["items"][0]["db_id"]: r["summary"]["ex"] for r in reports}}
json.dump({"summary": summary, "items": items}, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False, indent=1)
keys = ("n", "ex", "valid_sql_rate", "latency_ms_p50")
shown = {"heldout": {k: summary[k] for k in keys}}
try:
    shown["chinook"] = {k: v for k, v in json.load(open(sys.argv[3], encoding="utf-8"))["summary"].items() if k in keys}
except FileNotFoundError:  # SETS=heldout
    pass
print(json.dumps(shown))
PY
