"""The public forms' arithmetic challenge, kept on the server: single use, expiring, unreadable.

The page gets the two numbers to add and a random nonce; the answer stays in the ``challenge`` table.
The first attempt to answer a nonce deletes it, right or wrong, so a token cannot be replayed or
tried twice, and nothing in it tells the answer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete

from engine.calendar.jalali import to_latin_digits
from engine.context import Context
from engine.models import Challenge

LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class Question:
    a: int
    b: int
    token: str


def new_challenge(ctx: Context) -> Question:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    now = ctx.clock.now()
    nonce = secrets.token_urlsafe(24)
    with ctx.db.transaction() as session:
        session.execute(delete(Challenge).where(Challenge.expires_at < now))
        session.add(Challenge(nonce=nonce, answer=a + b, expires_at=now + LIFETIME))
    return Question(a, b, nonce)


def answer_challenge(ctx: Context, token: str | None, answer: str | None) -> bool:
    """True when the answer is right for a live token; the token is spent either way."""
    if not token or len(token) > 64:
        return False
    with ctx.db.transaction() as session:
        challenge = session.get(Challenge, token)
        if challenge is None:
            return False
        expected, expired = challenge.answer, challenge.expires_at < ctx.clock.now()
        session.delete(challenge)
    digits = to_latin_digits((answer or "").strip())
    return not expired and digits.isdigit() and len(digits) < 4 and int(digits) == expected
