"""Rewriting the derived tables (human tasks, timer jobs, message subscriptions) from a workflow.

Called in the same transaction that saves the workflow, so the tables always agree with the state.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import SimpleNamespace
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from engine.context import Context
from engine.definitions.specs import event_parts, is_user_task, user_task_info
from engine.models import HumanTask, Job, MessageSubscription, OrgUnit, ProcessInstance, SignalSubscription
from engine.notify.notices import notify_new_tasks
from engine.runtime.doors import sync_doors
from engine.search import searchable
from engine.states import HumanTaskState, JobStatus


def sync(
    ctx: Context,
    session: Session,
    instance: ProcessInstance,
    workflow: BpmnWorkflow,
    now: datetime,
    open_rows: set[str] | None = None,
    closed_rows: set[str] = frozenset(),
) -> list[dict]:
    """Rewrite the derived tables; returns the values of the human-task rows this step opened.

    ``open_rows``: the ids of the instance's open human-task rows, when the caller knows them (the
    ready user tasks of the state it loaded), less ``closed_rows``, those it closed itself; else they
    are read.
    """
    opened = sync_human_tasks(ctx, session, instance, workflow, now, open_rows, closed_rows)
    parsed = ctx.parsed(session, instance.definition_id)
    if parsed.uses(TimerEventDefinition):
        sync_timer_jobs(session, instance, workflow)
    if parsed.uses(MessageEventDefinition):
        sync_message_subscriptions(ctx, session, instance, workflow)
        session.flush()
        sync_doors(ctx, session, instance, workflow, now)
    if parsed.uses(SignalEventDefinition):
        sync_signal_subscriptions(session, instance, workflow)
    return opened


def lane_of(workflow: BpmnWorkflow, task) -> str | None:
    """A task's lane, or for a task inside a call activity, the lane of the activity that called it."""
    lane = task.task_spec.lane
    while lane is None and task.workflow.parent_task_id is not None:
        task = workflow.get_task_from_id(task.workflow.parent_task_id)
        lane = task.task_spec.lane
    return lane


# The human-task rows are read and written with Core statements built once: this runs on every step of
# every instance, and the ORM's unit of work costs more than the statements themselves.
_TASKS = HumanTask.__table__
_OPEN_OR_READY_ROWS = select(_TASKS.c.id, _TASKS.c.state, _TASKS.c.due_at).where(
    _TASKS.c.instance_id == bindparam("instance"),
    (_TASKS.c.state == HumanTaskState.OPEN) | _TASKS.c.id.in_(bindparam("ready", expanding=True)),
)
_CLOSE_ROWS = (
    update(_TASKS)
    .where(_TASKS.c.id.in_(bindparam("ids", expanding=True)), _TASKS.c.state == HumanTaskState.OPEN)
    .values(state=bindparam("new_state"), completed_at=func.coalesce(_TASKS.c.completed_at, bindparam("now")))
)
_INSERT_ROWS = insert(_TASKS)
_INSERT_JOBS = insert(Job.__table__)


def ready_user_tasks(workflow: BpmnWorkflow) -> dict[str, Task]:
    """A workflow's ready user tasks by id: after a save, exactly its open human-task rows."""
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    return {str(t.id): t for t in ready if is_user_task(t.task_spec)}


def sync_human_tasks(
    ctx: Context,
    session: Session,
    instance: ProcessInstance,
    workflow: BpmnWorkflow,
    now: datetime,
    open_rows: set[str] | None = None,
    closed_rows: set[str] = frozenset(),
) -> list[dict]:
    ready = ready_user_tasks(workflow)
    session.flush()  # the Core statements below see what the caller changed through the ORM
    conn = session.connection()
    if open_rows is None:
        rows = conn.execute(_OPEN_OR_READY_ROWS, {"instance": instance.id, "ready": list(ready)}).all()
        gone = [row.id for row in rows if row.state == HumanTaskState.OPEN and row.id not in ready]
        with_due = {row.id for row in rows if row.due_at}
        known = {row.id for row in rows}
    else:  # known without reading: the overdue jobs of the rows that close go whether they have one or not
        gone = [task_id for task_id in open_rows if task_id not in ready and task_id not in closed_rows]
        with_due = set(gone)
        known = open_rows
    closed: dict[str, list[str]] = {"completed": [], "cancelled": []}
    for task_id in gone:
        task = workflow.get_task_from_id(UUID(task_id))
        done = task is not None and task.has_state(TaskState.COMPLETED)
        closed["completed" if done else "cancelled"].append(task_id)
    for new_state, ids in closed.items():
        if ids:
            conn.execute(_CLOSE_ROWS, {"ids": ids, "new_state": new_state, "now": now})
    closed_with_due = [task_id for task_id in gone if task_id in with_due]
    if closed_with_due:
        conn.execute(delete(Job).where(Job.kind == "overdue", Job.task_id.in_(closed_with_due)))
    created = [
        new_human_task(ctx, session, instance, workflow, task, now)
        for task_id, task in ready.items()
        if task_id not in known
    ]
    if not created:
        return created
    if open_rows is None:
        conn.execute(_INSERT_ROWS, created)
    else:
        # A ready task may in principle have a row already (a task reset to an earlier step): such a
        # row is left as it is, as when the rows were read, and only what was inserted goes on.
        inserted = set(conn.scalars(_insert_new_rows(conn), created).all())
        created = [row for row in created if row["id"] in inserted]
    notify_new_tasks(session, [SimpleNamespace(**row) for row in created], now)
    overdue = [overdue_job(row) for row in created if row["due_at"] is not None]
    if overdue:
        conn.execute(_INSERT_JOBS, overdue)
    return created


_INSERT_NEW_ROWS = {}


def _insert_new_rows(conn):
    """INSERT of human-task rows that skips an id that has one, RETURNING the ids it inserted (built once
    per dialect)."""
    name = conn.dialect.name
    statement = _INSERT_NEW_ROWS.get(name)
    if statement is None:
        if name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        statement = dialect_insert(_TASKS).on_conflict_do_nothing(index_elements=[_TASKS.c.id])
        statement = _INSERT_NEW_ROWS[name] = statement.returning(_TASKS.c.id)
    return statement


def overdue_job(task: Mapping) -> dict:
    """The values of the job that flags a human task overdue when its due moment passes."""
    return {
        "instance_id": task["instance_id"],
        "kind": "overdue",
        "task_id": task["id"],
        "element_id": task["element_id"],
        "due_at": task["due_at"],
    }


_DROP_OVERDUE = delete(Job.__table__).where(
    Job.__table__.c.kind == "overdue", Job.__table__.c.task_id == bindparam("task")
)


def reschedule_overdue(session: Session, task: HumanTask) -> None:
    """After a human task's due moment changed: its overdue job moves with it (or goes, without one)."""
    session.flush()
    conn = session.connection()
    conn.execute(_DROP_OVERDUE, {"task": task.id})
    if task.due_at is not None:
        values = {"instance_id": task.instance_id, "id": task.id, "element_id": task.element_id}
        conn.execute(_INSERT_JOBS, [overdue_job(values | {"due_at": task.due_at})])


def new_human_task(ctx: Context, session: Session, instance: ProcessInstance, workflow, task, now) -> dict:
    """The values of the human-task row for a user task that has just become ready."""
    info = user_task_info(task.task_spec)
    lane = lane_of(workflow, task)
    unit_id = instance.unit_id
    if info.unit_expression:
        code = ctx.script_engine.evaluate(task, info.unit_expression)
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == str(code))) or unit_id
    due_at = None
    if info.due_in_working_days:
        days = ctx.script_engine.evaluate(task, info.due_in_working_days)
        due_at = ctx.calendar.add_working_days(now, int(days))
    return {
        "id": str(task.id),
        "instance_id": instance.id,
        "process_key": instance.process_key,
        "element_id": info.element_id,
        "name": info.name,
        "search_text": searchable(info.name),
        "lane": lane,
        "role_code": ctx.role_for_lane(session, lane),
        "unit_id": unit_id,
        "form_key": info.form_key,
        "instructions": info.instructions,
        "state": "open",
        "assignee": None,
        "priority": info.priority,
        "created_at": now,
        "due_at": due_at,
    }


def waiting_events(workflow: BpmnWorkflow, definition_class) -> list[tuple]:
    """(task, event definition) for each event of that kind a waiting task waits for."""
    return [
        (t, part)
        for t in workflow.event_manager.tasks.values()
        if t.has_state(TaskState.WAITING)
        for part in event_parts(t.task_spec.event_definition)
        if isinstance(part, definition_class)
    ]


def timer_due(task, timer) -> datetime | None:
    details = timer.details(task)
    value = details.value
    if isinstance(value, dict):
        value = value.get("next")
    if not value:
        return None
    return TimerEventDefinition.get_datetime(value) if isinstance(value, str) else value


def sync_timer_jobs(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    """One job per waiting timer. A failed job stays (until its incident is retried); a running one is
    the job being carried out in this very transaction, and its caller removes it."""
    wanted = {}
    for task, timer in waiting_events(workflow, TimerEventDefinition):
        due = timer_due(task, timer)
        if due is not None:
            wanted[str(task.id)] = (task, due)
    # A job another worker holds is left to it (it will find its timer fired and drop the job):
    # waiting for its row lock while it waits for this instance's would deadlock.
    jobs = session.scalars(
        select(Job)
        .where(Job.instance_id == instance.id, Job.kind == "timer", Job.status != JobStatus.RUNNING)
        .with_for_update(skip_locked=True)
    ).all()
    for job in jobs:
        entry = wanted.pop(job.task_id, None)
        if entry is None:
            session.delete(job)
        elif job.status == JobStatus.PENDING and job.due_at != entry[1]:
            job.due_at = entry[1]
    for task_id, (task, due) in wanted.items():
        session.add(
            Job(
                instance_id=instance.id,
                kind="timer",
                task_id=task_id,
                element_id=task.task_spec.bpmn_id,
                due_at=due,
            )
        )


def expected_correlation(ctx: Context, task, message: MessageEventDefinition) -> dict:
    """The values a waiting message catch expects: its correlation expressions on the task's data."""
    values = {}
    for prop in message.correlation_properties:
        try:
            values[prop.name] = ctx.script_engine.evaluate(task, prop.retrieval_expression)
        except Exception:  # not known on this instance: no message can name it yet
            values[prop.name] = None
    return values


def sync_message_subscriptions(
    ctx: Context, session: Session, instance: ProcessInstance, workflow: BpmnWorkflow
) -> None:
    wanted = {(str(t.id), m.name): (t, m) for t, m in waiting_events(workflow, MessageEventDefinition)}
    existing = session.scalars(
        select(MessageSubscription).where(MessageSubscription.instance_id == instance.id)
    ).all()
    have = {(s.task_id, s.message_name): s for s in existing}
    for key, sub in have.items():
        if key not in wanted:
            session.delete(sub)
        else:
            sub.correlation = expected_correlation(ctx, *wanted[key])
    for (task_id, name), (task, message) in wanted.items():
        if (task_id, name) not in have:
            session.add(
                MessageSubscription(
                    instance_id=instance.id,
                    task_id=task_id,
                    element_id=task.task_spec.bpmn_id,
                    message_name=name,
                    correlation=expected_correlation(ctx, task, message),
                )
            )


def sync_signal_subscriptions(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    wanted = {(str(t.id), s.name): t for t, s in waiting_events(workflow, SignalEventDefinition)}
    existing = session.scalars(
        select(SignalSubscription).where(SignalSubscription.instance_id == instance.id)
    ).all()
    have = {(s.task_id, s.signal_name): s for s in existing}
    for key, sub in have.items():
        if key not in wanted:
            session.delete(sub)
    for (task_id, name), task in wanted.items():
        if (task_id, name) not in have:
            session.add(
                SignalSubscription(
                    instance_id=instance.id,
                    task_id=task_id,
                    element_id=task.task_spec.bpmn_id,
                    signal_name=name,
                )
            )


_CLOSE_OPEN_ROWS = (
    update(_TASKS)
    .where(_TASKS.c.instance_id == bindparam("instance"), _TASKS.c.state == HumanTaskState.OPEN)
    .values(state=bindparam("new_state"), completed_at=bindparam("now"))
)
_DROP_PENDING_JOBS = delete(Job.__table__).where(
    Job.__table__.c.instance_id == bindparam("instance"), Job.__table__.c.status == JobStatus.PENDING
)
_DROP_SUBSCRIPTIONS = delete(MessageSubscription.__table__).where(
    MessageSubscription.__table__.c.instance_id == bindparam("instance")
)


_DROP_SIGNAL_SUBSCRIPTIONS = delete(SignalSubscription.__table__).where(
    SignalSubscription.__table__.c.instance_id == bindparam("instance")
)


def clear(session: Session, instance: ProcessInstance, state: str, now: datetime) -> None:
    """Close every open task and drop the jobs and subscriptions of an instance that has ended."""
    session.flush()
    conn = session.connection()
    conn.execute(_CLOSE_OPEN_ROWS, {"instance": instance.id, "new_state": state, "now": now})
    conn.execute(_DROP_PENDING_JOBS, {"instance": instance.id})
    conn.execute(_DROP_SUBSCRIPTIONS, {"instance": instance.id})
    conn.execute(_DROP_SIGNAL_SUBSCRIPTIONS, {"instance": instance.id})
