#!/usr/bin/env bash
# Training recipes for the shared model on a short budget, each from the base model on the same
# LIMIT natural-corpus examples in the same order, then each measured by benchmarks/shared_model.sh:
# LoRA r16 (the public recipe), LoRA r64, and full fine-tuning of every projection weight (shipped
# as a LoRA extracted from the change; the full model is measured too, to show what extraction costs).
#
#   bash benchmarks/shared_model_recipes.sh            # all three, then the shipped adapter
#   LIMIT=320 FULL_MODEL=1 bash benchmarks/shared_model_recipes.sh full   # also the unextracted full model
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
RUNS=${RUNS:-.t2sql/runs}
common=(--data natural --sections --templates 0 --limit "${LIMIT:-320}" --epochs 1 --max-steps 0 --seed 42
        --warmup-ratio 0.1 --save-minutes 5)

recipe() {
  case "$1" in
    r16) echo --method lora --lora-r 16 --lora-alpha 32 --learning-rate 2e-4 ;;
    r64) echo --method lora --lora-r 64 --lora-alpha 128 --learning-rate 2e-4 ;;
    full) echo --method full --lora-r 32 --learning-rate 5e-5 --full-model-dir "$RUNS/full_model" ;;
  esac
}

for name in ${@:-r16 full r64}; do
  # shellcheck disable=SC2046
  /usr/bin/time -f "$name: training wall time %e s" $PY -m t2sql train "${common[@]}" $(recipe "$name") --out "$RUNS/$name"
  ADAPTER=$RUNS/$name NAME=recipe_$name bash benchmarks/shared_model.sh
  if [ "$name" = full ] && [ -n "${FULL_MODEL:-}" ]; then  # what the LoRA extraction costs
    MODEL=$RUNS/full_model ADAPTER=none NAME=recipe_full_model bash benchmarks/shared_model.sh
  fi
done
