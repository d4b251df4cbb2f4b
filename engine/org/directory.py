"""Who is who: people's names as pages show them, and what administrators see of users, their positions
and the delegations of positions (each view one read-only transaction, for administrators only)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from engine.context import Context
from engine.errors import N_, Forbidden, NotFound
from engine.models import Delegation, OrgUnit, Position, Role, User
from engine.org.actors import Actor, load_actor


def names_of(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """Username → full name, for the usernames given (unknown ones are left out)."""
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    return dict(session.execute(select(User.username, User.full_name).where(User.username.in_(wanted))).all())


def require_admin(session: Session, username: str, now: datetime) -> Actor:
    """The administrator ``username``; Forbidden for anyone else."""
    actor = load_actor(session, username, now)
    if not actor.is_admin:
        raise Forbidden(N_("Only administrators may do this."))
    return actor


_POSITIONS = (
    select(
        Position.id,
        Position.user_id,
        Role.name_fa.label("role_fa"),
        Role.name_en.label("role_en"),
        OrgUnit.name_fa.label("unit_fa"),
        OrgUnit.name_en.label("unit_en"),
    )
    .join(Role, Role.id == Position.role_id)
    .join(OrgUnit, OrgUnit.id == Position.unit_id)
    .order_by(Position.id)
)


def _position(row) -> dict:
    return {
        "id": row.id,
        "user_id": row.user_id,
        "role_fa": row.role_fa,
        "role_en": row.role_en,
        "unit_fa": row.unit_fa,
        "unit_en": row.unit_en,
    }


def _user(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email or "",
        "locale": user.locale,
        "is_active": user.is_active,
        "is_admin": user.is_admin,
        "has_token": user.api_token_hash is not None,
    }


def users_overview(ctx: Context, admin: str) -> list[dict]:
    """Every user, by username, with their positions."""
    with ctx.db.read() as session:
        require_admin(session, admin, ctx.clock.now())
        users = session.scalars(select(User).order_by(User.username)).all()
        positions: dict[int, list[dict]] = {}
        for row in session.execute(_POSITIONS):
            positions.setdefault(row.user_id, []).append(_position(row))
    return [_user(u) | {"positions": positions.get(u.id, [])} for u in users]


def user_detail(ctx: Context, admin: str, user_id: int) -> dict:
    """One user with their positions, and the roles and units a new position may take."""
    with ctx.db.read() as session:
        require_admin(session, admin, ctx.clock.now())
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(N_("User {id} does not exist."), id=user_id)
        positions = [_position(r) for r in session.execute(_POSITIONS.where(Position.user_id == user_id))]
        roles = session.execute(select(Role.id, Role.name_fa, Role.name_en).order_by(Role.id)).all()
        units = session.execute(
            select(OrgUnit.id, OrgUnit.name_fa, OrgUnit.name_en).order_by(OrgUnit.id)
        ).all()
    return {
        "user": _user(user) | {"positions": positions},
        "roles": [{"id": i, "name_fa": fa, "name_en": en} for i, fa, en in roles],
        "units": [{"id": i, "name_fa": fa, "name_en": en} for i, fa, en in units],
    }


def delegations_overview(ctx: Context, admin: str) -> dict:
    """Every delegation, newest first (``last_day`` is the last day it covers), with the positions that
    may be delegated and the active users who may stand in."""
    with ctx.db.read() as session:
        now = ctx.clock.now()
        require_admin(session, admin, now)
        holder, substitute = aliased(User), aliased(User)
        delegations = session.execute(
            select(
                Delegation,
                holder.full_name.label("holder"),
                substitute.full_name.label("substitute"),
                Position.id.label("position_id"),
            )
            .join(Position, Position.id == Delegation.position_id)
            .join(holder, holder.id == Position.user_id)
            .join(substitute, substitute.id == Delegation.substitute_id)
            .order_by(Delegation.starts_at.desc(), Delegation.id.desc())
        ).all()
        positions = {
            row.id: _position(row) | {"holder": row.full_name, "username": row.username}
            for row in session.execute(
                _POSITIONS.add_columns(User.full_name, User.username)
                .join(User, User.id == Position.user_id)
                .order_by(None)
                .order_by(User.username, Position.id)
            )
        }
        people = session.execute(
            select(User.id, User.full_name, User.username)
            .where(User.is_active.is_(True))
            .order_by(User.username)
        ).all()
    return {
        "delegations": [
            {
                "id": d.id,
                "position": positions[position_id],
                "holder": holder_name,
                "substitute": substitute_name,
                "starts_at": d.starts_at,
                "last_day": d.ends_at - timedelta(seconds=1),
                "reason": d.reason,
                "active": d.starts_at <= now < d.ends_at,
                "past": d.ends_at <= now,
            }
            for d, holder_name, substitute_name, position_id in delegations
        ],
        "positions": list(positions.values()),
        "people": [{"id": i, "full_name": name, "username": username} for i, name, username in people],
    }
