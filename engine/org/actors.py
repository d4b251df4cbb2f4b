"""Who is acting: a user and the positions they act in now — their own, and those delegated to them.

An ``Actor`` is loaded by one statement (the path every completion takes) and answers the holders
rule — "holds the role in the unit, directly or by delegation" — without another query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from engine.errors import N_, NotFound
from engine.models import Delegation, OrgUnit, Position, Role, User


@dataclass(frozen=True)
class ActingPosition:
    """A role in a unit that someone acts in now; ``per_unit`` roles bind tasks of that unit only."""

    role: str
    unit_id: int
    per_unit: bool
    unit_code: str
    unit_kind: str
    delegated: bool = False
    delegation_id: int | None = None


@dataclass(frozen=True)
class Actor:
    """A user as the engine's rules need them."""

    id: int
    username: str
    full_name: str
    is_admin: bool
    locale: str = "fa"
    email: str | None = None
    positions: tuple[ActingPosition, ...] = ()
    session_generation: int = 0

    @property
    def role_codes(self) -> frozenset[str]:
        return frozenset(p.role for p in self.positions)

    def has_role(self, *roles: str) -> bool:
        """Holds one of the roles anywhere (administrators count as holding every role)."""
        return self.is_admin or not self.role_codes.isdisjoint(roles)

    def holds(self, role: str | None, unit_id: int | None) -> bool:
        """The holders rule: the role in the unit (in any unit for a role that is not per unit)."""
        return role is not None and any(
            p.role == role and (not p.per_unit or p.unit_id == unit_id) for p in self.positions
        )

    def may_work_on(self, task) -> bool:
        """Claim, save a draft, complete: an administrator, the assignee, or — while nobody has claimed
        it — a holder of the task's role in its unit (own position or delegation). A task taken
        through a delegation is the assignee's only while that delegation runs."""
        if self.is_admin:
            return True
        if task.assignee is not None:
            return task.assignee == self.username and self.claim_stands(task)
        return self.holds(task.role_code, task.unit_id)

    def claim_stands(self, task) -> bool:
        """The actor's hold on a task they were given: lasting, unless it came through a delegation
        that has ended since (or was revoked)."""
        through = getattr(task, "delegation_id", None)
        return through is None or any(p.delegation_id == through for p in self.positions)

    def delegation_for(self, role: str | None, unit_id: int | None) -> int | None:
        """The delegation through which the actor holds the role in the unit, when they hold it only
        that way (None when it is their own position, or they do not hold it)."""
        matching = [p for p in self.positions if p.role == role and (not p.per_unit or p.unit_id == unit_id)]
        if not matching or any(p.delegation_id is None for p in matching):
            return None
        return matching[0].delegation_id

    def position_rows(self) -> list[tuple[str, int, bool]]:
        """(role, unit id, per unit) of every acting position: what ``holders.task_filter`` takes."""
        return [(p.role, p.unit_id, p.per_unit) for p in self.positions]


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
_DELEGATION_ID = (
    select(func.min(Delegation.id))
    .where(
        Delegation.position_id == Position.id,
        Delegation.substitute_id == _USERS.c.id,
        Delegation.starts_at <= bindparam("now"),
        Delegation.ends_at > bindparam("now"),
    )
    .correlate(_USERS, Position)
    .scalar_subquery()
    .label("delegation_id")
)
# One row per acting position (own or delegated now), or one row of NULLs for a user who holds none.
_ACTOR = (
    select(
        _USERS.c.id,
        _USERS.c.username,
        _USERS.c.full_name,
        _USERS.c.is_admin,
        _USERS.c.locale,
        _USERS.c.email,
        _USERS.c.session_generation,
        Role.code,
        Position.unit_id,
        Role.per_unit,
        OrgUnit.code.label("unit_code"),
        OrgUnit.kind.label("unit_kind"),
        (Position.user_id != _USERS.c.id).label("delegated"),
        _DELEGATION_ID,
    )
    .select_from(_USERS)
    .outerjoin(Position, (Position.user_id == _USERS.c.id) | Position.id.in_(_DELEGATED_NOW))
    .outerjoin(Role, Role.id == Position.role_id)
    .outerjoin(OrgUnit, OrgUnit.id == Position.unit_id)
    .where(_USERS.c.is_active.is_(True))
)
_BY_USERNAME = _ACTOR.where(_USERS.c.username == bindparam("username"))
_BY_ID = _ACTOR.where(_USERS.c.id == bindparam("user_id"))
_BY_TOKEN = _ACTOR.where(_USERS.c.api_token_hash == bindparam("token_hash"))


def _actor(rows) -> Actor | None:
    if not rows:
        return None
    first = rows[0]
    positions = tuple(
        ActingPosition(
            r.code, r.unit_id, r.per_unit, r.unit_code, r.unit_kind, bool(r.delegated), r.delegation_id
        )
        for r in rows
        if r.code is not None
    )
    return Actor(
        first.id,
        first.username,
        first.full_name,
        first.is_admin,
        first.locale or "fa",
        first.email,
        positions,
        first.session_generation or 0,
    )


def load_actor(session: Session, username: str, now: datetime) -> Actor:
    """The active user ``username`` and their positions now; NotFound for an unknown or inactive user."""
    actor = _actor(session.connection().execute(_BY_USERNAME, {"username": username, "now": now}).all())
    if actor is None:
        raise NotFound(N_("Unknown user '{user}'."), user=username)
    return actor


def actor_by_id(session: Session, user_id: int, now: datetime) -> Actor | None:
    return _actor(session.connection().execute(_BY_ID, {"user_id": user_id, "now": now}).all())


def actor_by_token_hash(session: Session, token_hash: str, now: datetime) -> Actor | None:
    return _actor(session.connection().execute(_BY_TOKEN, {"token_hash": token_hash, "now": now}).all())


def full_name_of(session: Session, username: str | None) -> str:
    """How people read a user's name: their full name (the username when there is none)."""
    if not username:
        return "-"
    return session.scalar(select(User.full_name).where(User.username == username)) or username
