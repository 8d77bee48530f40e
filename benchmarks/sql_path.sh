#!/usr/bin/env bash
# The `sql` path with and without the query worker: the CLI's wall time (a new process, one query,
# so the worker's start is included) and the warm per-query time on one Pipeline, where
# `Database.run` (through the warm worker pool) is compared with `Database.run_here` (in this
# process: what every query did before the worker). Prints one JSON line.
#
#   bash benchmarks/sql_path.sh
set -euo pipefail
cd "$(dirname "$0")/.."
${PY:-.venv/bin/python} - <<'PY'
import json, statistics, subprocess, sys, time
from t2sql.guard import statement as guard
from t2sql.pipeline import Pipeline
from t2sql.settings import Settings

SQL = "SELECT city, count(*) AS n FROM customers GROUP BY city ORDER BY n DESC"
cli = [sys.executable, "-m", "t2sql", "sql", "--db", "shop", SQL]
subprocess.run(cli, check=True, capture_output=True)  # builds the sample once
walls = []
for _ in range(5):
    started = time.perf_counter()
    subprocess.run(cli, check=True, capture_output=True)
    walls.append(time.perf_counter() - started)

pipeline = Pipeline(Settings.from_env())
database = pipeline.database("shop")
approved = guard.check(SQL, database.dialect, 1000)


def p50(call, n=50):
    call()  # warm: the worker started, the connection opened
    times = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


print(json.dumps({
    "cli_wall_s_median": round(statistics.median(walls), 3),
    "pipeline_run_ms_p50": p50(lambda: pipeline.run("shop", SQL)),
    "execute_in_worker_ms_p50": p50(lambda: database.run(approved.sql)),
    "execute_in_process_ms_p50": p50(lambda: database.run_here(approved.sql)),
}))
PY
