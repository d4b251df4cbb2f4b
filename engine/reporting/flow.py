"""Instances started and completed per Jalali week, with their cycle times."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar.jalali import to_jalali_str
from engine.context import Context
from engine.models import (
    ProcessInstance,
)
from engine.org.scopes import Scope
from engine.reporting.common import local_day_start, reading, week_start
from engine.states import InstanceStatus


def weekly_flow(
    ctx: Context, scope: Scope, start: date, end: date, session: Session | None = None
) -> list[dict]:
    """Per Jalali week between the two days: instances started, instances completed, and the completed
    ones' average cycle time (start to end) in calendar days and in working days.
    """
    cal = ctx.calendar
    lo, hi = local_day_start(start), local_day_start(end + timedelta(days=1))
    with reading(ctx, session) as session:
        started = session.scalars(
            select(ProcessInstance.started_at).where(
                scope.instances(), ProcessInstance.started_at >= lo, ProcessInstance.started_at < hi
            )
        ).all()
        ended = session.execute(
            select(ProcessInstance.started_at, ProcessInstance.ended_at).where(
                scope.instances(),
                ProcessInstance.status == InstanceStatus.COMPLETED,
                ProcessInstance.ended_at >= lo,
                ProcessInstance.ended_at < hi,
            )
        ).all()
    weeks: dict[date, dict] = {}
    first = week_start(cal, lo)
    while first < end + timedelta(days=1):
        weeks[first] = {"week": first, "label": to_jalali_str(first), "started": 0, "completed": 0}
        weeks[first]["_days"], weeks[first]["_wdays"] = [], []
        first += timedelta(days=7)
    for moment in started:
        weeks[week_start(cal, moment)]["started"] += 1
    for began, finished in ended:
        week = weeks[week_start(cal, finished)]
        week["completed"] += 1
        week["_days"].append((finished - began).total_seconds() / 86400)
        week["_wdays"].append(cal.working_days_between(began, finished))
    result = []
    for week in weeks.values():
        days, wdays = week.pop("_days"), week.pop("_wdays")
        week["cycle_days"] = round(sum(days) / len(days), 2) if days else None
        week["cycle_working_days"] = round(sum(wdays) / len(wdays), 2) if wdays else None
        result.append(week)
    return result
