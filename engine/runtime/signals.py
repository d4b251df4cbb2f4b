"""Signals between instances: a thrown signal is a broadcast, with no correlation and no receiver named.

A signal thrown in an instance is caught there by SpiffWorkflow itself; the step that threw it also leaves
a ``signal`` job (the outbox, written in the thrower's transaction), which wakes every other instance
waiting for it (its ``signal_subscription`` rows: intermediate, boundary and event sub-process catches)
and starts the latest version of every process whose start event takes it. A signal nobody waits for is
lost, as BPMN 2.0 says (§10.5.1): that is no error.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.context import Context
from engine.definitions.specs import event_parts
from engine.models import ProcessDefinition, ProcessInstance, SignalSubscription
from engine.runtime.starting import start_in_session
from engine.runtime.unit_of_work import advancing, run_engine
from engine.states import ACTIVE


def send_signal(ctx: Context, name: str, payload: dict | None = None) -> dict:
    """Throw a signal from outside: every waiting instance is woken, every process it starts is started."""
    with ctx.db.transaction() as session:
        return broadcast(ctx, session, name, payload)


def broadcast(
    ctx: Context, session: Session, name: str, payload: dict | None = None, from_instance: int | None = None
) -> dict:
    """Deliver a signal to every instance but its thrower (which caught it already), in ``session``."""
    payload = dict(payload or {})
    waiting = session.scalars(
        select(SignalSubscription.instance_id)
        .join(ProcessInstance, ProcessInstance.id == SignalSubscription.instance_id)
        .where(SignalSubscription.signal_name == name, ProcessInstance.status.in_(ACTIVE))
        .distinct()
        .order_by(SignalSubscription.instance_id)
    ).all()
    woken = [i for i in waiting if i != from_instance and _deliver(ctx, session, i, name, payload)]
    started = [step.instance.id for step in _start_by_signal(ctx, session, name, payload)]
    return {"signal": name, "instances": woken, "started": started}


def _deliver(ctx: Context, session: Session, instance_id: int, name: str, payload: dict) -> bool:
    with advancing(ctx, instance_id, None, session=session) as step:
        catches = [
            (task, part)
            for task in step.workflow.event_manager.tasks.values()
            if task.has_state(TaskState.WAITING)
            for part in event_parts(task.task_spec.event_definition)
            if isinstance(part, SignalEventDefinition) and part.name == name
        ]
        if not catches:
            return False
        step.workflow.catch(BpmnEvent(catches[0][1], payload))
        for task, _ in catches:
            audit.record(
                session,
                "signal_received",
                instance_id,
                None,
                str(task.id),
                task.task_spec.bpmn_id,
                at=step.now,
                data={"signal": name},
            )
        run_engine(step)
    return True


def _start_by_signal(ctx: Context, session: Session, name: str, payload: dict) -> list:
    latest = (
        select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v"))
        .group_by(ProcessDefinition.key)
        .subquery()
    )
    definitions = session.scalars(
        select(ProcessDefinition)
        .join(latest, (ProcessDefinition.key == latest.c.key) & (ProcessDefinition.version == latest.c.v))
        .order_by(ProcessDefinition.key)
    ).all()
    return [
        start_in_session(ctx, session, definition, {}, message=(name, payload))
        for definition in definitions
        if any(_starts_with(ts, name) for ts in ctx.parsed(session, definition.id).spec.task_specs.values())
    ]


def _starts_with(task_spec, name: str) -> bool:
    event = getattr(task_spec, "event_definition", None)
    return (
        isinstance(task_spec, StartEvent) and isinstance(event, SignalEventDefinition) and event.name == name
    )
