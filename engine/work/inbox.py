"""Lists of human tasks: the inbox's pages and the CLI's task list, from the human-task table only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.calendar.jalali import TEHRAN
from engine.cases.show import task_dict
from engine.context import Context
from engine.definitions.specs import is_user_task
from engine.models import (
    HumanTask,
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
)
from engine.org.actors import Actor, load_actor
from engine.org.holders import task_filter
from engine.search import searchable
from engine.states import HumanTaskState


@dataclass
class TaskQuery:
    user: str | None = None
    instance_id: int | None = None
    state: str = "open"
    process_key: str | None = None
    limit: int = 100
    offset: int = 0


def list_tasks(ctx: Context, query: TaskQuery) -> list[dict]:
    """Tasks from the human-task table: a user's own and their groups' unless the query says otherwise."""
    with ctx.db.read() as session:
        stmt = select(HumanTask).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        if query.state != "any":
            stmt = stmt.where(HumanTask.state == query.state)
        if query.instance_id is not None:
            stmt = stmt.where(HumanTask.instance_id == query.instance_id)
        if query.process_key:
            stmt = stmt.where(HumanTask.process_key == query.process_key)
        if query.user:
            actor = load_actor(session, query.user, ctx.clock.now())
            if query.state == "completed":
                stmt = stmt.where(HumanTask.completed_by == actor.username)
            else:
                stmt = stmt.where(
                    or_(
                        HumanTask.assignee == actor.username,
                        HumanTask.assignee.is_(None) & task_filter(actor.position_rows()),
                    )
                )
        stmt = stmt.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at)
        rows = session.scalars(stmt.limit(query.limit).offset(query.offset)).all()
        return [task_dict(t) for t in rows]


INBOX_VIEWS = ("mine", "group", "completed")
INBOX_DUE = ("overdue", "today", "week")
INBOX_SORTS = ("due", "priority", "created")


@dataclass
class InboxQuery:
    """One page of a user's inbox. ``view``: mine (assigned to me), group (unclaimed tasks of my
    positions and delegations), completed (done by me). ``process`` (a process key) or ``department``
    (a department of the catalog) keep the tasks of those processes, the processes they call included;
    ``process_keys`` the tasks of those instances' processes exactly. ``due``: overdue, today or week
    (due by the end of today or of the Iranian week, Friday, in Tehran)."""

    user: str
    view: str = "mine"
    process: str | None = None
    department: str | None = None
    process_keys: list[str] | None = None
    unit_id: int | None = None
    due: str | None = None
    search: str | None = None
    sort: str = "due"
    page: int = 1
    per_page: int = 20


@dataclass
class InboxPage:
    rows: list[dict]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _due_before(due: str, now: datetime) -> datetime:
    """The end of a due window (UTC): now for 'overdue', else the end of today or of this week (Friday)
    in Tehran. Windows include what is already overdue."""
    if due == "overdue":
        return now
    start = now.astimezone(TEHRAN).replace(hour=0, minute=0, second=0, microsecond=0)
    days = 1 if due == "today" else (4 - start.weekday()) % 7 + 1  # Friday is weekday 4
    return (start + timedelta(days=days)).astimezone(UTC)


def inbox(ctx: Context, query: InboxQuery) -> InboxPage:
    """A page of the inbox, answered from the human-task table (its indexes), never from workflows."""
    with ctx.db.read() as session:
        now = ctx.clock.now()
        return inbox_in(ctx, session, load_actor(session, query.user, now), query, now)


def inbox_in(ctx: Context, session: Session, actor: Actor, query: InboxQuery, now: datetime) -> InboxPage:
    """``inbox`` in the caller's session, for the actor already loaded.

    The filters, the count and the page's ids are found on ``human_task`` alone (joined to the
    instances only to search their titles); only the page's rows are joined to their instance,
    process and unit.
    """
    ids = select(HumanTask.id).where(view_condition(query.view, actor))
    if query.process or query.department:
        ids = ids.where(process_condition(ctx, session, query.process, query.department))
    if query.process_keys is not None:
        ids = ids.where(HumanTask.process_key.in_(query.process_keys))
    if query.unit_id is not None:
        ids = ids.where(HumanTask.unit_id == query.unit_id)
    if query.due in INBOX_DUE:
        ids = ids.where(HumanTask.due_at < _due_before(query.due, now))
    text = searchable(query.search)
    if text:
        ids = ids.join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(
            or_(
                HumanTask.search_text.contains(text, autoescape=True),
                ProcessInstance.search_text.contains(text, autoescape=True),
            )
        )
    total = session.scalar(select(func.count()).select_from(ids.subquery()))
    due_last = (HumanTask.due_at.is_(None), HumanTask.due_at)
    if query.sort == "priority":
        ids = ids.order_by(HumanTask.priority.desc(), *due_last, HumanTask.id)
    elif query.sort == "created":
        ids = ids.order_by(HumanTask.created_at.desc(), HumanTask.id)
    elif query.view == "completed":
        ids = ids.order_by(HumanTask.completed_at.desc(), HumanTask.id)
    else:
        ids = ids.order_by(*due_last, HumanTask.created_at, HumanTask.id)
    page = max(1, query.page)
    page_ids = session.scalars(ids.limit(query.per_page).offset((page - 1) * query.per_page)).all()
    rows = session.execute(
        select(HumanTask, ProcessInstance, ProcessDefinition.name, OrgUnit)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .outerjoin(OrgUnit, OrgUnit.id == HumanTask.unit_id)
        .where(HumanTask.id.in_(page_ids))
    ).all()
    by_id = {task.id: (task, instance, name, unit) for task, instance, name, unit in rows}
    return InboxPage(
        [_inbox_row(*by_id[i], now) for i in page_ids if i in by_id], total, page, query.per_page
    )


def view_condition(view: str, actor: Actor) -> ColumnElement[bool]:
    """The tasks of one of the inbox's views (``INBOX_VIEWS``; anything else is "mine")."""
    if view == "completed":
        return and_(HumanTask.state == HumanTaskState.COMPLETED, HumanTask.completed_by == actor.username)
    if view == "group":
        return and_(
            HumanTask.state == HumanTaskState.OPEN,
            HumanTask.assignee.is_(None),
            task_filter(actor.position_rows()),
        )
    standing = [p.delegation_id for p in actor.positions if p.delegation_id is not None]
    return and_(
        HumanTask.state == HumanTaskState.OPEN,
        HumanTask.assignee == actor.username,
        # A claim through a delegation that has ended is no longer the actor's (``Actor.claim_stands``).
        or_(HumanTask.delegation_id.is_(None), HumanTask.delegation_id.in_(standing)),
    )


def process_condition(
    ctx: Context, session: Session, process: str | None, department: str | None
) -> ColumnElement[bool]:
    """The tasks of a process (or of a department's processes), with those of the processes they call.

    A task keeps the key of its instance's process: the tasks of a called process are found in its
    callers' instances by the ids of its user tasks (from the called process's latest version).
    """
    catalog = ctx.catalog
    keys = {process} if process else {key for key, entry in catalog.items() if entry.department == department}
    clauses = [HumanTask.process_key.in_(sorted(keys))]
    for key in sorted(keys):
        callers = sorted(k for k, entry in catalog.items() if key in entry.calls and k not in keys)
        elements = _user_task_ids(ctx, session, key) if callers else []
        if elements:
            clauses.append(and_(HumanTask.process_key.in_(callers), HumanTask.element_id.in_(elements)))
    return or_(*clauses)


def _user_task_ids(ctx: Context, session: Session, key: str) -> list[str]:
    definition_id = session.scalar(select(func.max(ProcessDefinition.id)).where(ProcessDefinition.key == key))
    if definition_id is None:
        return []
    spec = ctx.parsed(session, definition_id).spec
    return sorted(s.bpmn_id for s in spec.task_specs.values() if is_user_task(s) and s.bpmn_id)


def _inbox_row(
    task: HumanTask, instance: ProcessInstance, process_name: str, unit: OrgUnit | None, now: datetime
) -> dict:
    return {
        **task_dict(task),
        "priority": task.priority,
        "completed_at": task.completed_at,
        "created": task.created_at,
        "due": task.due_at,
        "overdue": task.state == HumanTaskState.OPEN and task.due_at is not None and task.due_at < now,
        "process_name": process_name,
        "instance_title": instance.title,
        "business_key": instance.business_key,
        "unit_fa": unit.name_fa if unit else None,
        "unit_en": unit.name_en if unit else None,
    }
