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
PYTHONPATH=. $PY benchmarks/merge_reports.py "$work" "$REPORTS/shared_${NAME}_heldout.json"
