"""Timer start events: each process key's latest version keeps its schedule as ``timer_start`` jobs.

Deploying a new version replaces the schedule of the older ones."""

from __future__ import annotations

from datetime import datetime

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
from engine.errors import N_, Problem
from engine.models import Job, ProcessDefinition
from engine.states import JobStatus


def timer_start_events(parsed: ParsedBundle) -> list:
    return [
        ts
        for ts in parsed.spec.task_specs.values()
        if isinstance(ts, StartEvent)
        and isinstance(getattr(ts, "event_definition", None), TimerEventDefinition)
    ]


def first_run(ctx: Context, event: TimerEventDefinition, now: datetime) -> tuple[datetime, dict]:
    """When a timer start event first fires, and its cycles: its time is evaluated now, with no data."""
    value = ctx.script_engine.environment.evaluate(event.expression, {})
    if isinstance(event, CycleTimerEventDefinition):
        cycles, first, duration = TimerEventDefinition.parse_iso_recurring_interval(value)
        return first, {"cycles": cycles, "seconds": duration.total_seconds()}
    if isinstance(event, DurationTimerEventDefinition):
        parsed_duration = TimerEventDefinition.parse_iso_duration(value)
        return now + TimerEventDefinition.get_timedelta_from_start(parsed_duration), {"cycles": 1}
    return TimerEventDefinition.get_datetime(value), {"cycles": 1}


def schedule_problems(ctx: Context, parsed: ParsedBundle) -> list[Problem]:
    """The timer start events whose time cannot be computed when the process is deployed."""
    problems = []
    for start_event in timer_start_events(parsed):
        try:
            first_run(ctx, start_event.event_definition, ctx.clock.now())
        except Exception as exc:  # the sandbox and SpiffWorkflow's parsers raise many kinds
            file, line = parsed.element_line(start_event.bpmn_id)
            problems.append(
                Problem(
                    file or parsed.spec.file or "",
                    N_(
                        "The timer start event's time cannot be computed when the process is deployed: "
                        "{detail}"
                    ),
                    line,
                    start_event.bpmn_id,
                    params={"detail": str(exc) or type(exc).__name__},
                    rule="timer-start",
                )
            )
    return problems


def schedule(
    ctx: Context, session: Session, definition: ProcessDefinition, parsed: ParsedBundle
) -> list[Job]:
    """Replace the key's timer-start schedule with that of ``definition`` (in the deploying transaction)."""
    session.execute(
        delete(Job).where(
            Job.kind == "timer_start",
            Job.status == JobStatus.PENDING,
            Job.definition_id.in_(
                select(ProcessDefinition.id).where(ProcessDefinition.key == definition.key)
            ),
        )
    )
    jobs = []
    now = ctx.clock.now()
    for start_event in timer_start_events(parsed):
        first, payload = first_run(ctx, start_event.event_definition, now)
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
