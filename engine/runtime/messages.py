"""Messages from the outside world (and between instances), correlated by name and values.

Correlation: a waiting catch event's subscription records, for each of its correlation properties,
the value the property's expression gives on the waiting task's data (e.g. the tracking code). A
message matches when every recorded value equals the message's value for that property, taken from
``correlation`` or else from the payload. A message that matches no waiting instance starts the
latest version of each process whose start event takes it; if there is none, it is refused (Ravand
keeps no undelivered messages). A message id is remembered: delivering it again has no effect.
"""

from __future__ import annotations

from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.context import Context
from engine.definitions.specs import event_parts
from engine.errors import N_, NotFound
from engine.models import MessageSubscription, ProcessDefinition, ProcessInstance, ReceivedMessage
from engine.runtime.starting import start_in_session
from engine.runtime.unit_of_work import advancing, run_engine
from engine.states import ACTIVE


def send_message(
    ctx: Context,
    name: str,
    payload: dict | None = None,
    correlation: dict | None = None,
    message_id: str | None = None,
    session: Session | None = None,
) -> dict:
    if session is None:
        with ctx.db.transaction() as session:
            return send_message(ctx, name, payload, correlation, message_id, session)
    payload, correlation = dict(payload or {}), dict(correlation or {})
    if message_id:
        seen = session.get(ReceivedMessage, message_id)
        if seen is not None:
            return {"message": name, "duplicate": True, "instances": seen.instance_ids, "started": []}
    subscriptions = session.scalars(
        select(MessageSubscription)
        .join(ProcessInstance, ProcessInstance.id == MessageSubscription.instance_id)
        .where(MessageSubscription.message_name == name, ProcessInstance.status.in_(ACTIVE))
        .order_by(MessageSubscription.instance_id)
    ).all()
    matched = [s for s in subscriptions if matches(s.correlation, correlation, payload)]
    delivered, started = [], []
    for sub in matched:
        if sub.instance_id not in delivered and _deliver(ctx, session, sub, name, payload):
            delivered.append(sub.instance_id)
    if not delivered:
        started = [instance.id for instance in _start_by_message(ctx, session, name, payload)]
    if not delivered and not started:
        raise NotFound(
            N_("No instance waits for the message '{name}' with {correlation}; no process starts with it."),
            name=name,
            correlation=correlation or payload,
        )
    if message_id:
        session.add(ReceivedMessage(message_id=message_id, name=name, instance_ids=delivered + started))
        session.flush()
    return {"message": name, "duplicate": False, "instances": delivered, "started": started}


def matches(expected: dict, correlation: dict, payload: dict) -> bool:
    """Every value the waiting catch expects is the message's; a value the instance does not know (None)
    matches nothing, so a message can never reach an instance it does not name."""
    return all(
        value is not None and correlation.get(key, payload.get(key)) == value
        for key, value in (expected or {}).items()
    )


def _deliver(ctx: Context, session: Session, sub: MessageSubscription, name: str, payload: dict) -> bool:
    """Deliver to the subscribed task, if it still waits now that its instance is locked."""
    with advancing(ctx, sub.instance_id, None, session=session) as step:
        task = step.workflow.get_task_from_id(UUID(sub.task_id))
        if task is None or not task.has_state(TaskState.WAITING):
            return False
        message = next(
            part
            for part in event_parts(task.task_spec.event_definition)
            if isinstance(part, MessageEventDefinition) and part.name == name
        )
        event = BpmnEvent(message, payload, dict(step.workflow.correlations))
        step.workflow.catch(event)
        audit.record(
            session,
            "message_received",
            sub.instance_id,
            None,
            sub.task_id,
            sub.element_id,
            at=step.now,
            data={"message": name, "payload": payload},
        )
        run_engine(step)
    return True


def _start_by_message(ctx: Context, session: Session, name: str, payload: dict) -> list:
    latest = (
        select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v"))
        .group_by(ProcessDefinition.key)
        .subquery()
    )
    definitions = session.scalars(
        select(ProcessDefinition).join(
            latest, (ProcessDefinition.key == latest.c.key) & (ProcessDefinition.version == latest.c.v)
        )
    ).all()
    started = []
    for definition in definitions:
        spec = ctx.parsed(session, definition.id).spec
        if any(_starts_with(ts, name) for ts in spec.task_specs.values()):
            started.append(start_in_session(ctx, session, definition, {}, message=(name, payload)).instance)
    return started


def _starts_with(task_spec, name: str) -> bool:
    event = getattr(task_spec, "event_definition", None)
    return (
        isinstance(task_spec, StartEvent) and isinstance(event, MessageEventDefinition) and event.name == name
    )
