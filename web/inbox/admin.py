"""Administration: users, their positions (a role in a unit), and delegations of positions to substitutes.

Each form is one audited engine service (engine.org.administration); each page one read
(engine.org.directory)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine.errors import NotFound, RavandError
from engine.org import administration, directory
from engine.org.administration import Profile
from web.auth import admin_required
from web.bounds import id_arg
from web.inbox import bp
from web.inbox.common import engine, error_text, named


def position_label(position: dict) -> str:
    return f"{named(position, 'role')} — {named(position, 'unit')}"


def _profile(form, new: bool = False) -> Profile:
    """The profile a form sends; a new user is active (the form to create one does not ask)."""
    return Profile(
        full_name=form.get("full_name", ""),
        email=form.get("email"),
        locale=form.get("locale", "fa"),
        is_active=new or form.get("is_active") == "on",
        is_admin=form.get("is_admin") == "on",
    )


def _run(action, success: str | None) -> object | None:
    """Carry out one administration service; its result, or None after flashing why it was refused."""
    try:
        done = action(engine(), current_user.username)
    except NotFound:
        abort(404)
    except RavandError as exc:
        flash(error_text(exc), "danger")
        return None
    if success:
        flash(success, "success")
    return done


@bp.route("/admin/users/", methods=["GET", "POST"])
@admin_required
def admin_users():
    form = request.form
    if request.method == "POST":
        username = form.get("username", "").strip().lower()
        created = _run(
            lambda ctx, admin: administration.create_user(
                ctx, admin, username, form.get("password", ""), _profile(form, new=True)
            ),
            _("The user '{username}' was created.").format(username=username),
        )
        if created is not None:
            return redirect(url_for("inbox.admin_user", user_id=created["id"]))
    users = [
        u | {"positions": [position_label(p) for p in u["positions"]]}
        for u in directory.users_overview(engine(), current_user.username)
    ]
    sent = {k: v for k, v in form.items() if k != "password"}  # a refused form comes back as it was sent
    return render_template("inbox/admin/users.html", users=users, sent=sent), 422 if sent else 200


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
@admin_required
def admin_user(user_id: int):
    token = None
    if request.method == "POST":
        form = request.form
        action = form.get("action")
        if action == "profile":
            _run(
                lambda ctx, admin: administration.update_user(ctx, admin, user_id, _profile(form)),
                _("The changes were saved."),
            )
        elif action == "password":
            _run(
                lambda ctx, admin: administration.reset_password(
                    ctx, admin, user_id, form.get("password", "")
                ),
                _("The password was changed."),
            )
        elif action == "token":
            token = _run(lambda ctx, admin: administration.issue_token(ctx, admin, user_id), None)
        elif action == "add_position":
            _run(
                lambda ctx, admin: administration.add_position(
                    ctx, admin, user_id, id_arg(form, "role_id"), id_arg(form, "unit_id")
                ),
                _("The position was added."),
            )
        elif action == "remove_position":
            _run(
                lambda ctx, admin: administration.remove_position(
                    ctx, admin, user_id, id_arg(form, "position_id") or 0
                ),
                _("The position was removed."),
            )
        if token is None:
            return redirect(url_for("inbox.admin_user", user_id=user_id))
    try:
        shown = directory.user_detail(engine(), current_user.username, user_id)
    except NotFound:
        abort(404)
    user = shown["user"] | {"positions": [(p["id"], position_label(p)) for p in shown["user"]["positions"]]}
    return render_template(
        "inbox/admin/user.html",
        user=user,
        token=token,
        roles=[(r["id"], named(r, "name")) for r in shown["roles"]],
        units=[(u["id"], named(u, "name")) for u in shown["units"]],
    )


@bp.route("/admin/delegations/", methods=["GET", "POST"])
@admin_required
def admin_delegations():
    form = request.form
    if request.method == "POST":
        added = _run(
            lambda ctx, admin: administration.add_delegation(
                ctx,
                admin,
                id_arg(form, "position_id"),
                id_arg(form, "substitute_id"),
                form.get("starts", ""),
                form.get("ends", ""),
                form.get("reason"),
            ),
            _("The delegation was saved."),
        )
        if added is not None:
            return redirect(url_for("inbox.admin_delegations"))
    shown = directory.delegations_overview(engine(), current_user.username)
    delegations = [d | {"position": position_label(d["position"])} for d in shown["delegations"]]
    positions = [(p["id"], f"{p['holder']} — {position_label(p)}") for p in shown["positions"]]
    people = [(p["id"], f"{p['full_name']} ({p['username']})") for p in shown["people"]]
    page = render_template(
        "inbox/admin/delegations.html", delegations=delegations, positions=positions, people=people, sent=form
    )
    return page, 422 if request.method == "POST" else 200  # a refused form comes back as it was sent


@bp.post("/admin/delegations/<id:delegation_id>/end")
@admin_required
def admin_delegation_end(delegation_id: int):
    _run(
        lambda ctx, admin: administration.end_delegation(ctx, admin, delegation_id),
        _("The delegation was ended."),
    )
    return redirect(url_for("inbox.admin_delegations"))
