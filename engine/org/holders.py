"""The holders rule in SQL: who holds a role in a unit now, directly or by a delegation running now.

``Actor.holds`` answers it for one user already loaded; the statements here answer it for the
database: the tasks a user may take (``task_filter``) and the people a task is for (``HOLDERS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, false, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.models import Delegation, HumanTask, Position, Role, User


def task_filter(positions: list[tuple[str, int, bool]]) -> ColumnElement[bool]:
    """SQL condition on ``HumanTask``: its role and unit match one of the (role, unit, per unit) positions."""
    clauses = [
        HumanTask.role_code == role
        if not per_unit
        else and_(HumanTask.role_code == role, HumanTask.unit_id == unit)
        for role, unit, per_unit in positions
    ]
    return or_(*clauses) if clauses else false()


def _holders_statement():
    """Active users holding the role ``:role`` (in unit ``:unit`` for a per-unit role) or substituting
    now (``:now``) for one of its holders; each row is the user's id, username, full name, e-mail and
    locale, ordered by full name."""
    positions = (
        select(Position.id)
        .join(Role, Role.id == Position.role_id)
        .where(
            Role.code == bindparam("role"),
            or_(Role.per_unit.is_(False), Position.unit_id == bindparam("unit")),
        )
    )
    holders = select(Position.user_id).where(Position.id.in_(positions))
    substitutes = select(Delegation.substitute_id).where(
        Delegation.position_id.in_(positions),
        Delegation.starts_at <= bindparam("now"),
        Delegation.ends_at > bindparam("now"),
    )
    users = User.__table__
    return (
        select(users.c.id, users.c.username, users.c.full_name, users.c.email, users.c.locale)
        .where(users.c.is_active.is_(True), users.c.id.in_(holders.union(substitutes)))
        .order_by(users.c.full_name, users.c.id)
    )


HOLDERS = _holders_statement()


@dataclass(frozen=True)
class Person:
    username: str
    full_name: str


def holders_of(session: Session, role: str | None, unit_id: int | None, now: datetime) -> list[Person]:
    """The people who hold the role in the unit now (own position or delegation)."""
    if role is None:
        return []
    rows = session.connection().execute(HOLDERS, {"role": role, "unit": unit_id, "now": now})
    return [Person(r.username, r.full_name) for r in rows]
