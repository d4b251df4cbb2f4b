"""What every API blueprint needs: who is calling (session or personal token), the engine, CSRF for sessions.

A request that carries ``Authorization: Bearer <token>`` is authenticated by that token alone (and
needs no CSRF token: a browser never adds that header to a cross-site request by itself). A request
without it uses the login session, and its unsafe methods must carry the CSRF token in the
``X-CSRFToken`` header, as the pages' forms do.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user

from engine.org import accounts
from web.api_docs import ApiBlueprint
from web.api_errors import ApiError, install_error_handlers
from web.auth import AppUser
from web.case_access import ensure_named_visible
from web.context import engine as ctx
from web.extensions import csrf

__all__ = ["api_blueprint", "ctx", "identify", "require_user"]

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def bearer_token() -> str | None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def user_for_token(token: str) -> AppUser | None:
    actor = accounts.actor_for_token(ctx(), token)
    return AppUser(actor) if actor is not None else None


def identify() -> None:
    """Set ``g.api_user`` (None when anonymous); check CSRF for session-authenticated unsafe requests."""
    token = bearer_token()
    if token is not None:
        g.api_user = user_for_token(token)
        if g.api_user is None:
            raise ApiError(401, code="invalid_token")
        return
    g.api_user = current_user if current_user.is_authenticated else None
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


def ask_first() -> None:
    """Before the body is read: what the caller may not see is not found (``web.case_access``)."""
    if g.get("api_user") is not None:
        ensure_named_visible(g.api_user.username)


def require_user() -> AppUser:
    if g.get("api_user") is None:
        raise ApiError(401)
    return g.api_user


def api_blueprint(
    name: str,
    import_name: str,
    description: str,
    *,
    tag: str,
    login: bool = True,
    restricted: str | None = None,
) -> ApiBlueprint:
    """A flask-smorest blueprint with the API's authentication, CSRF rule and JSON errors.

    ``tag`` names the people its operations serve; ``login=False`` for what anyone may call;
    ``restricted`` says who alone may call any of them (documented as their 403)."""
    blp = ApiBlueprint(
        name, import_name, tag=tag, description=description, login=login, restricted=restricted
    )
    blp.before_request(identify)
    blp.before_request(ask_first)
    install_error_handlers(blp)
    csrf.exempt(blp)
    return blp
