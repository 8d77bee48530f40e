#!/usr/bin/env bash
# The generated held-out domains (hotel_1, insurance_1; first 25 questions each), onboarded the way a
# customer's database is: no yaml annotations, a fresh data directory, the default pipeline.
# Needs the generated data: python -m t2sql gen-data && python -m t2sql export-eval
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
mkdir -p docs/reports .t2sql/bench/no_yaml
for db in hotel_1 insurance_1; do
  export T2SQL_SCHEMA_DIR=.t2sql/bench/no_yaml T2SQL_DATA_DIR=.t2sql/bench/heldout_$db
  $PY -m t2sql onboard --db ".t2sql/data/dbs/$db.duckdb" --train-minutes "${TRAIN_MINUTES:-0}"
  $PY -m t2sql eval --db ".t2sql/data/dbs/$db.duckdb" --questions ".t2sql/eval_test/$db.jsonl" --limit 25 \
      --out "docs/reports/test_${db}_onboard.json"
  # the same database without onboarding and without yaml (what a new user got before)
  T2SQL_DATA_DIR=.t2sql/bench/heldout_plain_$db $PY -m t2sql eval --db ".t2sql/data/dbs/$db.duckdb" \
      --questions ".t2sql/eval_test/$db.jsonl" --limit 25 --out "docs/reports/test_${db}_no_yaml.json"
done
