"""Human tasks: list, claim, unclaim, assign, save a draft, complete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from uuid import UUID

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.access import (
    acting_positions,
    candidate_filter,
    get_actor,
    get_user,
    is_candidate,
    may_act,
)
from engine.calendar import TEHRAN
from engine.context import Context
from engine.errors import N_, Conflict, Forbidden, NotFound
from engine.forms import validate_submission
from engine.instances import (
    ACTIVE,
    advancing,
    ensure_status,
    final_data,
    load_workflow,
    run_engine,
    task_dict,
)
from engine.models import (
    Comment,
    HumanTask,
    Job,
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
    User,
    utcnow,
)
from engine.notifications import notify_assigned


def get_task(session: Session, task_id: str, lock: bool = False) -> HumanTask:
    """A human task row; ``lock`` holds it for this transaction (PostgreSQL), for a change to it."""
    task = session.get(HumanTask, task_id, with_for_update=lock or None)
    if task is None:
        raise NotFound(N_("Task {id} does not exist."), id=task_id)
    return task


def ensure_open(task: HumanTask) -> None:
    if task.state == "completed":
        raise Conflict(
            N_("The task '{name}' was already completed by {user}."),
            name=task.name,
            user=task.completed_by or "-",
        )
    if task.state != "open":
        raise Conflict(N_("The task '{name}' is no longer open ({state})."), name=task.name, state=task.state)


_TASKS = HumanTask.__table__
_TASK_ROW = select(_TASKS).where(_TASKS.c.id == bindparam("id"))
_COMPLETE_ROW = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("task"))
    .values(
        state="completed",
        completed_at=bindparam("now"),
        completed_by=bindparam("actor"),
        draft=None,
        assignee=func.coalesce(_TASKS.c.assignee, bindparam("actor")),
    )
)
_DELETE_OVERDUE = delete(Job).where(Job.kind == "overdue", Job.task_id == bindparam("id"))


def complete(ctx: Context, task_id: str, data: dict | None = None, user: str | None = None) -> dict:
    """Validate the submission against the task's form, complete the task and run the process on.

    Returns the task, and under ``next_tasks`` the tasks this completion opened that are the user's
    (so a client can go straight on to the next step). The task row is read and written with
    prebuilt Core statements: this is the path every step of every process takes.
    """
    with advancing(ctx, None, user, allow=None, task_id=task_id) as step:
        session = step.session
        conn = session.connection()
        row = conn.execute(_TASK_ROW, {"id": task_id}).one()
        ensure_open(row)
        ensure_status(step.instance, ACTIVE)
        actor = get_actor(session, user, step.now) if user else None
        if actor is not None and not actor.may_act(row.role_code, row.unit_id, row.assignee):
            raise Forbidden(N_("The task '{name}' is not yours."), name=row.name)
        form = ctx.form(session, step.instance.definition_id, row.form_key) if row.form_key else None
        cleaned = validate_submission(form, data or {}) if form is not None else dict(data or {})
        task = step.workflow.get_task_from_id(UUID(task_id))
        task.data.update(cleaned)
        task.run()
        conn.execute(_COMPLETE_ROW, {"task": task_id, "now": step.now, "actor": user})
        if row.due_at is not None:
            conn.execute(_DELETE_OVERDUE, {"id": task_id})
        audit.record(
            session,
            "task_completed",
            row.instance_id,
            user,
            task_id,
            row.element_id,
            row.name,
            data=cleaned,
            at=step.now,
        )
        run_engine(step)
    done = task_dict(SimpleNamespace(**row._asdict()))
    done |= {"state": "completed", "completed_by": user, "assignee": row.assignee or user}
    done["next_tasks"] = [
        task_dict(SimpleNamespace(completed_by=None, **opened))
        for opened in step.opened
        if actor is None or actor.may_act(opened["role_code"], opened["unit_id"], opened["assignee"])
    ]
    return done


def claim(ctx: Context, task_id: str, user: str) -> None:
    with ctx.db.transaction() as session:
        task = get_task(session, task_id)
        ensure_open(task)
        actor = get_user(session, user)
        if task.assignee == user:
            return
        if task.assignee is not None:
            raise Conflict(
                N_("The task '{name}' was already claimed by {user}."), name=task.name, user=task.assignee
            )
        now = utcnow()
        if not may_act(session, actor, task, now):
            raise Forbidden(N_("The task '{name}' is not yours."), name=task.name)
        claimed = session.execute(
            update(HumanTask)
            .where(HumanTask.id == task_id, HumanTask.assignee.is_(None), HumanTask.state == "open")
            .values(assignee=user)
        ).rowcount
        if not claimed:
            raise Conflict(N_("The task '{name}' was claimed by someone else a moment ago."), name=task.name)
        audit.record(
            session, "task_claimed", task.instance_id, user, task_id, task.element_id, task.name, at=now
        )


def unclaim(ctx: Context, task_id: str, user: str) -> None:
    with ctx.db.transaction() as session:
        task = get_task(session, task_id, lock=True)
        ensure_open(task)
        actor = get_user(session, user)
        if task.assignee != user and not actor.is_admin:
            raise Forbidden(N_("The task '{name}' is not yours."), name=task.name)
        task.assignee = None
        audit.record(session, "task_unclaimed", task.instance_id, user, task_id, task.element_id, task.name)


def assign(
    ctx: Context, task_id: str, assignee: str, user: str | None = None, reason: str | None = None
) -> None:
    """Give a task to a named user (a supervisor's reassignment)."""
    with ctx.db.transaction() as session:
        task = get_task(session, task_id, lock=True)
        ensure_open(task)
        get_user(session, assignee)
        previous, task.assignee = task.assignee, assignee
        notify_assigned(session, task)
        audit.record(
            session,
            "task_assigned",
            task.instance_id,
            user,
            task_id,
            task.element_id,
            task.name,
            data={"from": previous, "to": assignee, "reason": reason},
        )


def save_draft(ctx: Context, task_id: str, data: dict, user: str) -> None:
    """Keep what was typed so far, without validation or completion."""
    with ctx.db.transaction() as session:
        task = get_task(session, task_id)
        ensure_open(task)
        if not may_act(session, get_user(session, user), task, utcnow()):
            raise Forbidden(N_("The task '{name}' is not yours."), name=task.name)
        task.draft = audit.jsonable(data)


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
    with ctx.db.transaction() as session:
        stmt = select(HumanTask).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        if query.state != "any":
            stmt = stmt.where(HumanTask.state == query.state)
        if query.instance_id is not None:
            stmt = stmt.where(HumanTask.instance_id == query.instance_id)
        if query.process_key:
            stmt = stmt.where(HumanTask.process_key == query.process_key)
        if query.user:
            user = get_user(session, query.user)
            if query.state == "completed":
                stmt = stmt.where(HumanTask.completed_by == user.username)
            else:
                positions = acting_positions(session, user, utcnow())
                stmt = stmt.where(
                    or_(
                        HumanTask.assignee == user.username,
                        HumanTask.assignee.is_(None) & candidate_filter(positions),
                    )
                )
        stmt = stmt.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at)
        rows = session.scalars(stmt.limit(query.limit).offset(query.offset)).all()
        return [task_dict(t) for t in rows]


# --- the inbox (web/inbox) -----------------------------------------------------------------------------

INBOX_VIEWS = ("mine", "group", "completed")
INBOX_DUE = ("overdue", "today", "week")
INBOX_SORTS = ("due", "priority", "created")


@dataclass
class InboxQuery:
    """One page of a user's inbox. ``view``: mine (assigned to me), group (unclaimed tasks of my
    positions and delegations), completed (done by me). ``due``: overdue, today or week (due by the
    end of today or of the Iranian week, Friday, in Tehran)."""

    user: str
    view: str = "mine"
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
    """A page of the inbox, answered from the human-task table (its indexes), never from workflows.

    The filters, the count and the page's ids are found on ``human_task`` alone (joined to the
    instances only to search their titles); only the page's rows are joined to their instance,
    process and unit.
    """
    with ctx.db.transaction() as session:
        user = get_user(session, query.user)
        now = utcnow()
        ids = select(HumanTask.id)
        if query.view == "completed":
            ids = ids.where(HumanTask.state == "completed", HumanTask.completed_by == user.username)
        elif query.view == "group":
            positions = acting_positions(session, user, now)
            ids = ids.where(
                HumanTask.state == "open", HumanTask.assignee.is_(None), candidate_filter(positions)
            )
        else:
            ids = ids.where(HumanTask.state == "open", HumanTask.assignee == user.username)
        if query.process_keys is not None:
            ids = ids.where(HumanTask.process_key.in_(query.process_keys))
        if query.unit_id is not None:
            ids = ids.where(HumanTask.unit_id == query.unit_id)
        if query.due in INBOX_DUE:
            ids = ids.where(HumanTask.due_at < _due_before(query.due, now))
        if query.search and query.search.strip():
            pattern = f"%{query.search.strip()}%"
            ids = ids.join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(
                or_(
                    HumanTask.name.ilike(pattern),
                    ProcessInstance.title.ilike(pattern),
                    ProcessInstance.business_key.ilike(pattern),
                    ProcessInstance.tracking_code.ilike(pattern),
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


def _inbox_row(
    task: HumanTask, instance: ProcessInstance, process_name: str, unit: OrgUnit | None, now: datetime
) -> dict:
    return {
        **task_dict(task),
        "priority": task.priority,
        "completed_at": task.completed_at,
        "created": task.created_at,
        "due": task.due_at,
        "overdue": task.state == "open" and task.due_at is not None and task.due_at < now,
        "process_name": process_name,
        "instance_title": instance.title,
        "business_key": instance.business_key,
        "unit_fa": unit.name_fa if unit else None,
        "unit_en": unit.name_en if unit else None,
    }


def may_see(session: Session, user: User, task: HumanTask, now: datetime) -> bool:
    """Who may open a task's page: its assignee, who completed it, the holders of its position, admins."""
    return (
        user.is_admin
        or user.username in (task.assignee, task.completed_by)
        or is_candidate(session, user, task, now)
    )


def task_data(ctx: Context, task_id: str) -> dict:
    """The data an open task sees (its form starts from it), from the instance's workflow."""
    with ctx.db.transaction() as session:
        row = get_task(session, task_id)
        instance = session.get(ProcessInstance, row.instance_id)
        workflow = load_workflow(ctx, session, instance)
        session.info.setdefault("after_commit", []).append(
            lambda: ctx.workflows.put(instance.id, instance.state_version, workflow)
        )
        spiff_task = workflow.get_task_from_id(UUID(task_id)) if row.state == "open" else None
        return audit.jsonable(spiff_task.data if spiff_task is not None else final_data(workflow))


def add_comment(ctx: Context, task_id: str, body: str, user: str) -> None:
    """A note on a task's instance, visible on the task page to everyone who may see the task."""
    with ctx.db.transaction() as session:
        task = get_task(session, task_id)
        if not may_see(session, get_user(session, user), task, utcnow()):
            raise Forbidden(N_("The task '{name}' is not yours."), name=task.name)
        session.add(Comment(instance_id=task.instance_id, task_id=task_id, author=user, body=body.strip()))
