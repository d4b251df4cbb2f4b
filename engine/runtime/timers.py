"""A timer start event falling due: one new instance, and the next firing of a cycle.

A cycle (``"R4/P3M"``, ``"R/P7D"``) schedules its next firing until its count runs out."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from engine.context import Context
from engine.models import Job, ProcessDefinition


def fire_timer_start(ctx: Context, session: Session, job: Job) -> None:
    from engine.runtime.starting import start_in_session

    definition = session.get(ProcessDefinition, job.definition_id)
    start_in_session(ctx, session, definition, {}, timer_start=job.element_id)
    cycles = job.payload.get("cycles", 1)
    if cycles == 1 or cycles == 0:
        return
    next_due: datetime = job.due_at + timedelta(seconds=job.payload["seconds"])
    session.add(
        Job(
            definition_id=definition.id,
            kind="timer_start",
            element_id=job.element_id,
            due_at=next_due,
            payload={**job.payload, "cycles": cycles - 1 if cycles > 0 else cycles},
        )
    )
