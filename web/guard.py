"""The public forms' spam guard: rate limits per client address and a small arithmetic challenge.

Both live in the database (``engine.guard``), so every web worker counts the same hits and a challenge
answers once, whatever worker serves the answer. A honeypot field that people never see catches
simple bots. The client address is ``remote_addr``: behind a reverse proxy, ``RAVAND_PROXY_COUNT``
makes ProxyFix take it from ``X-Forwarded-For`` (web/security.py).
"""

from __future__ import annotations

from flask import current_app, g, request

from engine.guard import challenges, limits

HONEYPOT = "website"


def client_address() -> str:
    return request.remote_addr or "unknown"


def allow(bucket: str) -> bool:
    """Count one hit on a bucket (``submit``, ``status``, ``door``) for this address; False beyond the
    limit, with the seconds to wait kept for the ``Retry-After`` header."""
    config = current_app.config
    limit = config.get(f"RAVAND_PUBLIC_{bucket.upper()}_LIMIT", 5 if bucket == "submit" else 30)
    window = config.get("RAVAND_PUBLIC_WINDOW_SECONDS", 10 * 60)
    verdict = limits.hit(
        current_app.extensions["ravand"], f"public-{bucket}:{client_address()}", limit, window
    )
    if not verdict.allowed:
        g.retry_after = verdict.retry_after
    return verdict.allowed


def new_challenge() -> challenges.Question:
    return challenges.new_challenge(current_app.extensions["ravand"])


def challenge_passed(token: str | None, answer: str | None) -> bool:
    return challenges.answer_challenge(current_app.extensions["ravand"], token, answer)
