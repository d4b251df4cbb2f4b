"""Who may act on a human task: its assignee, the holders of its role in its unit, and their substitutes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, bindparam, exists, false, or_, select
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


def _holds_role(user_id) -> Select:
    """Positions of the user ``user_id`` (a bind parameter or a column) that hold the role asked for."""
    return (
        select(Position.id)
        .join(Role, Role.id == Position.role_id)
        .where(
            Role.code == bindparam("role"),
            or_(Role.per_unit.is_(False), Position.unit_id == bindparam("unit")),
            or_(
                Position.user_id == user_id,
                Position.id.in_(
                    select(Delegation.position_id).where(
                        Delegation.substitute_id == user_id,
                        Delegation.starts_at <= bindparam("now"),
                        Delegation.ends_at > bindparam("now"),
                    )
                ),
            ),
        )
        .limit(1)
    )


# Built once: constructing a statement costs more than running it on the hot path of task completion.
_HOLDS_ROLE = _holds_role(bindparam("user"))
_USERS = User.__table__
_ACTOR = select(_USERS.c.is_admin, exists(_holds_role(_USERS.c.id)).label("candidate")).where(
    _USERS.c.username == bindparam("username"), _USERS.c.is_active.is_(True)
)


def user_may_act(session: Session, username: str, task, now: datetime) -> bool:
    """``may_act`` for a user named by username, in one statement (the path every completion takes).

    Raises NotFound for an unknown or inactive user.
    """
    params = {"username": username, "role": task.role_code, "unit": task.unit_id, "now": now}
    actor = session.connection().execute(_ACTOR, params).first()
    if actor is None:
        raise NotFound(N_("Unknown user '{user}'."), user=username)
    if actor.is_admin:
        return True
    if task.assignee is not None:
        return task.assignee == username
    return actor.candidate


def is_candidate(session: Session, user: User, task: HumanTask, now: datetime) -> bool:
    """Whether the user holds the task's role (in its unit, for per-unit roles), or has it delegated now."""
    params = {"role": task.role_code, "unit": task.unit_id, "user": user.id, "now": now}
    return session.scalar(_HOLDS_ROLE, params) is not None
