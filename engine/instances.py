"""Process instance lifecycle: start, advance, suspend, resume, terminate, show.

Every change to an instance goes through ``advancing``: lock the row, load the workflow, act, run the
engine, save the state once and rewrite the derived tables, all in one transaction.
"""

from __future__ import annotations

import secrets
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine import audit, projection
from engine.context import Context
from engine.definitions import latest
from engine.errors import N_, Conflict, NotFound
from engine.models import (
    AuditEvent,
    HumanTask,
    Incident,
    Job,
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
    utcnow,
)
from engine.serialization import dump_state, load_state

ACTIVE = ("running", "incident")
MAX_ENGINE_ROUNDS = 100
ENDED = ("completed", "terminated")


@dataclass
class Step:
    """One transaction's hold on an instance."""

    ctx: Context
    session: Session
    instance: ProcessInstance
    workflow: BpmnWorkflow
    actor: str | None
    now: object = field(default_factory=utcnow)
    opened: list[dict] = field(default_factory=list)  # the human-task rows the save opened


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
) -> Iterator[Step]:
    """Lock, load, act, save. ``allow`` lists the statuses the instance may be in (None: the caller checks).

    Runs in its own transaction, or in ``session``'s when the caller already has one.
    """
    with nullcontext(session) if session is not None else ctx.db.transaction() as session:
        instance = lock_instance(session, instance_id, task_id)
        if allow is not None:
            ensure_status(instance, allow)
        step = Step(ctx, session, instance, load_workflow(ctx, session, instance), actor)
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
    if workflow.completed and instance.status in ACTIVE:
        instance.status = "completed"
        instance.ended_at = step.now
        audit.record(session, "completed", instance.id, step.actor, at=step.now, data=final_data(workflow))
    if instance.status in ENDED:
        projection.clear(session, instance, "cancelled", step.now)
    else:
        step.opened = projection.sync(step.ctx, session, instance, workflow, step.now)
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
    key, cache = (instance.id, instance.state_version), step.ctx.workflows
    session.info.setdefault("after_commit", []).append(lambda: cache.put(*key, workflow))


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
            step.workflow.do_engine_steps(did_complete_task=ran.append)
            if not timers or step.workflow.get_next_task(state=TaskState.READY, manual=False) is None:
                break
    except WorkflowException as exc:
        if raise_errors:
            raise
        open_incident(step, exc)
    finally:
        for task in ran:
            if getattr(task.task_spec, "bpmn_id", None):
                audit.record(
                    step.session,
                    "element",
                    step.instance.id,
                    None,
                    str(task.id),
                    task.task_spec.bpmn_id,
                    task.task_spec.bpmn_name,
                    at=step.now,
                )


def open_incident(step: Step, exc: Exception) -> Incident:
    task = getattr(exc, "task", None)
    element = getattr(getattr(task, "task_spec", None), "bpmn_id", None)
    incident = Incident(
        instance_id=step.instance.id,
        element_id=element,
        message=str(exc),
        script_line=getattr(exc, "line_number", None) or None,
        traceback="".join(traceback.format_exception(exc)),
        created_at=step.now,
    )
    step.session.add(incident)
    step.instance.status = "incident"
    audit.record(
        step.session,
        "incident",
        step.instance.id,
        step.actor,
        element_id=element,
        at=step.now,
        data={"message": str(exc)},
    )
    return incident


def final_data(workflow: BpmnWorkflow) -> dict:
    if workflow.completed:
        return workflow.data
    return workflow.last_task.data if workflow.last_task is not None else {}


def start(
    ctx: Context,
    process_key: str,
    data: dict | None = None,
    user: str | None = None,
    unit: str | None = None,
    business_key: str | None = None,
    title: str | None = None,
    public: bool = False,
) -> ProcessInstance:
    """Start the latest version of a process with the given data, in one transaction."""
    with ctx.db.transaction() as session:
        definition = latest(session, process_key)
        unit_id = unit_id_of(session, unit)
        return start_in_session(ctx, session, definition, data, user, unit_id, business_key, title, public)


def unit_id_of(session: Session, unit: str | None) -> int | None:
    """The id of a unit given by its code (None for None); an unknown code is refused."""
    if unit is None:
        return None
    unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == unit))
    if unit_id is None:
        raise NotFound(N_("Unknown unit '{unit}'."), unit=unit)
    return unit_id


def start_in_session(
    ctx: Context,
    session: Session,
    definition: ProcessDefinition,
    data: dict | None,
    user: str | None = None,
    unit_id: int | None = None,
    business_key: str | None = None,
    title: str | None = None,
    public: bool = False,
    message: tuple[str, dict] | None = None,
    timer_start: str | None = None,
) -> ProcessInstance:
    """Create and run a new instance.

    With ``message``, its message start event catches that message; with ``timer_start`` (a start
    event id), that timer start event fires now.
    """
    parsed = ctx.parsed(session, definition.id)
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=ctx.script_engine)
    data = dict(data or {})
    if public:
        data["tracking_code"] = new_tracking_code()
    workflow.task_tree.data.update(data)
    now = utcnow()
    instance = ProcessInstance(
        definition_id=definition.id,
        process_key=definition.key,
        status="running",
        business_key=business_key,
        title=title or (data or {}).get("title") or definition.name,
        unit_id=unit_id,
        started_by=user,
        started_at=now,
        updated_at=now,
        tracking_code=data.get("tracking_code") if public else None,
        state=b"",
        state_version=0,
    )
    session.add(instance)
    session.flush()
    step = Step(ctx, session, instance, workflow, user, now)
    audit.record(session, "started", instance.id, user, at=step.now, data=data)
    run_engine(step)
    if message is not None:
        name, payload = message
        catcher = next(
            t
            for t in workflow.event_manager.tasks.values()
            if getattr(t.task_spec.event_definition, "name", None) == name
        )
        workflow.catch(BpmnEvent(catcher.task_spec.event_definition, payload))
        audit.record(
            session,
            "message_received",
            instance.id,
            None,
            str(catcher.id),
            catcher.task_spec.bpmn_id,
            at=step.now,
            data={"message": name, "payload": payload},
        )
        run_engine(step)
    if timer_start is not None:
        fire_start_timer(workflow, timer_start)
        audit.record(session, "timer_fired", instance.id, None, element_id=timer_start, at=step.now)
        run_engine(step)
    save(step)
    return instance


def fire_start_timer(workflow: BpmnWorkflow, element_id: str) -> None:
    """Make a waiting timer start event fire now (a cycle fires once; the schedule lives in the job table)."""
    task = next(t for t in workflow.event_manager.tasks.values() if t.task_spec.bpmn_id == element_id)
    if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
        task._set_internal_data(
            event_value={"cycles": 1, "next": "2000-01-01T00:00:00+00:00", "duration": 0.0}
        )
        task.task_spec._update(task)
    else:
        task._set_internal_data(event_fired=True)
    task.task_spec._update(task)


def new_tracking_code() -> str:
    """A ten-digit code a citizen can read out on the phone; unguessable enough for a status page."""
    return "".join(secrets.choice("0123456789") for _ in range(10))


def suspend(ctx: Context, instance_id: int, user: str | None = None, reason: str | None = None) -> None:
    with advancing(ctx, instance_id, user) as step:
        step.instance.status = "suspended"
        audit.record(step.session, "suspended", instance_id, user, at=step.now, data={"reason": reason})


def resume(ctx: Context, instance_id: int, user: str | None = None, reason: str | None = None) -> None:
    with advancing(ctx, instance_id, user, allow=("suspended",)) as step:
        open_incidents = step.session.scalar(
            select(Incident.id).where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
        )
        step.instance.status = "incident" if open_incidents else "running"
        audit.record(step.session, "resumed", instance_id, user, at=step.now, data={"reason": reason})
        run_engine(step)


def terminate(ctx: Context, instance_id: int, user: str | None = None, reason: str | None = None) -> None:
    with advancing(ctx, instance_id, user, allow=(*ACTIVE, "suspended")) as step:
        step.workflow.cancel()
        step.instance.status = "terminated"
        step.instance.ended_at = step.now
        audit.record(step.session, "terminated", instance_id, user, at=step.now, data={"reason": reason})


def retry_incident(
    ctx: Context, incident_id: int, user: str | None = None, reason: str | None = None
) -> None:
    """Run the failed element again (after a fix to its data or a new version), closing the incident."""
    with ctx.db.transaction() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound(N_("Incident {id} does not exist."), id=incident_id)
        if incident.resolved_at is not None:
            raise Conflict(N_("Incident {id} was already resolved."), id=incident_id)
        instance_id = incident.instance_id
    with advancing(ctx, instance_id, user) as step:
        incident = step.session.get(Incident, incident_id, populate_existing=True)
        if incident.resolved_at is not None:  # someone else retried it while we waited for the lock
            raise Conflict(N_("Incident {id} was already resolved."), id=incident_id)
        incident.resolved_at, incident.resolved_by = step.now, user
        job = step.session.get(Job, incident.job_id) if incident.job_id else None
        if job is not None:
            job.status, job.attempts, job.due_at = "pending", 0, step.now
        for task in step.workflow.get_tasks(state=TaskState.ERROR):
            task._set_state(TaskState.READY)
        step.instance.status = "running"
        audit.record(
            step.session,
            "incident_retried",
            instance_id,
            user,
            element_id=incident.element_id,
            at=step.now,
            data={"reason": reason},
        )
        run_engine(step)


def show(ctx: Context, instance_id: int) -> dict:
    """Everything about one instance: status, current data, open tasks, history and incidents."""
    with ctx.db.transaction() as session:
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            raise NotFound(N_("Process instance {id} does not exist."), id=instance_id)
        workflow = load_workflow(ctx, session, instance)
        data = audit.jsonable(final_data(workflow))
        session.info.setdefault("after_commit", []).append(
            lambda: ctx.workflows.put(instance.id, instance.state_version, workflow)
        )
        tasks = session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.created_at)
        ).all()
        history = session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
        ).all()
        incidents = session.scalars(select(Incident).where(Incident.instance_id == instance_id)).all()
        return {
            "id": instance.id,
            "process_key": instance.process_key,
            "version": instance.definition.version,
            "title": instance.title,
            "business_key": instance.business_key,
            "tracking_code": instance.tracking_code,
            "status": instance.status,
            "started_by": instance.started_by,
            "started_at": instance.started_at.isoformat(),
            "ended_at": instance.ended_at.isoformat() if instance.ended_at else None,
            "data": data,
            "open_tasks": [task_dict(t) for t in tasks if t.state == "open"],
            "history": [event_dict(e) for e in history],
            "incidents": [
                {
                    "id": i.id,
                    "element": i.element_id,
                    "message": i.message,
                    "line": i.script_line,
                    "created_at": i.created_at.isoformat(),
                    "resolved": i.resolved_at is not None,
                }
                for i in incidents
            ],
        }


def task_dict(task: HumanTask) -> dict:
    return {
        "id": task.id,
        "instance_id": task.instance_id,
        "process_key": task.process_key,
        "element_id": task.element_id,
        "name": task.name,
        "lane": task.lane,
        "role": task.role_code,
        "unit_id": task.unit_id,
        "form_key": task.form_key,
        "state": task.state,
        "assignee": task.assignee,
        "created_at": task.created_at.isoformat(),
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "completed_by": task.completed_by,
    }


def event_dict(event: AuditEvent) -> dict:
    return {
        "kind": event.kind,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "element_id": event.element_id,
        "element_name": event.element_name,
        "task_id": event.task_id,
        "data": event.data,
    }
