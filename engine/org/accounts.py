"""Accounts: who a login, a session or an API token is. Passwords are argon2 hashes, API tokens random and
stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from engine import audit
from engine.context import Context
from engine.models import User
from engine.org.actors import Actor, actor_by_id, actor_by_token_hash

_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_api_token() -> tuple[str, str]:
    """A fresh token and the hash to store; the token itself is shown once and never stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_api_token(token)


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(ctx: Context, username: str, password: str) -> Actor | None:
    """The active user whose password this is, with their positions now; None otherwise."""
    with ctx.db.read() as session:
        password_hash = session.scalar(
            select(User.password_hash).where(User.username == username, User.is_active.is_(True))
        )
        if not verify_password(password_hash, password):
            return None
        user_id = session.scalar(select(User.id).where(User.username == username))
        return actor_by_id(session, user_id, ctx.clock.now())


def actor_for_session(ctx: Context, user_id: int) -> Actor | None:
    """The signed-in user of a web session (None once they are deactivated or deleted)."""
    with ctx.db.read() as session:
        return actor_by_id(session, user_id, ctx.clock.now())


def actor_for_token(ctx: Context, token: str) -> Actor | None:
    """The active user a personal API token belongs to."""
    with ctx.db.read() as session:
        return actor_by_token_hash(session, hash_api_token(token), ctx.clock.now())


def end_sessions(ctx: Context, username: str) -> None:
    """Log the user out everywhere: every web session they hold ends and their API token is revoked."""
    with ctx.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            return
        user.session_generation = (user.session_generation or 0) + 1
        user.api_token_hash = None
        audit.record(session, "signed_out", None, username, at=ctx.clock.now())


def set_locale(ctx: Context, username: str, locale: str) -> None:
    """The language a user reads Ravand in, kept for their next logins."""
    with ctx.db.transaction() as session:
        session.execute(update(User).where(User.username == username).values(locale=locale))
