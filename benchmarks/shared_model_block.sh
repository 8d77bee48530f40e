#!/usr/bin/env bash
# One working block of the shared model's long run (`python -m t2sql train` with its defaults):
# train for MINUTES (resuming exactly from the last checkpoint), then keep the block's extracted
# adapter under $RUN-curve/<examples seen>/ for the learning curve, and with EVAL=1 measure it
# (benchmarks/shared_model.sh: Chinook dev + held-out natural schemas).
#
#   bash benchmarks/shared_model_block.sh                 # 150 minutes
#   MINUTES=60 EVAL=1 bash benchmarks/shared_model_block.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
RUN=${RUN:-.t2sql/runs/long}
$PY -m t2sql train --out "$RUN" --max-minutes "${MINUTES:-150}"
seen=$($PY -c "import json, sys; print(json.load(open(sys.argv[1]))['examples_seen'])" "$RUN/training_card.json")
keep="$RUN-curve/$seen"
mkdir -p "$keep"
cp "$RUN"/adapter_config.json "$RUN"/adapter_model.safetensors "$RUN"/training_card.json "$keep"/
echo "kept $keep"
if [ -n "${EVAL:-}" ]; then
  ADAPTER="$keep" NAME="long_$seen" REPORTS="${REPORTS:-.t2sql/runs/reports}" bash benchmarks/shared_model.sh
fi
