"""The bounded first-come-first-served line in front of the shared model."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import contextmanager

from t2sql.errors import ModelUnavailable


class ModelBusy(ModelUnavailable):
    """Too many questions are already waiting for the shared model."""


class Turnstile:
    """A bounded first-come-first-served line in front of the shared model.

    Every browser session shares one loaded model; a CPU can only run one generation well at
    a time. Waiters learn their place in line (for a wait indicator) and arrivals beyond
    ``capacity`` are turned away at once with a Korean message instead of piling up.
    """

    def __init__(self, capacity: int = 32, concurrency: int = 1):
        self.capacity = capacity
        self.concurrency = concurrency
        self._cond = threading.Condition()
        self._line: list[object] = []
        self._running = 0

    @contextmanager
    def enter(self, on_wait: Callable[[int], None] | None = None, poll_s: float = 0.5):
        """Wait for a turn; ``on_wait(n)`` is told how many are ahead, whenever that number changes."""
        ticket = object()
        reported = None
        with self._cond:
            if len(self._line) >= self.capacity:
                raise ModelBusy(
                    f"지금 질문이 많아 모델이 바쁩니다 (대기 {len(self._line)}명). 잠시 후 다시 시도하세요."
                )
            self._line.append(ticket)
        try:
            while True:
                with self._cond:
                    ahead = self._line.index(ticket) + self._running - self.concurrency + 1
                    if ahead <= 0:
                        self._line.remove(ticket)
                        self._running += 1
                        break
                    self._cond.wait(poll_s)
                if on_wait and ahead != reported:
                    reported = ahead
                    on_wait(ahead)
        except BaseException:
            with self._cond:
                if ticket in self._line:
                    self._line.remove(ticket)
                self._cond.notify_all()
            raise
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()

    def load(self) -> tuple[int, int]:
        """(running, waiting) right now."""
        with self._cond:
            return self._running, len(self._line)
