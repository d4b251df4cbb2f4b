"""Human tasks: claim, unclaim, assign, save a draft, comment, complete."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from uuid import UUID

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.cases.show import task_dict
from engine.context import Context
from engine.definitions.forms import validate_submission
from engine.errors import N_, Conflict, Forbidden, NotFound
from engine.models import (
    Comment,
    HumanTask,
    Job,
    ProcessInstance,
    User,
    utcnow,
)
from engine.notify.notices import notify_assigned
from engine.org.access import get_actor, get_user, is_candidate, may_act
from engine.runtime.unit_of_work import advancing, ensure_status, final_data, load_workflow, run_engine
from engine.states import ACTIVE


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
