"""Creating and running new instances: by a user, a message start event or a timer start event."""

from __future__ import annotations

import secrets

from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.context import Context
from engine.definitions.deployment import latest
from engine.definitions.event_sub_process import RavandWorkflow
from engine.errors import N_, InvalidData, NotFound
from engine.models import (
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
)
from engine.runtime.unit_of_work import Step, run_engine, save
from engine.search import searchable


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
        return start_in_session(
            ctx, session, definition, data, user, unit_id, business_key, title, public
        ).instance


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
) -> Step:
    """Create and run a new instance; the step holds it, its workflow and the human tasks it opened.

    With ``message``, its message start event catches that message; with ``timer_start`` (a start
    event id), that timer start event fires now.
    """
    parsed = ctx.parsed(session, definition.id)
    try:
        workflow = RavandWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=ctx.script_engine)
    except WorkflowException as exc:  # a model SpiffWorkflow built but cannot begin: refused, nothing saved
        raise InvalidData(N_("The process cannot start: {detail}"), detail=str(exc).strip(" .")) from exc
    data = dict(data or {})
    if public:
        data["tracking_code"] = new_tracking_code()
    workflow.task_tree.data.update(data)
    now = ctx.clock.now()
    title = title or (data or {}).get("title") or definition.name
    tracking_code = data.get("tracking_code") if public else None
    instance = ProcessInstance(
        definition_id=definition.id,
        process_key=definition.key,
        status="running",
        business_key=business_key,
        title=title,
        search_text=searchable(title, business_key, tracking_code),
        unit_id=unit_id,
        started_by=user,
        started_at=now,
        updated_at=now,
        tracking_code=tracking_code,
        state=b"",
        state_version=0,
    )
    session.add(instance)
    session.flush()
    with clock.running_on(ctx.clock):
        step = Step(ctx, session, instance, workflow, user, now)
        step.open_rows = set()  # a new instance has no human-task rows yet
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
    return step


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
