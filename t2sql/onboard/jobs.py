"""Onboarding in the background, one job per database per process (the app's onboarding).

The database stays usable meanwhile: the pipeline picks each stage's result up as it lands
(``Onboarding.run`` refreshes the pipeline's caches after every stage).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from t2sql.errors import T2SQLError
from t2sql.onboard.stages import Onboarding, Progress


@dataclass
class Job:
    label: str
    progress: Progress = field(default_factory=lambda: Progress("start", 0.0, "온보딩을 시작합니다…"))
    status: str = "running"  # running / done / failed
    error: str = ""
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.status == "running"


_JOBS: dict[str, Job] = {}
_LOCK = threading.Lock()


def start(pipeline, db: str, train_minutes: float | None = None, practice_pairs: int | None = None) -> Job:
    """Start onboarding ``db`` unless it is already running here; returns its job."""
    onboarding = Onboarding(pipeline, db)
    label = onboarding.database.label
    with _LOCK:
        job = _JOBS.get(label)
        if job is not None and job.running:
            return job
        job = _JOBS[label] = Job(label)

    def work() -> None:
        settings = pipeline.settings
        try:
            onboarding.run(
                settings.train_minutes if train_minutes is None else train_minutes,
                settings.practice_pairs if practice_pairs is None else practice_pairs,
                progress=lambda p: setattr(job, "progress", p),
            )
            job.status = "done"
        except T2SQLError as exc:
            job.status, job.error = "failed", str(exc)
        except Exception as exc:  # a background thread must say why it stopped, in Korean
            job.status, job.error = "failed", f"온보딩 중 오류가 났습니다: {exc}"

    job.thread = threading.Thread(target=work, name=f"onboard-{label}", daemon=True)
    job.thread.start()
    return job


def get(label: str) -> Job | None:
    with _LOCK:
        return _JOBS.get(label)
