"""Seconds per batch, kernel time and peak memory of `train`'s defaults under one glibc malloc setting.

glibc's allocator decides much of a CPU run's time: with a small mmap threshold every large activation
buffer is mapped and unmapped (page faults, kernel time); with a large one the heap keeps freed buffers
and grows. Run once per setting, each in its own process (glibc reads the setting at start):

    for mb in 1 8 32; do
      MALLOC_MMAP_THRESHOLD_=$((mb << 20)) MALLOC_TRIM_THRESHOLD_=$((mb << 20)) \\
        .venv/bin/python benchmarks/training_memory.py --steps 8
    done
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from t2sql.lab.corpus import prepare_training  # noqa: E402
from t2sql.settings import Settings  # noqa: E402
from t2sql.tuning.training import TrainConfig, train  # noqa: E402


def main(steps: int) -> dict:
    marks: list[tuple[float, float, float]] = []  # (wall, user, system) after each batch

    def on_batch(done: int, total: int) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        marks.append((time.perf_counter(), usage.ru_utime, usage.ru_stime))

    with tempfile.TemporaryDirectory() as out:
        config = TrainConfig(out=out, max_steps=steps, val_limit=8, resume=False, save_minutes=0, save_steps=10_000)
        config = prepare_training(config, Settings.from_env(), print)  # the same data folder as `train`
        train(config, progress=None, on_batch=on_batch)
    gaps = [b[0] - a[0] for a, b in zip(marks, marks[1:])]  # the first batch (warm-up) is left out
    first, last = marks[0], marks[-1]
    return {
        "malloc_mmap_threshold": os.environ.get("MALLOC_MMAP_THRESHOLD_", "train's default (1 MiB)"),
        "batches_timed": len(gaps),
        "s_per_batch_median": round(statistics.median(gaps), 1),
        "user_s_per_batch": round((last[1] - first[1]) / len(gaps), 1),
        "system_s_per_batch": round((last[2] - first[2]) / len(gaps), 1),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8, help="batches to run (the first is not timed)")
    print(json.dumps(main(parser.parse_args().steps)))
