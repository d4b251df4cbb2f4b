"""What the supervisor's figures share: Tehran days and weeks, process and unit names, shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.calendar.jalali import TEHRAN
from engine.calendar.working import WorkingCalendar
from engine.context import Context
from engine.models import (
    HumanTask,
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
)
from engine.states import HumanTaskState


def local_day_start(day: date) -> datetime:
    """The first moment of a Tehran calendar day, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=TEHRAN)


def week_start(calendar: WorkingCalendar, moment: datetime) -> date:
    """The Saturday that begins the Jalali week of ``moment`` (Tehran time)."""
    day = calendar.local_date(moment)
    return day - timedelta(days=(day.weekday() - 5) % 7)


def process_names(session: Session) -> dict[str, str]:
    """Each process key's name, from its latest version."""
    names = {}
    for key, name in session.execute(
        select(ProcessDefinition.key, ProcessDefinition.name).order_by(ProcessDefinition.version)
    ):
        names[key] = name
    return names


def unit_names(session: Session) -> dict[int, tuple[str, str]]:
    return {
        row.id: (row.code, row.name_fa)
        for row in session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.name_fa))
    }


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def has_open_task():
    return exists().where(HumanTask.instance_id == ProcessInstance.id, HumanTask.state == HumanTaskState.OPEN)


def has_overdue_task(now: datetime, unit_id=None):
    """An open task past its due moment (in the given unit, when one is given)."""
    condition = exists().where(
        HumanTask.instance_id == ProcessInstance.id,
        HumanTask.state == HumanTaskState.OPEN,
        HumanTask.due_at < now,
    )
    return condition.where(HumanTask.unit_id == unit_id) if unit_id is not None else condition


@contextmanager
def reading(ctx: Context, session: Session | None) -> Iterator[Session]:
    """The given session (a read model composing several figures in one read), or a read of its own."""
    if session is not None:
        yield session
        return
    with ctx.db.read() as own:
        yield own
