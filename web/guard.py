"""The public forms' spam guard: a rate limit per client address and a small arithmetic challenge.

The limiter counts in the web process (each worker on its own), like the login throttle. The
challenge is stateless: the expected answer travels in a signed, time-limited token, so a page can
be reloaded or opened in two tabs; a honeypot field that people never see catches simple bots.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from engine.calendar.jalali import to_latin_digits

CHALLENGE_MAX_AGE = 60 * 60
HONEYPOT = "website"


class RateLimiter:
    """At most ``limit`` hits per key within a sliding window of ``window`` seconds."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int, window: float) -> bool:
        """Count a hit and say whether it is within the limit."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True


def limiter() -> RateLimiter:
    return current_app.extensions.setdefault("ravand_public_limiter", RateLimiter())


def client_address() -> str:
    return request.remote_addr or "unknown"


def allow(bucket: str) -> bool:
    """Count one hit on a bucket (``submit``, ``status``) for this address; False beyond the limit."""
    config = current_app.config
    limit = config.get(f"RAVAND_PUBLIC_{bucket.upper()}_LIMIT", 5 if bucket == "submit" else 30)
    window = config.get("RAVAND_PUBLIC_WINDOW_SECONDS", 10 * 60)
    return limiter().allow(f"{bucket}:{client_address()}", limit, window)


@dataclass(frozen=True)
class Challenge:
    a: int
    b: int
    token: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="ravand-public-challenge")


def new_challenge() -> Challenge:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    return Challenge(a, b, _serializer().dumps({"sum": a + b, "n": secrets.token_hex(4)}))


def challenge_passed(token: str | None, answer: str | None) -> bool:
    if not token or not answer:
        return False
    try:
        expected = _serializer().loads(token, max_age=CHALLENGE_MAX_AGE)["sum"]
    except (BadSignature, KeyError, TypeError):
        return False
    digits = to_latin_digits(answer.strip())
    return digits.isdigit() and int(digits) == expected
