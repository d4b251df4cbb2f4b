"""The unit of work on an instance: lock its row, load the workflow, act, run the engine, save once.

Every change to an instance goes through ``advancing``: the state is saved once and the derived tables are
rewritten from it, all in one transaction."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    ErrorEventDefinition,
    EscalationEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import ThrowingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine import audit, clock
from engine.context import Context
from engine.definitions.specs import event_parts
from engine.errors import N_, Conflict, NotFound
from engine.models import (
    HumanTask,
    Incident,
    Job,
    ProcessInstance,
)
from engine.runtime import interrupts, projection, spiff_clock
from engine.runtime.serialization import dump_state, load_state
from engine.states import ACTIVE, ENDED, InstanceStatus

MAX_ENGINE_ROUNDS = 100
spiff_clock.install()


@dataclass
class Step:
    """One transaction's hold on an instance."""

    ctx: Context
    session: Session
    instance: ProcessInstance
    workflow: BpmnWorkflow
    actor: str | None
    now: datetime
    opened: list[dict] = field(default_factory=list)  # the human-task rows the save opened
    signals: list[tuple[str, dict]] = field(default_factory=list)  # thrown this step: (name, payload)
    #: The incident a supervisor is retrying: a failure at its element counts on it, not as a new one.
    retrying: Incident | None = None
    failed_again: bool = False
    #: The ids of the instance's open human-task rows when the step began (the ready user tasks of the
    #: loaded state: the projection keeps them equal), so the save need not read them back; None: read them.
    open_rows: set[str] | None = None
    #: Human-task rows this step closed itself (a completion), which the projection leaves alone.
    closed_rows: set[str] = field(default_factory=set)


_LOCK = (
    select(ProcessInstance)
    .where(ProcessInstance.id == bindparam("id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


_LOCK_BY_TASK = (
    select(ProcessInstance)
    .where(
        ProcessInstance.id
        == select(HumanTask.instance_id).where(HumanTask.id == bindparam("task")).scalar_subquery()
    )
    .with_for_update()
    .execution_options(populate_existing=True)
)


def lock_instance(session: Session, instance_id: int | None, task_id: str | None = None) -> ProcessInstance:
    """The instance row (by its id, or the instance of a human task), locked for this transaction.

    On PostgreSQL this is SELECT ... FOR UPDATE; on SQLite, BEGIN IMMEDIATE already serialises writers.
    """
    if task_id is not None:
        instance = session.scalar(_LOCK_BY_TASK, {"task": task_id})
        if instance is None:
            raise NotFound(N_("Task {id} does not exist."), id=task_id)
        return instance
    instance = session.scalar(_LOCK, {"id": instance_id})
    if instance is None:
        raise NotFound(N_("Process instance {id} does not exist."), id=instance_id)
    return instance


def load_workflow(ctx: Context, session: Session, instance: ProcessInstance) -> BpmnWorkflow:
    workflow = ctx.workflows.take(instance.id, instance.state_version)
    if workflow is None:
        workflow = load_state(instance.state, ctx.parsed(session, instance.definition_id))
    workflow.script_engine = ctx.script_engine
    return workflow


@contextmanager
def advancing(
    ctx: Context,
    instance_id: int | None,
    actor: str | None,
    allow: tuple | None = ACTIVE,
    session: Session | None = None,
    task_id: str | None = None,
    check: Callable[[Session, ProcessInstance], None] | None = None,
) -> Iterator[Step]:
    """Lock, load, act, save. ``check`` may refuse the locked instance (who may do this), before
    ``allow`` — the statuses the instance may be in (None: the caller checks) — is looked at.

    Runs in its own transaction, or in ``session``'s when the caller already has one.
    """
    with nullcontext(session) if session is not None else ctx.db.transaction() as session:
        instance = lock_instance(session, instance_id, task_id)
        if check is not None:
            check(session, instance)
        if allow is not None:
            ensure_status(instance, allow)
        workflow = load_workflow(ctx, session, instance)
        step = Step(ctx, session, instance, workflow, actor, ctx.clock.now())
        step.open_rows = set(projection.ready_user_tasks(workflow)) if instance.status not in ENDED else None
        with clock.running_on(ctx.clock):
            yield step
            save(step)


def ensure_status(instance: ProcessInstance, allow: tuple) -> None:
    if instance.status not in allow:
        raise Conflict(N_("Process instance {id} is {status}."), id=instance.id, status=instance.status)


# The state is written by a prebuilt Core UPDATE, and the row object is told the new values as its
# committed ones: the ORM's flush of a large blob on every step cost more than the statement.
_SAVE_STATE = (
    update(ProcessInstance.__table__)
    .where(ProcessInstance.__table__.c.id == bindparam("instance"))
    .values(state=bindparam("state"), state_version=bindparam("version"), updated_at=bindparam("now"))
)


def save(step: Step) -> None:
    instance, workflow, session = step.instance, step.workflow, step.session
    thrown = workflow.get_events()  # taken out before the state is written, so they are sent only once
    state, version = dump_state(workflow), instance.state_version + 1
    session.connection().execute(
        _SAVE_STATE, {"instance": instance.id, "state": state, "version": version, "now": step.now}
    )
    for key, value in (("state", state), ("state_version", version), ("updated_at", step.now)):
        set_committed_value(instance, key, value)
    uncaught = [e for e in thrown if isinstance(e.event_definition, CodeEvents)]
    if uncaught and instance.status in ACTIVE:
        record_uncaught(step, uncaught)
    if workflow.completed and instance.status in ACTIVE:
        instance.status = InstanceStatus.COMPLETED
        instance.ended_at = step.now
        audit.record(session, "completed", instance.id, step.actor, at=step.now, data=final_data(workflow))
    if instance.status in ENDED:
        projection.clear(session, instance, "cancelled", step.now)
    else:
        step.opened = projection.sync(
            step.ctx, session, instance, workflow, step.now, step.open_rows, step.closed_rows
        )
    for event in thrown:
        if isinstance(event.event_definition, MessageEventDefinition):
            session.add(
                Job(
                    instance_id=None,
                    kind="message",
                    due_at=step.now,
                    payload={
                        "name": event.event_definition.name,
                        "payload": audit.jsonable(event.payload),
                        "from_instance": instance.id,
                    },
                )
            )
    for name, payload in step.signals:  # broadcast to other instances and signal start events, by the outbox
        session.add(
            Job(
                instance_id=None,
                kind="signal",
                due_at=step.now,
                payload={"name": name, "payload": audit.jsonable(payload), "from_instance": instance.id},
            )
        )
    step.signals = []
    key, cache = (instance.id, instance.state_version), step.ctx.workflows
    session.info.setdefault("after_commit", []).append(lambda: cache.put(*key, workflow))


CodeEvents = (ErrorEventDefinition, EscalationEventDefinition)


def record_uncaught(step: Step, events: list) -> None:
    """Errors and escalations no boundary event or event sub-process caught: never a silent "completed".

    An uncaught error fails the instance (its other branches are cancelled, an incident names the error's
    code and name); an uncaught escalation is non-critical (BPMN 2.0 §10.5.4), so the instance goes on,
    but it is recorded in the history with its code and name.
    """
    for event in events:
        definition = event.event_definition
        kind = "error" if isinstance(definition, ErrorEventDefinition) else "escalation"
        element = _thrower(step.workflow, definition)
        data = {"kind": kind, "code": definition.code, "name": definition.name}
        audit.record(
            step.session,
            f"{kind}_uncaught",
            step.instance.id,
            step.actor,
            element_id=element,
            at=step.now,
            data=data,
        )
        if kind != "error" or step.instance.status not in ACTIVE:
            continue
        message = f"Uncaught BPMN error code {definition.code!r} ({definition.name or 'unnamed'})"
        step.session.add(
            Incident(instance_id=step.instance.id, element_id=element, message=message, created_at=step.now)
        )
        if not step.workflow.completed:
            step.workflow.cancel()
        step.instance.status = InstanceStatus.FAILED
        step.instance.ended_at = step.now


def _thrower(workflow: BpmnWorkflow, definition) -> str | None:
    """The element that threw an event: the last completed task whose event definition it is."""
    tasks = [
        t
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
        if getattr(t.task_spec, "event_definition", None) is definition
    ]
    return max(tasks, key=lambda t: t.last_state_change).task_spec.bpmn_id if tasks else None


def run_engine(step: Step, raise_errors: bool = False) -> None:
    """Run every automatic task that is ready.

    A failing script or expression becomes an incident on the instance (its failed task stays in
    ERROR until retried), unless ``raise_errors``: then the caller's transaction is to be rolled back.
    """
    ran = []
    # do_engine_steps ends by refreshing timers; a timer that fell due there is READY but not yet run.
    timers = step.ctx.parsed(step.session, step.instance.definition_id).uses(TimerEventDefinition)
    try:
        for _ in range(MAX_ENGINE_ROUNDS):
            interrupts.do_engine_steps(step.workflow, ran.append)
            if not timers or step.workflow.get_next_task(state=TaskState.READY, manual=False) is None:
                break
    except WorkflowException as exc:
        if raise_errors:
            raise
        open_incident(step, exc)
    finally:
        for task in ran:
            if isinstance(task.task_spec, ThrowingEvent):
                step.signals += [
                    (part.name, task.data)
                    for part in event_parts(task.task_spec.event_definition)
                    if isinstance(part, SignalEventDefinition)
                ]
            if getattr(task.task_spec, "bpmn_id", None):
                audit.record(
                    step.session,
                    "element",
                    step.instance.id,
                    None,
                    str(task.id),
                    task.task_spec.bpmn_id,
                    task.task_spec.bpmn_name,
                    # A loop's or multi-instance's body ends after its iterations, each recorded on its own.
                    data={"body": True} if isinstance(task.task_spec, LoopTask) else None,
                    at=step.now,
                )


def open_incident(step: Step, exc: Exception, job_id: int | None = None) -> Incident:
    """The incident of a failure: a new one, or — when it is the element of the incident being retried,
    or of an incident still open there — that one, with one more attempt and the last error."""
    task = getattr(exc, "task", None)
    element = getattr(getattr(task, "task_spec", None), "bpmn_id", None)
    incident = _same_incident(step, element, job_id)
    message = str(exc)
    if incident is None:
        incident = Incident(
            instance_id=step.instance.id, element_id=element, job_id=job_id, attempts=1, created_at=step.now
        )
        step.session.add(incident)
        kind, data = "incident", {"message": message}
    else:
        incident.attempts += 1
        incident.resolved_at = incident.resolved_by = None
        step.failed_again = True
        kind, data = "incident_retry_failed", {"message": message, "attempts": incident.attempts}
    incident.message = message
    incident.script_line = getattr(exc, "line_number", None) or None
    incident.traceback = "".join(traceback.format_exception(exc))
    incident.last_attempt_at = step.now
    step.instance.status = InstanceStatus.INCIDENT
    audit.record(step.session, kind, step.instance.id, step.actor, element_id=element, at=step.now, data=data)
    return incident


def _same_incident(step: Step, element: str | None, job_id: int | None) -> Incident | None:
    if step.retrying is not None and step.retrying.element_id == element:
        return step.retrying
    return step.session.scalar(
        select(Incident)
        .where(
            Incident.instance_id == step.instance.id,
            Incident.resolved_at.is_(None),
            Incident.element_id == element if element is not None else Incident.element_id.is_(None),
            Incident.job_id == job_id if job_id is not None else Incident.job_id.is_(None),
        )
        .order_by(Incident.id)
        .limit(1)
    )


def final_data(workflow: BpmnWorkflow) -> dict:
    if workflow.completed:
        return workflow.data
    return workflow.last_task.data if workflow.last_task is not None else {}
