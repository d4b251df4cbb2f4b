"""Rewriting the derived tables (human tasks, timer jobs, message subscriptions) from a workflow.

Called in the same transaction that saves the workflow, so the tables always agree with the state.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.models import HumanTask, Job, MessageSubscription, OrgUnit, ProcessInstance
from engine.notifications import notify_new_tasks
from engine.specs import event_parts, is_user_task, user_task_info


def sync(
    ctx: Context, session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, now: datetime
) -> None:
    sync_human_tasks(ctx, session, instance, workflow, now)
    parsed = ctx.parsed(session, instance.definition_id)
    if parsed.uses(TimerEventDefinition):
        sync_timer_jobs(session, instance, workflow)
    if parsed.uses(MessageEventDefinition):
        sync_message_subscriptions(ctx, session, instance, workflow)


def lane_of(workflow: BpmnWorkflow, task) -> str | None:
    """A task's lane, or for a task inside a call activity, the lane of the activity that called it."""
    lane = task.task_spec.lane
    while lane is None and task.workflow.parent_task_id is not None:
        task = workflow.get_task_from_id(task.workflow.parent_task_id)
        lane = task.task_spec.lane
    return lane


_OPEN_OR_READY_ROWS = select(HumanTask).where(
    HumanTask.instance_id == bindparam("instance"),
    (HumanTask.state == "open") | HumanTask.id.in_(bindparam("ready", expanding=True)),
)


def sync_human_tasks(
    ctx: Context, session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, now: datetime
) -> None:
    ready = {
        str(t.id): t
        for t in workflow.get_tasks(state=TaskState.READY, manual=True)
        if is_user_task(t.task_spec)
    }
    rows = session.scalars(_OPEN_OR_READY_ROWS, {"instance": instance.id, "ready": list(ready)}).all()
    open_rows = {row.id: row for row in rows if row.state == "open"}
    known = {row.id for row in rows}
    for task_id, row in open_rows.items():
        if task_id not in ready:
            task = workflow.get_task_from_id(UUID(task_id))
            row.state = (
                "completed" if task is not None and task.has_state(TaskState.COMPLETED) else "cancelled"
            )
            row.completed_at = row.completed_at or now
    closed_with_due = [task_id for task_id, row in open_rows.items() if task_id not in ready and row.due_at]
    if closed_with_due:
        session.execute(delete(Job).where(Job.kind == "overdue", Job.task_id.in_(closed_with_due)))
    for task_id, task in ready.items():
        if task_id not in known:
            row = new_human_task(ctx, session, instance, workflow, task, now)
            session.add(row)
            notify_new_tasks(session, [row], now)
            if row.due_at is not None:
                session.add(
                    Job(
                        instance_id=instance.id,
                        kind="overdue",
                        task_id=task_id,
                        element_id=row.element_id,
                        due_at=row.due_at,
                    )
                )


def new_human_task(
    ctx: Context, session: Session, instance: ProcessInstance, workflow, task, now
) -> HumanTask:
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
    return HumanTask(
        id=str(task.id),
        instance_id=instance.id,
        process_key=instance.process_key,
        element_id=info.element_id,
        name=info.name,
        lane=lane,
        role_code=ctx.role_for_lane(session, lane),
        unit_id=unit_id,
        form_key=info.form_key,
        instructions=info.instructions,
        state="open",
        priority=info.priority,
        created_at=now,
        due_at=due_at,
    )


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
        .where(Job.instance_id == instance.id, Job.kind == "timer", Job.status != "running")
        .with_for_update(skip_locked=True)
    ).all()
    for job in jobs:
        entry = wanted.pop(job.task_id, None)
        if entry is None:
            session.delete(job)
        elif job.status == "pending" and job.due_at != entry[1]:
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


def clear(session: Session, instance: ProcessInstance, state: str, now: datetime) -> None:
    """Close every open task and drop the jobs and subscriptions of an instance that has ended."""
    for row in session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == "open")
    ):
        row.state = state
        row.completed_at = now
    session.execute(delete(Job).where(Job.instance_id == instance.id, Job.status == "pending"))
    session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == instance.id))
