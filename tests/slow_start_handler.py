"""A query handler whose module takes two seconds to import: a worker that starts slowly, as on a busy machine."""

import time

from t2sql.db.engine import run_job

time.sleep(2.0)


def handle(job):
    return run_job(job)
