"""Who may change what steers everyone's prompts: the admin role.

The admin view edits the verified examples and business definitions every later answer is built
from, so it is closed to browser users by default. An operator opens it with Streamlit's own login
(OIDC, ``[auth]`` in ``.streamlit/secrets.toml``, admins listed in ``T2SQL_ADMIN_EMAILS``) or with an
admin password (``T2SQL_ADMIN_PASSWORD`` or ``admin_password`` in the secrets). The password is
compared in constant time, and repeated failures lock it for every session at once.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable

from t2sql.errors import T2SQLError

MAX_FAILURES = 5
LOCKOUT_S = 300.0
MSG_LOCKED = "비밀번호가 {failures}번 틀려 관리 화면 로그인이 잠겼습니다. {minutes}분 뒤에 다시 시도하세요."


class AccessLocked(T2SQLError):
    """Too many wrong passwords: nobody may try again until the lockout ends."""


class AdminGate:
    """The admin password check, shared by every browser session of one app process."""

    def __init__(
        self,
        password: str,
        max_failures: int = MAX_FAILURES,
        lockout_s: float = LOCKOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._password = password.encode()
        self.max_failures, self.lockout_s, self._clock = max_failures, lockout_s, clock
        self._failures, self._locked_until = 0, 0.0
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return bool(self._password)

    def check(self, attempt: str) -> bool:
        """True for the right password; raises ``AccessLocked`` while locked (even for the right one)."""
        with self._lock:
            now = self._clock()
            if now < self._locked_until:
                raise AccessLocked(
                    MSG_LOCKED.format(
                        failures=self.max_failures, minutes=max(1, round((self._locked_until - now) / 60))
                    )
                )
            if self._password and hmac.compare_digest(attempt.encode(), self._password):
                self._failures = 0
                return True
            self._failures += 1
            if self._failures >= self.max_failures:
                self._failures, self._locked_until = 0, now + self.lockout_s
            return False


def is_admin_email(email: str | None, admins: str) -> bool:
    """``admins``: comma-separated e-mail addresses (case-insensitive)."""
    wanted = {a.strip().lower() for a in admins.split(",") if a.strip()}
    return email is not None and email.strip().lower() in wanted
