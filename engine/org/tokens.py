"""Personal API tokens: a user makes one (replacing any earlier one) or revokes it. A token is shown
once; only its SHA-256 is stored."""

from __future__ import annotations

from sqlalchemy import select

from engine import audit
from engine.context import Context
from engine.errors import N_, NotFound
from engine.models import User
from engine.org.accounts import new_api_token


def replace_token(user: User) -> str:
    """Give the user (a row of the caller's transaction) a new token; returns the token itself."""
    token, user.api_token_hash = new_api_token()
    return token


def _active_user(session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username, User.is_active.is_(True)))
    if user is None:
        raise NotFound(N_("Unknown user '{user}'."), user=username)
    return user


def create_token(ctx: Context, username: str) -> str:
    """A new personal token for the user, replacing theirs."""
    with ctx.db.transaction() as session:
        token = replace_token(_active_user(session, username))
        audit.record(session, "api_token_issued", None, username, at=ctx.clock.now())
        return token


def revoke_token(ctx: Context, username: str) -> None:
    """The user's token stops working now."""
    with ctx.db.transaction() as session:
        user = _active_user(session, username)
        if user.api_token_hash is not None:
            user.api_token_hash = None
            audit.record(session, "api_token_revoked", None, username, at=ctx.clock.now())
