"""Administration: users, their positions (a role in a unit), and delegations of positions to substitutes."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.calendar.jalali import TEHRAN, from_jalali_str
from engine.models import Delegation, OrgUnit, Position, Role, User, utcnow
from engine.org.accounts import hash_password, new_api_token
from web.auth import admin_required
from web.i18n import is_persian
from web.inbox import bp
from web.inbox.common import engine

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 8


def _choices(session) -> dict:
    name = (lambda x: x.name_fa) if is_persian() else (lambda x: x.name_en)
    return {
        "roles": [(r.id, name(r)) for r in session.scalars(select(Role).order_by(Role.id))],
        "units": [(u.id, name(u)) for u in session.scalars(select(OrgUnit).order_by(OrgUnit.id))],
    }


def position_label(position: Position) -> str:
    if is_persian():
        return f"{position.role.name_fa} — {position.unit.name_fa}"
    return f"{position.role.name_en} — {position.unit.name_en}"


@bp.route("/admin/users/", methods=["GET", "POST"])
@admin_required
def admin_users():
    ctx = engine()
    if request.method == "POST":
        form = request.form
        username = form.get("username", "").strip().lower()
        full_name = form.get("full_name", "").strip()
        password = form.get("password", "")
        with ctx.db.transaction() as session:
            if not USERNAME.match(username):
                flash(
                    _("A username is 2 to 64 Latin letters, digits, dots, dashes or underscores."), "danger"
                )
            elif session.scalar(select(User.id).where(User.username == username)):
                flash(_("The username '{username}' is taken.").format(username=username), "danger")
            elif not full_name:
                flash(_("Enter the full name."), "danger")
            elif len(password) < MIN_PASSWORD:
                flash(_("The password must have at least 8 characters."), "danger")
            else:
                user = User(
                    username=username,
                    full_name=full_name[:200],
                    email=form.get("email", "").strip() or None,
                    password_hash=hash_password(password),
                    is_admin=form.get("is_admin") == "on",
                    locale=form.get("locale") if form.get("locale") in ("fa", "en") else "fa",
                )
                session.add(user)
                session.flush()
                flash(_("The user '{username}' was created.").format(username=username), "success")
                return redirect(url_for("inbox.admin_user", user_id=user.id))
    with ctx.db.transaction() as session:
        users = session.scalars(
            select(User)
            .options(selectinload(User.positions).selectinload(Position.role))
            .options(selectinload(User.positions).selectinload(Position.unit))
            .order_by(User.username)
        ).all()
        rows = [
            {
                "id": u.id,
                "username": u.username,
                "full_name": u.full_name,
                "is_active": u.is_active,
                "is_admin": u.is_admin,
                "positions": [position_label(p) for p in u.positions],
            }
            for u in users
        ]
    return render_template("inbox/admin/users.html", users=rows)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def admin_user(user_id: int):
    ctx = engine()
    token = None
    with ctx.db.transaction() as session:
        user = session.get(User, user_id) or abort(404)
        if request.method == "POST":
            form = request.form
            action = form.get("action")
            if action == "profile":
                full_name = form.get("full_name", "").strip()
                if not full_name:
                    flash(_("Enter the full name."), "danger")
                else:
                    user.full_name = full_name[:200]
                    user.email = form.get("email", "").strip() or None
                    user.locale = form.get("locale") if form.get("locale") in ("fa", "en") else "fa"
                    user.is_active = form.get("is_active") == "on"
                    user.is_admin = form.get("is_admin") == "on"
                    flash(_("The changes were saved."), "success")
            elif action == "password":
                if len(form.get("password", "")) < MIN_PASSWORD:
                    flash(_("The password must have at least 8 characters."), "danger")
                else:
                    user.password_hash = hash_password(form["password"])
                    flash(_("The password was changed."), "success")
            elif action == "token":
                token, user.api_token_hash = new_api_token()
            elif action == "add_position":
                role = session.get(Role, form.get("role_id", type=int) or 0)
                unit = session.get(OrgUnit, form.get("unit_id", type=int) or 0)
                if role is None or unit is None:
                    flash(_("Choose a role and a unit."), "danger")
                elif any(p.role_id == role.id and p.unit_id == unit.id for p in user.positions):
                    flash(_("The user already holds this position."), "warning")
                else:
                    user.positions.append(Position(role=role, unit=unit))
                    flash(_("The position was added."), "success")
            elif action == "remove_position":
                position = session.get(Position, form.get("position_id", type=int) or 0)
                if position is not None and position.user_id == user.id:
                    session.delete(position)
                    flash(_("The position was removed."), "success")
            if token is None:
                return redirect(url_for("inbox.admin_user", user_id=user_id))
        session.flush()
        view = {
            "id": user.id,
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email or "",
            "locale": user.locale,
            "is_active": user.is_active,
            "is_admin": user.is_admin,
            "has_token": user.api_token_hash is not None,
            "positions": [
                (p.id, position_label(p))
                for p in session.scalars(
                    select(Position).where(Position.user_id == user.id).order_by(Position.id)
                )
            ],
        }
        choices = _choices(session)
    return render_template("inbox/admin/user.html", user=view, token=token, **choices)


def _tehran_day_start(text: str) -> datetime:
    return datetime.combine(from_jalali_str(text), time(0), tzinfo=TEHRAN)


@bp.route("/admin/delegations/", methods=["GET", "POST"])
@admin_required
def admin_delegations():
    ctx = engine()
    if request.method == "POST":
        form = request.form
        with ctx.db.transaction() as session:
            position = session.get(Position, form.get("position_id", type=int) or 0)
            substitute = session.get(User, form.get("substitute_id", type=int) or 0)
            try:
                starts = _tehran_day_start(form.get("starts", ""))
                ends = _tehran_day_start(form.get("ends", "")) + timedelta(days=1)
            except (TypeError, ValueError):
                starts = ends = None
            if position is None or substitute is None:
                flash(_("Choose a position and a substitute."), "danger")
            elif starts is None:
                flash(_("Enter the dates in Jalali, e.g. 1405/01/12."), "danger")
            elif ends <= starts:
                flash(_("The delegation must end on or after the day it starts."), "danger")
            elif substitute.id == position.user_id:
                flash(_("A position cannot be delegated to its own holder."), "danger")
            else:
                session.add(
                    Delegation(
                        position_id=position.id,
                        substitute_id=substitute.id,
                        starts_at=starts,
                        ends_at=ends,
                        reason=(form.get("reason") or "").strip()[:300] or None,
                    )
                )
                flash(_("The delegation was saved."), "success")
        return redirect(url_for("inbox.admin_delegations"))
    with ctx.db.transaction() as session:
        now = utcnow()
        delegations = session.scalars(
            select(Delegation)
            .options(selectinload(Delegation.position).selectinload(Position.user))
            .order_by(Delegation.starts_at.desc())
        ).all()
        users = session.scalars(select(User).where(User.is_active).order_by(User.username)).all()
        names = {u.id: u.full_name for u in users}
        rows = [
            {
                "id": d.id,
                "position": position_label(d.position),
                "holder": d.position.user.full_name,
                "substitute": names.get(d.substitute_id, "?"),
                "starts_at": d.starts_at,
                "ends_at": d.ends_at - timedelta(seconds=1),
                "reason": d.reason,
                "active": d.starts_at <= now < d.ends_at,
                "past": d.ends_at <= now,
            }
            for d in delegations
        ]
        positions = [
            (p.id, f"{p.user.full_name} — {position_label(p)}")
            for p in session.scalars(
                select(Position)
                .join(User, User.id == Position.user_id)
                .options(
                    selectinload(Position.user), selectinload(Position.role), selectinload(Position.unit)
                )
                .order_by(User.username, Position.id)
            )
        ]
        people = [(u.id, f"{u.full_name} ({u.username})") for u in users]
    return render_template(
        "inbox/admin/delegations.html", delegations=rows, positions=positions, people=people
    )


@bp.post("/admin/delegations/<int:delegation_id>/delete")
@admin_required
def admin_delegation_delete(delegation_id: int):
    with engine().db.transaction() as session:
        delegation = session.get(Delegation, delegation_id) or abort(404)
        session.delete(delegation)
    flash(_("The delegation was removed."), "success")
    return redirect(url_for("inbox.admin_delegations"))
