"""What administrators change: users, their passwords and API tokens, positions, delegations.

Every service checks that the caller is an administrator, validates, writes the change and an audit
event (who did what to whom; never a password or a token) in one transaction, and returns plain data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.calendar.jalali import TEHRAN, from_jalali_str
from engine.context import Context
from engine.errors import N_, Conflict, FieldErrors, InvalidData, NotFound
from engine.models import Delegation, OrgUnit, Position, Role, User
from engine.org.accounts import hash_password
from engine.org.delegation_end import release_claims
from engine.org.directory import require_admin
from engine.org.tokens import replace_token

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 8
LOCALES = ("fa", "en")
MAX_FULL_NAME = 200
MAX_EMAIL = 200
MAX_REASON = 300


@dataclass(frozen=True)
class Profile:
    """What an administrator sets about a user besides their username and password."""

    full_name: str
    email: str | None = None
    locale: str = "fa"
    is_active: bool = True
    is_admin: bool = False


def _invalid(field: str, template: str, **params) -> InvalidData:
    return InvalidData(template, field_errors={field: N_(template)}, **params)


def _checked_profile(profile: Profile, errors: FieldErrors) -> Profile:
    full_name = (profile.full_name or "").strip()
    email = (profile.email or "").strip() or None
    if not full_name:
        errors.add("full_name", N_("Enter the full name."))
    if email is not None and (len(email) > MAX_EMAIL or "@" not in email):
        errors.add("email", N_("Enter a valid e-mail address."))
    return Profile(
        full_name[:MAX_FULL_NAME],
        email,
        profile.locale if profile.locale in LOCALES else "fa",
        profile.is_active,
        profile.is_admin,
    )


def _check_password(password: str, errors: FieldErrors) -> None:
    if len(password or "") < MIN_PASSWORD:
        errors.add("password", N_("The password must have at least 8 characters."))


def _raise(errors: FieldErrors) -> None:
    """One InvalidData whose message is the first problem's, with every field's message."""
    if errors.errors:
        first = next(iter(errors.errors.values()))
        raise InvalidData(first.template, field_errors=errors.errors, **first.params)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("User {id} does not exist."), id=user_id)
    return user


def _record(session: Session, kind: str, admin: str, now: datetime, **data) -> None:
    audit.record(session, kind, None, admin, data=data, at=now)


def create_user(ctx: Context, admin: str, username: str, password: str, profile: Profile) -> dict:
    """A new user; returns their id and username."""
    username = (username or "").strip().lower()
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        require_admin(session, admin, now)
        errors = FieldErrors()
        if not USERNAME.match(username):
            errors.add(
                "username", N_("A username is 2 to 64 Latin letters, digits, dots, dashes or underscores.")
            )
        elif session.scalar(select(User.id).where(User.username == username)) is not None:
            errors.add("username", N_("The username '{username}' is taken."), username=username)
        profile = _checked_profile(profile, errors)
        _check_password(password, errors)
        _raise(errors)
        user = User(
            username=username,
            full_name=profile.full_name,
            email=profile.email,
            password_hash=hash_password(password),
            locale=profile.locale,
            is_active=profile.is_active,
            is_admin=profile.is_admin,
            created_at=now,
        )
        session.add(user)
        session.flush()
        _record(session, "user_created", admin, now, user=username, is_admin=profile.is_admin)
        return {"id": user.id, "username": user.username}


def update_user(ctx: Context, admin: str, user_id: int, profile: Profile) -> dict:
    """Change a user's name, e-mail, language, and whether they may log in or administer. An
    administrator may not lock themselves out."""
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        acting = require_admin(session, admin, now)
        user = _user(session, user_id)
        errors = FieldErrors()
        profile = _checked_profile(profile, errors)
        if user.id == acting.id and not (profile.is_active and profile.is_admin):
            errors.add(
                "is_admin", N_("You may not deactivate your own account or give up being an administrator.")
            )
        _raise(errors)
        before = {"full_name": user.full_name, "email": user.email, "locale": user.locale}
        before |= {"is_active": user.is_active, "is_admin": user.is_admin}
        user.full_name, user.email, user.locale = profile.full_name, profile.email, profile.locale
        user.is_active, user.is_admin = profile.is_active, profile.is_admin
        after = {"full_name": user.full_name, "email": user.email, "locale": user.locale}
        after |= {"is_active": user.is_active, "is_admin": user.is_admin}
        changed = {key: [before[key], value] for key, value in after.items() if before[key] != value}
        if changed:
            _record(session, "user_updated", admin, now, user=user.username, changed=changed)
        return {"id": user.id, "username": user.username, "changed": sorted(changed)}


def reset_password(ctx: Context, admin: str, user_id: int, password: str) -> None:
    """Give a user a new password (they have forgotten theirs, say)."""
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        require_admin(session, admin, now)
        user = _user(session, user_id)
        errors = FieldErrors()
        _check_password(password, errors)
        _raise(errors)
        user.password_hash = hash_password(password)
        # The old password's sessions and token end with it.
        user.session_generation = (user.session_generation or 0) + 1
        user.api_token_hash = None
        _record(session, "password_reset", admin, now, user=user.username)


def issue_token(ctx: Context, admin: str, user_id: int) -> str:
    """A new personal API token for a user, replacing theirs; shown once, stored only as a hash."""
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        require_admin(session, admin, now)
        user = _user(session, user_id)
        token = replace_token(user)
        _record(session, "api_token_issued", admin, now, user=user.username)
        return token


def add_position(ctx: Context, admin: str, user_id: int, role_id: int | None, unit_id: int | None) -> dict:
    """Give a user a role in a unit."""
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        require_admin(session, admin, now)
        user = _user(session, user_id)
        role = session.get(Role, role_id) if role_id else None
        unit = session.get(OrgUnit, unit_id) if unit_id else None
        if role is None or unit is None:
            raise _invalid("role_id" if role is None else "unit_id", N_("Choose a role and a unit."))
        held = select(Position.id).where(
            Position.user_id == user.id, Position.role_id == role.id, Position.unit_id == unit.id
        )
        if session.scalar(held) is not None:
            raise Conflict(N_("The user already holds this position."))
        position = Position(user_id=user.id, role_id=role.id, unit_id=unit.id)
        session.add(position)
        session.flush()
        _record(session, "position_added", admin, now, user=user.username, role=role.code, unit=unit.code)
        return {"id": position.id, "user": user.username, "role": role.code, "unit": unit.code}


def remove_position(ctx: Context, admin: str, user_id: int, position_id: int) -> None:
    """Take a position from a user (its delegations go with it)."""
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        require_admin(session, admin, now)
        user = _user(session, user_id)
        position = session.get(Position, position_id)
        if position is None or position.user_id != user.id:
            raise NotFound(N_("Position {id} does not exist."), id=position_id)
        role, unit = position.role.code, position.unit.code
        session.delete(position)
        _record(session, "position_removed", admin, now, user=user.username, role=role, unit=unit)


def _day_start(value: date | str, field: str) -> datetime:
    """The first moment of a day in Tehran; a text is a Jalali date (Persian or Latin digits)."""
    try:
        day = value if isinstance(value, date) else from_jalali_str(value or "")
    except (TypeError, ValueError):
        raise _invalid(field, N_("Enter the dates in Jalali, e.g. 1405/01/12.")) from None
    return datetime.combine(day, time(0), tzinfo=TEHRAN)


def add_delegation(
    ctx: Context,
    admin: str,
    position_id: int | None,
    substitute_id: int | None,
    first_day: date | str,
    last_day: date | str,
    reason: str | None = None,
) -> dict:
    """Hand a position to a substitute from the start of ``first_day`` to the end of ``last_day``
    (Tehran days, inclusive)."""
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        require_admin(session, admin, now)
        position = session.get(Position, position_id) if position_id else None
        substitute = session.get(User, substitute_id) if substitute_id else None
        if position is None or substitute is None:
            field = "position_id" if position is None else "substitute_id"
            raise _invalid(field, N_("Choose a position and a substitute."))
        starts = _day_start(first_day, "starts")
        ends = _day_start(last_day, "ends") + timedelta(days=1)
        if ends <= starts:
            raise _invalid("ends", N_("The delegation must end on or after the day it starts."))
        if substitute.id == position.user_id:
            raise _invalid("substitute_id", N_("A position cannot be delegated to its own holder."))
        delegation = Delegation(
            position_id=position.id,
            substitute_id=substitute.id,
            starts_at=starts,
            ends_at=ends,
            reason=(reason or "").strip()[:MAX_REASON] or None,
        )
        session.add(delegation)
        session.flush()
        _record(
            session,
            "delegation_added",
            admin,
            now,
            delegation=delegation.id,
            holder=position.user.username,
            role=position.role.code,
            unit=position.unit.code,
            substitute=substitute.username,
            starts_at=starts.isoformat(),
            ends_at=ends.isoformat(),
            reason=delegation.reason,
        )
        return {"id": delegation.id, "starts_at": starts, "ends_at": ends}


def end_delegation(ctx: Context, admin: str, delegation_id: int) -> dict:
    """End a delegation now: one still to come is withdrawn, one running stops at this moment (the
    tasks its substitute took through it go back to the group), one already over is left as it was.
    Returns whether it was ``withdrawn`` and how many tasks were released."""
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        require_admin(session, admin, now)
        delegation = session.get(Delegation, delegation_id)
        if delegation is None:
            raise NotFound(N_("Delegation {id} does not exist."), id=delegation_id)
        withdrawn, released = delegation.starts_at > now, 0
        if withdrawn:
            session.delete(delegation)
        elif delegation.ends_at > now:
            delegation.ends_at = now
            released = release_claims(session, delegation.id, now)
        else:
            return {"id": delegation_id, "withdrawn": False, "ends_at": delegation.ends_at}
        _record(
            session,
            "delegation_ended",
            admin,
            now,
            delegation=delegation_id,
            withdrawn=withdrawn,
            tasks_released=released,
        )
        return {
            "id": delegation_id,
            "withdrawn": withdrawn,
            "ends_at": None if withdrawn else now,
            "tasks_released": released,
        }
