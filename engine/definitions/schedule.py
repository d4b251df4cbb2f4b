"""Timer start events: each process key's latest version keeps its schedule as ``timer_start`` jobs.

Deploying a new version replaces the schedule of the older ones."""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.definitions.parsing import ParsedBundle
from engine.models import Job, ProcessDefinition


def timer_start_events(parsed: ParsedBundle) -> list:
    return [
        ts
        for ts in parsed.spec.task_specs.values()
        if isinstance(ts, StartEvent)
        and isinstance(getattr(ts, "event_definition", None), TimerEventDefinition)
    ]


def schedule(
    ctx: Context, session: Session, definition: ProcessDefinition, parsed: ParsedBundle
) -> list[Job]:
    """Replace the key's timer-start schedule with that of ``definition`` (in the deploying transaction)."""
    session.execute(
        delete(Job).where(
            Job.kind == "timer_start",
            Job.status == "pending",
            Job.definition_id.in_(
                select(ProcessDefinition.id).where(ProcessDefinition.key == definition.key)
            ),
        )
    )
    jobs = []
    now = ctx.clock.now()
    for start_event in timer_start_events(parsed):
        event = start_event.event_definition
        value = ctx.script_engine.environment.evaluate(event.expression, {})
        if isinstance(event, CycleTimerEventDefinition):
            cycles, first, duration = TimerEventDefinition.parse_iso_recurring_interval(value)
            payload = {"cycles": cycles, "seconds": duration.total_seconds()}
        elif isinstance(event, DurationTimerEventDefinition):
            parsed_duration = TimerEventDefinition.parse_iso_duration(value)
            first, payload = (
                now + TimerEventDefinition.get_timedelta_from_start(parsed_duration),
                {"cycles": 1},
            )
        else:
            first, payload = TimerEventDefinition.get_datetime(value), {"cycles": 1}
        job = Job(
            definition_id=definition.id,
            kind="timer_start",
            element_id=start_event.bpmn_id,
            due_at=first,
            payload=payload,
        )
        session.add(job)
        jobs.append(job)
    return jobs
