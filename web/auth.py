"""Logging in and out, who the current user is, and the role checks every blueprint uses.

``current_user`` is an :class:`AppUser`: a plain snapshot of the ``app_user`` row and of the positions
the user holds at this moment (their own and those delegated to them), loaded once per request, so
templates and views never touch a detached ORM object. API clients may send
``Authorization: Bearer <token>`` instead of the session cookie.

Sessions are permanent cookies that expire after ``RAVAND_SESSION_MINUTES`` of inactivity (refreshed
on every request). Failed logins are counted per client address; after ``RAVAND_LOGIN_ATTEMPTS``
failures within ``RAVAND_LOGIN_WINDOW_SECONDS`` further attempts are refused with 429 until the window
passes. The counter lives in the process: each web worker counts on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import (
    AnonymousUserMixin,
    LoginManager,
    current_user,
    login_required,
    login_user,
    logout_user,
)

from engine.guard import limits
from engine.org import accounts
from engine.org.actors import Actor
from web.redirects import local_target

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "warning"
login_manager.session_protection = "basic"


class AppUser:
    """The signed-in user as the web layer sees it; ``positions`` are (role code, unit id, per-unit)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.id = actor.id
        self.username = actor.username
        self.full_name = actor.full_name
        self.email = actor.email
        self.is_admin = actor.is_admin
        self.is_active = True
        self.locale = actor.locale
        self.positions = actor.position_rows()
        self.role_codes = actor.role_codes

    def get_id(self) -> str:
        return str(self.id)

    def has_role(self, *role_codes: str) -> bool:
        return self.is_admin or bool(self.role_codes.intersection(role_codes))


class AnonymousUser(AnonymousUserMixin):
    id = None
    username = None
    full_name = ""
    is_admin = False
    locale = None
    positions: list = []
    role_codes: set = frozenset()

    def has_role(self, *role_codes: str) -> bool:
        return False


login_manager.anonymous_user = AnonymousUser


@login_manager.user_loader
def _load_user(user_id: str) -> AppUser | None:
    if not user_id.isdigit():
        return None
    actor = accounts.actor_for_session(current_app.extensions["ravand"], int(user_id))
    if actor is None or session.get("generation", 0) != actor.session_generation:
        return None  # logged out since, or the password changed: this session has ended
    return AppUser(actor)


@login_manager.request_loader
def _load_user_from_token(req) -> AppUser | None:
    header = req.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    actor = accounts.actor_for_token(current_app.extensions["ravand"], token.strip())
    return AppUser(actor) if actor is not None else None


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


@login_manager.unauthorized_handler
def _unauthorized():
    if _wants_json():
        return jsonify(code="unauthorized", message=_("Please log in to see this page.")), 401
    flash(_("Please log in to see this page."), "warning")
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def roles_required(*role_codes: str) -> Callable:
    """Let in only users holding one of the roles (own position or delegation), or an administrator."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*role_codes):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def admin_required(view: Callable) -> Callable:
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


# --- login throttling ---------------------------------------------------------------------------------
# Failures are counted in the database per account and per address. An account is blocked after
# RAVAND_LOGIN_ATTEMPTS failures in the window (a success of that account clears its own count only);
# an address after four times as many, so guessing across accounts from one address is bounded too,
# without one person's typos locking out colleagues behind the same address.


def _login_keys(username: str) -> tuple[str, str]:
    return f"login-user:{username.lower()}", f"login-addr:{request.remote_addr or 'unknown'}"


def _login_blocked(username: str) -> int:
    """Seconds to wait before this login may be tried, or 0."""
    ctx, config = current_app.extensions["ravand"], current_app.config
    limit, window = config["RAVAND_LOGIN_ATTEMPTS"], config["RAVAND_LOGIN_WINDOW_SECONDS"]
    user_key, address_key = _login_keys(username)
    for key, bound in ((user_key, limit), (address_key, 4 * limit)):
        verdict = limits.check(ctx, key, bound, window)
        if not verdict.allowed:
            return verdict.retry_after
    return 0


# --- views -----------------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(local_target(request.args.get("next"), "/inbox/"))
    error = None
    status = 200
    username = ""
    if request.method == "POST":
        config = current_app.config
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        if wait := _login_blocked(username):
            error = _("Too many failed attempts. Please wait a few minutes and try again.")
            status = 429
            g.retry_after = wait
        else:
            actor = accounts.authenticate(current_app.extensions["ravand"], username, password)
            app_user = AppUser(actor) if actor is not None else None
            if app_user is None:
                limits.record(current_app.extensions["ravand"], *_login_keys(username))
                error = _("The username or password is not correct.")
                status = 401
            else:
                limits.clear(current_app.extensions["ravand"], _login_keys(username)[0])
                # A new session at login: nothing of the anonymous one is kept but the language the
                # person chose on the login page, which wins over the account's own.
                chosen = session.get("lang")
                session.clear()
                session.permanent = True
                login_user(app_user)
                session["generation"] = actor.session_generation
                if chosen in config["RAVAND_LANGUAGES"]:
                    session["lang"] = chosen
                elif app_user.locale in config["RAVAND_LANGUAGES"]:
                    session["lang"] = app_user.locale
                return redirect(local_target(request.args.get("next"), "/inbox/"))
    return render_template("auth/login.html", error=error, username=username), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # Every session of the user ends, a copied cookie included, and their API token is revoked.
        accounts.end_sessions(current_app.extensions["ravand"], current_user.username)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.before_app_request
def _remember_language() -> None:
    """A signed-in user's language switch (?lang=) becomes their preference for the next logins."""
    chosen = request.args.get("lang")
    known = chosen in current_app.config["RAVAND_LANGUAGES"]
    if known and current_user.is_authenticated and current_user.locale != chosen:
        accounts.set_locale(current_app.extensions["ravand"], current_user.username, chosen)
        current_user.locale = chosen


@bp.app_errorhandler(403)
def _forbidden(_error):
    if _wants_json():
        return jsonify(code="forbidden", message=_("You are not allowed to see this page.")), 403
    message = _("You are not allowed to see this page.")
    return render_template("auth/error.html", status=403, message=message), 403


@bp.app_errorhandler(404)
def _not_found(_error):
    if _wants_json():
        return jsonify(code="not_found", message=_("This page was not found.")), 404
    return render_template("auth/error.html", status=404, message=_("This page was not found.")), 404


@bp.record_once
def _setup(state) -> None:
    app: Flask = state.app
    app.config.setdefault("RAVAND_SESSION_MINUTES", 8 * 60)
    app.config.setdefault("RAVAND_LOGIN_ATTEMPTS", 5)
    app.config.setdefault("RAVAND_LOGIN_WINDOW_SECONDS", 5 * 60)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=app.config["RAVAND_SESSION_MINUTES"])
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    login_manager.init_app(app)
