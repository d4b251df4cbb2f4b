"""The units side by side on one process (a policy rollout to the regions)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.models import (
    HumanTask,
    OrgUnit,
)
from engine.org.scopes import Scope
from engine.reporting.common import local_day_start, reading


def unit_comparison(
    ctx: Context,
    scope: Scope,
    process_key: str,
    start: date | None = None,
    end: date | None = None,
    now: datetime | None = None,
    kinds: tuple[str, ...] = ("region",),
    session: Session | None = None,
) -> dict:
    """The units of the given kinds side by side on one process (a policy rollout).

    Per unit and user task: how many were done, done late, are open, open past their due (overdue),
    and were cancelled past their due (missed: an escalation took the task away). Per unit: ``late``
    (late + overdue + missed) and ``avg_days``, the working days its tasks took or have taken so far.
    Only tasks created between the two days (inclusive) when they are given. The latest unit first.
    """
    now = now or ctx.clock.now()
    cal = ctx.calendar
    with reading(ctx, session) as session:
        conditions = [HumanTask.process_key == process_key, scope.tasks()]
        if start:
            conditions.append(HumanTask.created_at >= local_day_start(start))
        if end:
            conditions.append(HumanTask.created_at < local_day_start(end + timedelta(days=1)))
        tasks = session.execute(
            select(
                HumanTask.unit_id,
                HumanTask.element_id,
                HumanTask.name,
                HumanTask.state,
                HumanTask.created_at,
                HumanTask.due_at,
                HumanTask.completed_at,
            )
            .where(*conditions)
            .order_by(HumanTask.created_at)
        ).all()
        units = session.execute(
            select(OrgUnit.id, OrgUnit.code, OrgUnit.name_fa)
            .where(OrgUnit.kind.in_(kinds))
            .order_by(OrgUnit.code)
        ).all()
    visible = [
        u for u in units if scope.everything or u.id in scope.unit_ids or process_key in scope.process_keys
    ]
    elements: dict[str, str] = {}
    rows = {
        u.id: {"unit_id": u.id, "code": u.code, "name": u.name_fa, "elements": {}, "_days": []}
        for u in visible
    }
    for unit_id, element_id, name, state, created, due, ended in tasks:
        if unit_id not in rows or (state == "cancelled" and (due is None or ended <= due)):
            continue
        elements.setdefault(element_id, name)
        row = rows[unit_id]
        cell = row["elements"].setdefault(
            element_id, {"done": 0, "late": 0, "open": 0, "overdue": 0, "missed": 0}
        )
        row["_days"].append(cal.working_days_between(created, ended or now))
        if state == "completed":
            cell["done"] += 1
            cell["late"] += due is not None and ended > due
        elif state == "cancelled":
            cell["missed"] += 1
        else:
            cell["open"] += 1
            cell["overdue"] += due is not None and due < now
    result = []
    for row in rows.values():
        if not row["elements"]:
            continue  # the process gave this unit nothing to do
        days = row.pop("_days")
        cells = row["elements"].values()
        row["avg_days"] = round(sum(days) / len(days), 2)
        row["late"] = sum(c["late"] + c["overdue"] + c["missed"] for c in cells)
        row["done"] = sum(c["done"] for c in cells)
        row["open"] = sum(c["open"] for c in cells)
        result.append(row)
    result.sort(key=lambda r: (-r["late"], -r["avg_days"], r["code"]))
    return {"process_key": process_key, "elements": elements, "units": result}


def busiest_unit_process(
    ctx: Context, scope: Scope, kinds: tuple[str, ...] = ("region",), session: Session | None = None
) -> str | None:
    """The process with the most tasks in units of the given kinds: the rollout to compare by default."""
    with reading(ctx, session) as session:
        return session.scalar(
            select(HumanTask.process_key)
            .join(OrgUnit, OrgUnit.id == HumanTask.unit_id)
            .where(OrgUnit.kind.in_(kinds), scope.tasks())
            .group_by(HumanTask.process_key)
            .order_by(func.count().desc(), HumanTask.process_key)
            .limit(1)
        )
