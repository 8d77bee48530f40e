#!/usr/bin/env bash
# Chinook dev_ko (real public DB, real Korean questions): the plain pipeline vs verified examples
# vs self-correction, each with the shipped adapter on this machine. Reports go to docs/reports/.
#
#   bash benchmarks/chinook_learning.sh                 # all configurations
#   bash benchmarks/chinook_learning.sh examples        # one of them
#   T2SQL_ADAPTER=adapters/sections PREFIX=sections_ bash benchmarks/chinook_learning.sh
#                                                       # another adapter -> chinook_sections_<config>.json
#   T2SQL_EXAMPLES_K=5 PREFIX=k5_ bash benchmarks/chinook_learning.sh examples
#                                                       # any T2SQL_* setting -> chinook_k5_<config>.json
#
# The examples are the project's own Chinook questions (benchmarks/chinook_examples*_ko.jsonl),
# imported with --disjoint-from so none repeats a dev question (import is idempotent; a store
# built from fewer files is topped up). The dev question and gold SQL
# texts are removed from the written reports (the dev set stays in ../shared; join on id).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
DB=sqlite:///../shared/datasets/chinook/chinook.sqlite
QUESTIONS=../shared/datasets/chinook/dev_ko.jsonl
WORK=${WORK:-.t2sql/bench}
mkdir -p "$WORK" docs/reports

for file in benchmarks/chinook_examples_ko.jsonl benchmarks/chinook_examples_more_ko.jsonl benchmarks/chinook_examples_extra_ko.jsonl; do
  T2SQL_DATA_DIR="$WORK/examples" $PY -m t2sql examples import --db "$DB" "$file" --disjoint-from "$QUESTIONS"
done

run() {  # name, data dir (empty store or the examples store), self-correction strategy
  local out="docs/reports/chinook_${PREFIX:-}$1.json"
  T2SQL_DATA_DIR="$WORK/$2" T2SQL_SELF_CORRECTION="$3" \
      $PY -m t2sql eval --db "$DB" --questions "$QUESTIONS" --out "$out"
  $PY - "$out" <<'PY'
import json, sys
path = sys.argv[1]
report = json.load(open(path, encoding="utf-8"))
for item in report["items"]:
    item.pop("question", None), item.pop("gold_sql", None)
report["summary"]["note"] = ("question and gold_sql texts removed: the Chinook dev set stays in ../shared "
                             "(measurement data is not copied into the repository); join on id to read them")
json.dump(report, open(path, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
}

want=${1:-all}
for config in "adapter plain off" "repair plain repair" "candidates plain candidates" \
              "examples examples off" "examples_repair examples repair" "examples_candidates examples candidates"; do
  set -- $config
  if [ "$want" = all ] || [ "$want" = "$1" ]; then run "$1" "$2" "$3"; fi
done
