#!/usr/bin/env bash
# The natural corpus's held-out test schemas (airline, crm_sales, energy_meter, hagwon; PER_SCHEMA questions
# each, even across difficulty), each onboarded the way a customer's database is (a data directory of its
# own under WORK, kept between runs so a second run re-uses the onboarding), then the default pipeline.
# T2SQL_* settings in the environment reach the evaluation, so parts can be compared on the same onboarding:
#
#   NAME=on bash benchmarks/natural_heldout_onboarding.sh
#   T2SQL_FIX_SQL=false NAME=off bash benchmarks/natural_heldout_onboarding.sh
#
# Report: docs/reports/heldout_onboard_<NAME>.json (per-database reports merged).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
WORK=${WORK:-.t2sql/bench/natural_heldout}
NAME=${NAME:-default}
mkdir -p "$WORK/$NAME" docs/reports
$PY -c "
from pathlib import Path; from t2sql.lab.corpus import export_eval
for db, q in export_eval(Path('$WORK/sets'), per_schema=${PER_SCHEMA:-5}): print(db, q)
" | while read -r db questions; do
  name=$(basename "$db" .sqlite)
  T2SQL_DATA_DIR=$WORK/data_$name $PY -m t2sql onboard --db "sqlite:///$db" --train-minutes "${TRAIN_MINUTES:-0}" > /dev/null
  T2SQL_DATA_DIR=$WORK/data_$name $PY -m t2sql eval --db "sqlite:///$db" --questions "$questions" \
    --out "$WORK/$NAME/$name.json" > /dev/null
done
PYTHONPATH=. $PY benchmarks/merge_reports.py "$WORK/$NAME" "docs/reports/heldout_onboard_$NAME.json"
