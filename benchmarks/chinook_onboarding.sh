#!/usr/bin/env bash
# Chinook dev_ko after onboarding, in a fresh data directory, with no hand-written examples:
# exactly what a new customer gets. Onboarding never sees the dev set; afterwards the practice
# pairs are compared with it (same SQL / near-identical question / same result) and the count is
# reported. Reports go to docs/reports/chinook_onboard_<config>.json (dev texts removed).
#
#   bash benchmarks/chinook_onboarding.sh                  # onboard (60 min adapter) + default pipeline
#   TRAIN_MINUTES=0 bash benchmarks/chinook_onboarding.sh  # without the per-database adapter
#   bash benchmarks/chinook_onboarding.sh ablations        # each part switched off in turn (self-correction off)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
DB=${DB:-sqlite:///../shared/datasets/chinook/chinook.sqlite}
QUESTIONS=${QUESTIONS:-../shared/datasets/chinook/dev_ko.jsonl}
NAME=${NAME:-chinook}
export T2SQL_DATA_DIR=${WORK:-.t2sql/bench/onboard}
mkdir -p docs/reports

/usr/bin/time -f "onboarding wall time %e s" \
  $PY -m t2sql onboard --db "$DB" --train-minutes "${TRAIN_MINUTES:-60}"
$PY -m t2sql examples overlap --db "$DB" "$QUESTIONS" --json > "docs/reports/${NAME}_onboard_overlap.json"

run() {  # config name, then T2SQL_* settings for it
  local out="docs/reports/${NAME}_onboard_$1.json"; shift
  env "$@" $PY -m t2sql eval --db "$DB" --questions "$QUESTIONS" --out "$out"
  $PY benchmarks/strip_dev_texts.py "$out"
}

if [ "${1:-default}" = ablations ]; then
  run sc_off T2SQL_SELF_CORRECTION=off
  run no_vocabulary T2SQL_SELF_CORRECTION=off T2SQL_ONBOARD_ANNOTATIONS=false
  run no_values T2SQL_SELF_CORRECTION=off T2SQL_VALUE_LINKING=false
  run no_examples T2SQL_SELF_CORRECTION=off T2SQL_GENERATED_EXAMPLES=false
  run no_adapter T2SQL_SELF_CORRECTION=off T2SQL_ONBOARD_ADAPTER=false
  run no_grammar T2SQL_SELF_CORRECTION=off T2SQL_GRAMMAR=off
  run no_pruning T2SQL_SELF_CORRECTION=off T2SQL_PRUNE_COLUMNS=false
  run no_fixes T2SQL_SELF_CORRECTION=off T2SQL_FIX_SQL=false
  run no_doubts T2SQL_SELF_CORRECTION=candidates T2SQL_RETRY_DOUBTFUL=false  # doubts act through self-correction: compare with `default`
else
  run default T2SQL_SELF_CORRECTION=candidates
fi
