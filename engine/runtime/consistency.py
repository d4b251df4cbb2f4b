"""Do the derived tables agree with the saved state? Rebuilt from the workflow alone, compared with the rows.

The projection rewrites the inbox rows, timer and overdue jobs and message subscriptions in the
transaction that saves a workflow; this module recomputes what they must be from the saved state and
names every difference. The scenario tests run it after every step; operators can run it on a database.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.context import Context
from engine.definitions.specs import is_user_task
from engine.models import HumanTask, Job, MessageSubscription, ProcessInstance, SignalSubscription
from engine.runtime.projection import waiting_events
from engine.runtime.serialization import load_state
from engine.states import ENDED, HumanTaskState


def projection_differences(ctx: Context, instance_id: int) -> list[str]:
    """What the tables of one instance say that its saved state does not (empty when they agree)."""
    with ctx.db.read() as session:
        instance = session.get(ProcessInstance, instance_id)
        workflow = load_state(instance.state, ctx.parsed(session, instance.definition_id))
        ended = instance.status in ENDED
        open_rows = session.execute(
            select(HumanTask.id, HumanTask.due_at).where(
                HumanTask.instance_id == instance_id, HumanTask.state == HumanTaskState.OPEN
            )
        ).all()
        jobs = session.execute(
            select(Job.kind, Job.task_id, Job.due_at).where(
                Job.instance_id == instance_id, Job.status.in_(("pending", "failed"))
            )
        ).all()
        subscriptions = session.execute(
            select(MessageSubscription.task_id, MessageSubscription.message_name).where(
                MessageSubscription.instance_id == instance_id
            )
        ).all()
        signal_rows = session.execute(
            select(SignalSubscription.task_id, SignalSubscription.signal_name).where(
                SignalSubscription.instance_id == instance_id
            )
        ).all()
    ready, timers, catches = (set(), set(), set()) if ended else _waiting(workflow)
    signals = (
        set() if ended else {(str(t.id), s.name) for t, s in waiting_events(workflow, SignalEventDefinition)}
    )
    differences = _compare("open human tasks", ready, {row.id for row in open_rows})
    differences += _compare("timer jobs", timers, {j.task_id for j in jobs if j.kind == "timer"})
    differences += _compare("message subscriptions", catches, {tuple(s) for s in subscriptions})
    differences += _compare("signal subscriptions", signals, {tuple(s) for s in signal_rows})
    overdue = {(j.task_id, j.due_at) for j in jobs if j.kind == "overdue"}
    due = {(row.id, row.due_at) for row in open_rows if row.due_at is not None}
    not_yet_due = {(task, at) for task, at in due if at > ctx.clock.now()}  # a past one may have fired
    differences += _compare("overdue jobs", not_yet_due, overdue & not_yet_due)
    differences += _compare("overdue jobs of open tasks", overdue & due, overdue)
    return differences


def _waiting(workflow) -> tuple[set, set, set]:
    """The ready user tasks, the waiting timers and the waiting message catches of a workflow."""
    ready = {
        str(task.id)
        for task in workflow.get_tasks(state=TaskState.READY, manual=True)
        if is_user_task(task.task_spec)
    }
    timers = {str(task.id) for task, _ in waiting_events(workflow, TimerEventDefinition)}
    catches = {(str(task.id), m.name) for task, m in waiting_events(workflow, MessageEventDefinition)}
    return ready, timers, catches


def _compare(what: str, expected: set, actual: set) -> list[str]:
    found = []
    if expected - actual:
        found.append(f"{what} missing from the tables: {sorted(expected - actual)}")
    if actual - expected:
        found.append(f"{what} in the tables but not in the state: {sorted(actual - expected)}")
    return found
