"""Human tasks: list, claim, unclaim, assign, save a draft, complete."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.access import acting_positions, candidate_filter, get_user, may_act
from engine.context import Context
from engine.errors import N_, Conflict, Forbidden, NotFound
from engine.forms import validate_submission
from engine.instances import ACTIVE, advancing, ensure_status, run_engine, task_dict
from engine.models import HumanTask, ProcessInstance, utcnow


def get_task(session: Session, task_id: str) -> HumanTask:
    task = session.get(HumanTask, task_id)
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


def complete(ctx: Context, task_id: str, data: dict | None = None, user: str | None = None) -> dict:
    """Validate the submission against the task's form, complete the task and run the process on."""
    owner = select(HumanTask.instance_id).where(HumanTask.id == task_id).scalar_subquery()
    missing = NotFound(N_("Task {id} does not exist."), id=task_id)
    with advancing(ctx, owner, user, allow=None, missing=missing) as step:
        session = step.session
        row = session.get(HumanTask, task_id, populate_existing=True)
        instance_id = row.instance_id
        ensure_open(row)
        ensure_status(step.instance, ACTIVE)
        actor = get_user(session, user) if user else None
        if not may_act(session, actor, row, step.now):
            raise Forbidden(N_("The task '{name}' is not yours."), name=row.name)
        form = ctx.form(session, step.instance.definition_id, row.form_key) if row.form_key else None
        cleaned = validate_submission(form, data or {}) if form is not None else dict(data or {})
        task = step.workflow.get_task_from_id(UUID(task_id))
        task.data.update(cleaned)
        task.run()
        row.state, row.completed_at, row.completed_by, row.draft = "completed", step.now, user, None
        if row.assignee is None:
            row.assignee = user
        audit.record(
            session,
            "task_completed",
            instance_id,
            user,
            task_id,
            row.element_id,
            row.name,
            data=cleaned,
            at=step.now,
        )
        run_engine(step)
        return task_dict(row)


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
        task = get_task(session, task_id)
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
        task = get_task(session, task_id)
        ensure_open(task)
        get_user(session, assignee)
        previous, task.assignee = task.assignee, assignee
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
