"""Sliding-window rate limits counted in the database, so that every web worker sees the same count.

A key names what is counted (``public-submit:<address>``, ``login-user:<name>``,
``login-addr:<address>``). Old hits of a key are deleted when it is counted again, and every hit older
than a day whenever one in a hundred hits is counted, so the table stays small.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select

from engine.context import Context
from engine.models import RateHit

KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the oldest counted hit leaves the window (0 when allowed)


def _state(session, key: str, limit: int, window: float, now) -> Verdict:
    since = now - timedelta(seconds=window)
    count, oldest = session.execute(
        select(func.count(RateHit.id), func.min(RateHit.at)).where(RateHit.key == key, RateHit.at > since)
    ).one()
    if count < limit:
        return Verdict(True, 0)
    wait = (oldest + timedelta(seconds=window) - now).total_seconds() if oldest else window
    return Verdict(False, max(1, int(wait) + 1))


def _evict_now_and_then(session, now) -> None:
    if secrets.randbelow(100) == 0:
        session.execute(delete(RateHit).where(RateHit.at < now - KEEP))


def hit(ctx: Context, key: str, limit: int, window: float) -> Verdict:
    """Count one hit on ``key`` unless it is already at its limit; say whether it was allowed."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        verdict = _state(session, key, limit, window, now)
        if verdict.allowed:
            session.execute(
                delete(RateHit).where(RateHit.key == key, RateHit.at <= now - timedelta(seconds=window))
            )
            session.add(RateHit(key=key, at=now))
            _evict_now_and_then(session, now)
        return verdict


def check(ctx: Context, key: str, limit: int, window: float) -> Verdict:
    """Whether ``key`` is below its limit, counting nothing."""
    with ctx.db.read() as session:
        return _state(session, key, limit, window, ctx.clock.now())


def record(ctx: Context, *keys: str) -> None:
    """Count a hit on each key without asking (a failed login counts even when already blocked)."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        session.add_all(RateHit(key=key, at=now) for key in keys)
        _evict_now_and_then(session, now)


def clear(ctx: Context, key: str) -> None:
    with ctx.db.transaction() as session:
        session.execute(delete(RateHit).where(RateHit.key == key))
