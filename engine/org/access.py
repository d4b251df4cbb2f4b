"""Who may act on a human task: its assignee, the holders of its role in its unit, and their substitutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, false, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import N_, NotFound
from engine.models import Delegation, HumanTask, Position, Role, User


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        raise NotFound(N_("Unknown user '{user}'."), user=username)
    return user


def acting_positions(session: Session, user: User, now: datetime) -> list[tuple[str, int, bool]]:
    """(role code, unit id, per-unit) of the user's own positions and of those delegated to them now."""
    own = select(Position.id).where(Position.user_id == user.id)
    delegated = select(Delegation.position_id).where(
        Delegation.substitute_id == user.id, Delegation.starts_at <= now, Delegation.ends_at > now
    )
    rows = session.execute(
        select(Role.code, Position.unit_id, Role.per_unit)
        .join(Position, Position.role_id == Role.id)
        .where(or_(Position.id.in_(own), Position.id.in_(delegated)))
    ).all()
    return [tuple(r) for r in rows]


def candidate_filter(positions: list[tuple[str, int, bool]]) -> ColumnElement[bool]:
    """SQL condition: a task whose role and unit match one of the given positions."""
    clauses = [
        HumanTask.role_code == role
        if not per_unit
        else and_(HumanTask.role_code == role, HumanTask.unit_id == unit)
        for role, unit, per_unit in positions
    ]
    return or_(*clauses) if clauses else false()


def may_act(session: Session, user: User | None, task: HumanTask, now: datetime) -> bool:
    if user is None or user.is_admin:
        return True
    if task.assignee is not None:
        return task.assignee == user.username
    return is_candidate(session, user, task, now)


# Built once: constructing a statement costs more than running it on the hot path of task completion.
_HOLDS_ROLE = (
    select(Position.id)
    .join(Role, Role.id == Position.role_id)
    .where(
        Role.code == bindparam("role"),
        or_(Role.per_unit.is_(False), Position.unit_id == bindparam("unit")),
        or_(
            Position.user_id == bindparam("user"),
            Position.id.in_(
                select(Delegation.position_id).where(
                    Delegation.substitute_id == bindparam("user"),
                    Delegation.starts_at <= bindparam("now"),
                    Delegation.ends_at > bindparam("now"),
                )
            ),
        ),
    )
    .limit(1)
)


@dataclass(frozen=True)
class Actor:
    """A user as the completion path needs them: admin or not, and the positions they act in now."""

    username: str
    is_admin: bool
    positions: tuple[tuple[str, int | None, bool], ...]  # (role code, unit id, per-unit role)

    def may_act(self, role_code: str | None, unit_id: int | None, assignee: str | None) -> bool:
        """``may_act`` for a task with that role, unit and assignee, with no further query."""
        if self.is_admin:
            return True
        if assignee is not None:
            return assignee == self.username
        return any(
            role == role_code and (not per_unit or unit == unit_id) for role, unit, per_unit in self.positions
        )


_USERS = User.__table__
_DELEGATED_NOW = (
    select(Delegation.position_id)
    .where(
        Delegation.substitute_id == _USERS.c.id,
        Delegation.starts_at <= bindparam("now"),
        Delegation.ends_at > bindparam("now"),
    )
    .correlate(_USERS)
)
# One row per position (own or delegated now), or one row of NULLs for a user who holds none.
_ACTOR = (
    select(_USERS.c.is_admin, Role.code, Position.unit_id, Role.per_unit)
    .select_from(_USERS)
    .outerjoin(Position, (Position.user_id == _USERS.c.id) | Position.id.in_(_DELEGATED_NOW))
    .outerjoin(Role, Role.id == Position.role_id)
    .where(_USERS.c.username == bindparam("username"), _USERS.c.is_active.is_(True))
)


def get_actor(session: Session, username: str, now: datetime) -> Actor:
    """The acting user and their positions now, in one statement (the path every completion takes).

    Raises NotFound for an unknown or inactive user.
    """
    rows = session.connection().execute(_ACTOR, {"username": username, "now": now}).all()
    if not rows:
        raise NotFound(N_("Unknown user '{user}'."), user=username)
    positions = tuple((r.code, r.unit_id, r.per_unit) for r in rows if r.code is not None)
    return Actor(username, rows[0].is_admin, positions)


def is_candidate(session: Session, user: User, task: HumanTask, now: datetime) -> bool:
    """Whether the user holds the task's role (in its unit, for per-unit roles), or has it delegated now."""
    params = {"role": task.role_code, "unit": task.unit_id, "user": user.id, "now": now}
    return session.scalar(_HOLDS_ROLE, params) is not None
