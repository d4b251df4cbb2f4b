"""Referral with a note (ارجاع با هامش), as in Iranian office automation.

Whoever works on a task (or has authority over it) may hand it, with a note, to a colleague who holds
its role in its unit, up to the head of the unit, or down to one of its experts; and send a copy
(رونوشت) of the case to other users for their information. The note stays in the case's history;
the new assignee and each copy's reader are notified; a copy lets its reader read the case, never act
on it (``Viewer.has_copy``). "The unit" is where the task's role is held: the task's unit for a role
held per unit, else the units of the role's positions (the coordination department for its experts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select, union_all
from sqlalchemy.orm import Session

from engine import audit
from engine.cases.show import task_dict
from engine.context import Context
from engine.errors import N_, Forbidden, InvalidData
from engine.models import CaseCopy, Delegation, HumanTask, Position, Role, User
from engine.notify.notices import notify_copied, notify_referred
from engine.org.access import Viewer, load_viewer, visible_task
from engine.org.actors import load_actor
from engine.org.delegation_end import schedule_end
from engine.org.holders import Person
from engine.states import HumanTaskState
from engine.work.tasks import ensure_open

COLLEAGUE, UP, DOWN = "colleague", "up", "down"
REFERRAL_EVENTS = ("task_referred", "case_copied")
MAX_NOTE = 2000
MAX_COPIES = 20


@dataclass(frozen=True)
class Candidate:
    """Someone a task may be referred to: how (colleague, up, down), and the role and unit by which."""

    username: str
    full_name: str
    direction: str
    role: str
    unit_id: int | None


def may_refer(viewer: Viewer, task) -> bool:
    """Whoever may work on the open task, or has authority over it."""
    return task.state == HumanTaskState.OPEN and (viewer.may_work_on(task) or viewer.may_manage_task(task))


def candidates(session: Session, viewer: Viewer, task, now: datetime) -> list[Candidate]:
    """Whom the viewer may refer the task to, colleagues first, then the heads, then the experts;
    each person once, never the viewer."""
    return referral_choices(session, viewer, task, now).candidates


_RANKS = {"head": UP, "expert": DOWN}
_ORDER = (COLLEAGUE, UP, DOWN)


@dataclass(frozen=True)
class Choices:
    """Whom a task may be referred to, whom a copy may go to, and every active user's full name."""

    candidates: list[Candidate]
    copies: list[Person]
    names: dict[str, str]


def referral_choices(session: Session, viewer: Viewer, task, now: datetime) -> Choices:
    """``candidates``, and everyone a copy may go to (the active users but the viewer), in one
    statement — which names the page's people too: every active user, joined to the positions (own
    or delegated now) by which they may receive the task (the task's role where it binds the task,
    and the head and expert roles of the units where the task's role is held). Nothing (and no
    statement) when the viewer may not refer the task."""
    if not may_refer(viewer, task):
        return Choices([], [], {})
    task_role = and_(
        Role.code == task.role_code, or_(Role.per_unit.is_(False), Position.unit_id == task.unit_id)
    )
    units = select(Position.unit_id).join(Role, Role.id == Position.role_id).where(task_role)
    fits = or_(task_role, and_(Role.rank.in_(tuple(_RANKS)), Position.unit_id.in_(units)))
    own = select(Position.user_id.label("uid"), Role.code, Role.rank, Position.unit_id).join(
        Role, Role.id == Position.role_id
    )
    delegated = (
        select(Delegation.substitute_id, Role.code, Role.rank, Position.unit_id)
        .join(Position, Position.id == Delegation.position_id)
        .join(Role, Role.id == Position.role_id)
        .where(Delegation.starts_at <= now, Delegation.ends_at > now)
    )
    held = union_all(own.where(fits), delegated.where(fits)).subquery()
    rows = session.execute(
        select(User.username, User.full_name, held.c.code, held.c.rank, held.c.unit_id)
        .outerjoin(held, held.c.uid == User.id)
        .where(User.is_active.is_(True))
        .order_by(User.full_name, User.id)
    )
    best: dict[str, Candidate] = {}
    copies: dict[str, Person] = {}
    names: dict[str, str] = {}
    for username, full_name, code, rank, unit_id in rows:
        names[username] = full_name
        if username == viewer.username:
            continue
        copies.setdefault(username, Person(username, full_name))
        direction = COLLEAGUE if code == task.role_code else _RANKS.get(rank)
        if code is None or direction is None:
            continue
        unit = task.unit_id if direction == COLLEAGUE else unit_id
        known = best.get(username)
        if known is None or _ORDER.index(direction) < _ORDER.index(known.direction):
            best[username] = Candidate(username, full_name, direction, code, unit)
    chosen = sorted(best.values(), key=lambda c: _ORDER.index(c.direction))  # stable: by name within
    return Choices(chosen, list(copies.values()), names)


def referral_options(ctx: Context, task_id: str, user: str) -> list[Candidate]:
    """Whom ``user`` may refer the task to (empty when they may not refer it); not found when they may
    not see it."""
    with ctx.db.read() as session:
        now = ctx.clock.now()
        viewer = load_viewer(ctx, session, user, now)
        return candidates(session, viewer, visible_task(session, viewer, task_id), now)


def referral_names(data: dict | None) -> list[str]:
    """The usernames a referral's history event names (from, to, the copies)."""
    data = data or {}
    return [n for n in (data.get("from"), data.get("to"), *(data.get("copies") or [])) if n]


def refer(
    ctx: Context,
    task_id: str,
    user: str,
    note: str | None,
    to: str | None = None,
    copies: list[str] | tuple[str, ...] = (),
) -> dict:
    """Refer the task to ``to`` (one of ``candidates``) with ``note``, and/or send a copy of its case
    to the users ``copies``. Returns the task, with the new assignee's full name and the copies sent."""
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        viewer = load_viewer(ctx, session, user, now)
        task = visible_task(session, viewer, task_id, lock=True)
        ensure_open(session, task)
        if not may_refer(viewer, task):
            raise Forbidden(N_("You may not refer the task '{name}': it is not yours."), name=task.name)
        note, copies = _checked(note, to, copies)  # what was sent is read once the user may act
        previous = task.assignee
        target = _refer_to(session, viewer, task, to, now) if to else None
        readers = _copy_to(session, task, copies, {user, to} - {None}, user, now)
        if target is not None:
            notify_referred(session, task, now, note)
        if readers:
            notify_copied(session, task, [u.username for u in readers], now, note)
        audit.record(
            session,
            "task_referred" if target is not None else "case_copied",
            task.instance_id,
            user,
            task.id,
            task.element_id,
            task.name,
            data={
                "from": previous,
                "to": to,
                "direction": target.direction if target else None,
                "note": note,
                "copies": [u.username for u in readers],
            },
            at=now,
        )
        return task_dict(task) | {
            "assignee_name": target.full_name if target else None,
            "copies": [u.username for u in readers],
        }


def _refer_to(session: Session, viewer: Viewer, task: HumanTask, to: str, now: datetime) -> Candidate:
    chosen = next((c for c in candidates(session, viewer, task, now) if c.username == to), None)
    if chosen is None:
        raise InvalidData(
            N_("Refer a task only to a colleague in its position, the head of its unit, or an expert of it."),
            field_errors={"to": N_("Not among those the task may be referred to.")},
        )
    target = load_actor(session, to, now)
    task.assignee = to
    task.delegation_id = target.delegation_for(chosen.role, chosen.unit_id)
    if task.delegation_id is not None:
        schedule_end(session, task.delegation_id)
    return chosen


def _copy_to(
    session: Session, task: HumanTask, usernames: list[str], skip: set[str], sender: str, now: datetime
) -> list[User]:
    """A copy of the case to each active user named (not the sender, not the new assignee); a user who
    already has one keeps it. Unknown users are refused, all at once."""
    wanted = [name for name in dict.fromkeys(usernames) if name not in skip]
    users = {
        u.username: u
        for u in session.scalars(select(User).where(User.username.in_(wanted), User.is_active.is_(True)))
    }
    unknown = [name for name in wanted if name not in users]
    if unknown:
        raise InvalidData(
            N_("Unknown user '{user}'."),
            field_errors={"copies": N_("Unknown user.")},
            user=", ".join(unknown),
        )
    have = set(
        session.scalars(
            select(CaseCopy.user_id).where(
                CaseCopy.instance_id == task.instance_id, CaseCopy.user_id.in_([u.id for u in users.values()])
            )
        )
    )
    for user in users.values():
        if user.id not in have:
            session.add(
                CaseCopy(
                    instance_id=task.instance_id,
                    user_id=user.id,
                    task_id=task.id,
                    sent_by=sender,
                    created_at=now,
                )
            )
    return list(users.values())


def _checked(note: str | None, to: str | None, copies) -> tuple[str, list[str]]:
    """The referral's note and copies, or a field's error."""
    note = (note or "").strip()
    copies = [c.strip() for c in copies if c and c.strip()]
    if not note:
        raise InvalidData(N_("Write a note for the referral."), field_errors={"note": N_("Required.")})
    if len(note) > MAX_NOTE:
        raise InvalidData(
            N_("The note is too long: at most {n} characters."),
            field_errors={"note": N_("Too long.")},
            n=MAX_NOTE,
        )
    if not to and not copies:
        raise InvalidData(
            N_("Choose whom to refer the task to, or whom to send a copy."),
            field_errors={"to": N_("Required.")},
        )
    if len(copies) > MAX_COPIES:
        raise InvalidData(
            N_("Send at most {n} copies."), field_errors={"copies": N_("Too many.")}, n=MAX_COPIES
        )
    return note, copies
