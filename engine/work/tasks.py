"""Human tasks as their people act on them: claim, unclaim, reassign, save a draft, comment, complete.

Every action checks, in this order, that the user may see the task (else "not found"), that it is
still open (else who completed it), and that they may do this to it (else "forbidden").
"""

from __future__ import annotations

from types import SimpleNamespace
from uuid import UUID

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.cases import attachments
from engine.cases.attachments import AttachmentStore
from engine.cases.show import task_dict
from engine.context import Context
from engine.definitions.forms import validate_submission
from engine.duties.completion import on_complete
from engine.errors import N_, Conflict, Forbidden, InvalidData, NotFound
from engine.models import Comment, HumanTask, Job
from engine.notify.notices import notify_assigned
from engine.org.access import Viewer, load_viewer, visible_task
from engine.org.actors import Actor, full_name_of, load_actor
from engine.org.delegation_end import lapsed, taken_through
from engine.org.scopes import scope_of
from engine.runtime.unit_of_work import advancing, ensure_status, run_engine
from engine.states import ACTIVE, HumanTaskState


def get_task(session: Session, task_id: str, lock: bool = False) -> HumanTask:
    """A human task row, whoever asks (the engine's own use); ``lock`` holds it for this transaction."""
    task = session.get(HumanTask, task_id, with_for_update=lock or None)
    if task is None:
        raise NotFound(N_("Task {id} does not exist."), id=task_id)
    return task


def ensure_open(session: Session, task) -> None:
    if task.state == HumanTaskState.COMPLETED:
        raise Conflict(
            N_("The task '{name}' was already completed by {user}."),
            name=task.name,
            user=full_name_of(session, task.completed_by),
        )
    if task.state != HumanTaskState.OPEN:
        raise Conflict(N_("The task '{name}' is no longer open ({state})."), name=task.name, state=task.state)


def _not_yours(task) -> Forbidden:
    return Forbidden(N_("The task '{name}' is not yours."), name=task.name)


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
    prebuilt Core statements: this is the path every step of every process takes. Without ``user``
    the engine itself completes it (the CLI's operator).
    """
    with advancing(ctx, None, user, allow=None, task_id=task_id) as step:
        session = step.session
        conn = session.connection()
        row = conn.execute(_TASK_ROW, {"id": task_id}).one()
        actor = load_actor(session, user, step.now) if user else None
        if actor is not None and not actor.may_work_on(row):
            _refuse(ctx, session, actor, row)
        ensure_open(session, row)
        ensure_status(step.instance, ACTIVE)
        form = ctx.form(session, step.instance.definition_id, row.form_key) if row.form_key else None
        cleaned = validate_submission(form, data or {}, step.now) if form is not None else dict(data or {})
        task = step.workflow.get_task_from_id(UUID(task_id))
        task.data.update(cleaned)
        cleaned |= on_complete(step, row, task)
        task.run()
        conn.execute(_COMPLETE_ROW, {"task": task_id, "now": step.now, "actor": user})
        step.closed_rows.add(task_id)
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
        if actor is None or actor.may_work_on(SimpleNamespace(**opened))
    ]
    return done


def _refuse(ctx: Context, session: Session, actor: Actor, task) -> None:
    """Why a user may not work on a task: not found if they may not even see it; else who has it or
    that it is not theirs. Only refusals pay for the scope."""
    viewer = Viewer(actor, scope_of(session, actor, ctx.departments()))
    if not viewer.may_read_task(session, task):
        raise NotFound(N_("Task {id} does not exist."), id=task.id)
    ensure_open(session, task)
    raise _not_yours(task)


def _refuse_copy_reader(viewer: Viewer, task) -> None:
    """Who sees a case only through a copy reads it; comments and files are for its people."""
    if not viewer.may_see_task(task):
        raise Forbidden(N_("You have a copy of this case for information: you may read it, not change it."))


def _viewer(ctx: Context, session: Session, user: str) -> Viewer:
    return load_viewer(ctx, session, user, ctx.clock.now())


def claim(ctx: Context, task_id: str, user: str) -> dict:
    """Take a group task: it becomes the user's alone. Returns the task."""
    with ctx.db.transaction() as session:
        viewer = _viewer(ctx, session, user)
        task = visible_task(session, viewer, task_id)
        ensure_open(session, task)
        if task.assignee == user and viewer.actor.claim_stands(task):
            return task_dict(task)
        free, may = HumanTask.assignee.is_(None), viewer.may_work_on(task)
        if lapsed(session, task, ctx.clock.now()):  # its claim ended with a delegation: free again
            free = HumanTask.delegation_id == task.delegation_id
            may = viewer.actor.is_admin or viewer.actor.holds(task.role_code, task.unit_id)
        elif task.assignee is not None:
            raise Conflict(
                N_("The task '{name}' was already claimed by {user}."),
                name=task.name,
                user=full_name_of(session, task.assignee),
            )
        if not may:
            raise _not_yours(task)
        through = taken_through(session, viewer.actor, task)
        claimed = session.execute(
            update(HumanTask)
            .where(HumanTask.id == task_id, free, HumanTask.state == HumanTaskState.OPEN)
            .values(assignee=user, delegation_id=through)
        ).rowcount
        if not claimed:
            raise Conflict(N_("The task '{name}' was claimed by someone else a moment ago."), name=task.name)
        now = ctx.clock.now()
        audit.record(
            session, "task_claimed", task.instance_id, user, task_id, task.element_id, task.name, at=now
        )
        return task_dict(task) | {"assignee": user}


def unclaim(ctx: Context, task_id: str, user: str) -> dict:
    """Give a claimed task back to the group: its assignee, or a supervisor with authority over it.
    Returns the task."""
    with ctx.db.transaction() as session:
        viewer = _viewer(ctx, session, user)
        task = visible_task(session, viewer, task_id, lock=True)
        ensure_open(session, task)
        if task.assignee != user and not viewer.may_manage_task(task):
            raise _not_yours(task)
        task.assignee = task.delegation_id = None
        audit.record(
            session,
            "task_unclaimed",
            task.instance_id,
            user,
            task_id,
            task.element_id,
            task.name,
            at=ctx.clock.now(),
        )
        return task_dict(task)


def assign(
    ctx: Context, task_id: str, assignee: str, user: str | None = None, reason: str | None = None
) -> dict:
    """Give an open task to one of the holders of its role in its unit (a supervisor's reassignment).

    ``user`` needs authority over the task; without ``user`` the engine's operator does it. Returns
    the task, with the new assignee's full name under ``assignee_name``.
    """
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        if user is not None:
            viewer = _viewer(ctx, session, user)
            task = visible_task(session, viewer, task_id, lock=True)
            if not viewer.may_manage_task(task):
                raise Forbidden(N_("You may not reassign the task '{name}'."), name=task.name)
        else:
            task = get_task(session, task_id, lock=True)
        ensure_open(session, task)
        reason = audit.require_reason(reason)
        new_holder = _holder(session, assignee, now)
        if new_holder is None or not new_holder.holds(task.role_code, task.unit_id):
            raise InvalidData(
                N_("Choose someone who holds this task's position."),
                field_errors={"assignee": N_("Does not hold the task's position.")},
            )
        previous, task.assignee = task.assignee, assignee
        task.delegation_id = taken_through(session, new_holder, task)
        notify_assigned(session, task, now)
        audit.record(
            session,
            "task_assigned",
            task.instance_id,
            user,
            task_id,
            task.element_id,
            task.name,
            data={"from": previous, "to": assignee, "reason": reason},
            at=now,
        )
        return task_dict(task) | {"assignee_name": new_holder.full_name}


def _holder(session: Session, username: str, now) -> Actor | None:
    """The would-be assignee, or None for no such active user (told as not holding the position: the
    task exists, whoever the name names)."""
    try:
        return load_actor(session, username, now) if username else None
    except NotFound:
        return None


def save_draft(ctx: Context, task_id: str, data: dict, user: str) -> None:
    """Keep what was typed so far, without validation or completion."""
    with ctx.db.transaction() as session:
        viewer = _viewer(ctx, session, user)
        task = visible_task(session, viewer, task_id)
        ensure_open(session, task)
        if not viewer.may_work_on(task):
            raise _not_yours(task)
        task.draft = audit.jsonable(data)


def add_comment(ctx: Context, task_id: str, body: str, user: str) -> None:
    """A note on a task's instance, visible on the task page to everyone who may see the task."""
    with ctx.db.transaction() as session:
        viewer = _viewer(ctx, session, user)
        task = visible_task(session, viewer, task_id)
        _refuse_copy_reader(viewer, task)
        session.add(
            Comment(
                instance_id=task.instance_id,
                task_id=task_id,
                author=user,
                body=body.strip(),
                created_at=ctx.clock.now(),
            )
        )


def attach(
    ctx: Context, store: AttachmentStore, task_id: str, filename: str, content: bytes, user: str
) -> dict:
    """Attach a file to a task's case, for whoever may see the task (checked by its content and size)."""
    with ctx.db.read() as session:
        viewer = _viewer(ctx, session, user)
        task = visible_task(session, viewer, task_id)
        _refuse_copy_reader(viewer, task)
        instance_id = task.instance_id
    return attachments.add(ctx, store, instance_id, filename, content, user=user, task_id=task_id)
