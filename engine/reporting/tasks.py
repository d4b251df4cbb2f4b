"""Open and overdue tasks, and SLA compliance, within a supervisor's scope."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.models import (
    HumanTask,
    ProcessInstance,
    User,
)
from engine.org.scopes import Scope
from engine.reporting.common import local_day_start, process_names, reading, share, unit_names
from engine.states import HumanTaskState


def open_task_counts(
    ctx: Context,
    scope: Scope,
    by: str,
    now: datetime | None = None,
    departments: dict[str, str] | None = None,
    session: Session | None = None,
) -> list[dict]:
    """Open and overdue tasks per ``department``, ``unit`` or ``person`` (the assignee; unclaimed apart)."""
    now = now or ctx.clock.now()
    departments = ctx.departments() if departments is None else departments
    with reading(ctx, session) as session:
        rows = session.execute(
            select(HumanTask.process_key, HumanTask.unit_id, HumanTask.assignee, HumanTask.due_at).where(
                HumanTask.state == HumanTaskState.OPEN, scope.tasks()
            )
        ).all()
        units = unit_names(session)
        people = dict(session.execute(select(User.username, User.full_name)).all())
    table: dict[str | int | None, dict] = {}
    for key, unit_id, assignee, due_at in rows:
        if by == "department":
            group, label = departments.get(key), departments.get(key)
        elif by == "unit":
            group, label = unit_id, units.get(unit_id, (None, None))[1]
        elif by == "person":
            group, label = assignee, people.get(assignee, assignee)
        else:
            raise ValueError(f"unknown grouping {by!r}")
        entry = table.setdefault(group, {"key": group, "label": label, "open": 0, "overdue": 0})
        entry["open"] += 1
        entry["overdue"] += due_at is not None and due_at < now
    return sorted(table.values(), key=lambda e: (-e["overdue"], -e["open"], str(e["label"])))


def overdue_tasks(
    ctx: Context, scope: Scope, now: datetime | None = None, limit: int = 200, session: Session | None = None
) -> list[dict]:
    """Open tasks past their due moment, the most overdue first."""
    now = now or ctx.clock.now()
    with reading(ctx, session) as session:
        rows = session.execute(
            select(HumanTask, ProcessInstance.title)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(HumanTask.state == HumanTaskState.OPEN, HumanTask.due_at < now, scope.tasks())
            .order_by(HumanTask.due_at)
            .limit(limit)
        ).all()
        units = unit_names(session)
        return [
            {
                "id": task.id,
                "instance_id": task.instance_id,
                "instance_title": title,
                "process_key": task.process_key,
                "name": task.name,
                "unit": units.get(task.unit_id, (None, None))[1],
                "assignee": task.assignee,
                "role": task.role_code,
                "due_at": task.due_at,
                "days_late": ctx.calendar.working_days_between(task.due_at, now),
            }
            for task, title in rows
        ]


def sla_compliance(
    ctx: Context, scope: Scope, start: date, end: date, by: str, session: Session | None = None
) -> list[dict]:
    """Per ``process`` or ``unit``: of the tasks with a due date completed between the two Tehran days
    (inclusive), how many were completed by their due moment, and the share in percent.
    """
    lo, hi = local_day_start(start), local_day_start(end + timedelta(days=1))
    column = HumanTask.process_key if by == "process" else HumanTask.unit_id
    if by not in ("process", "unit"):
        raise ValueError(f"unknown grouping {by!r}")
    with reading(ctx, session) as session:
        on_time = func.sum(case((HumanTask.completed_at <= HumanTask.due_at, 1), else_=0))
        rows = session.execute(
            select(column, func.count(), on_time)
            .where(
                HumanTask.state == HumanTaskState.COMPLETED,
                HumanTask.due_at.is_not(None),
                HumanTask.completed_at >= lo,
                HumanTask.completed_at < hi,
                scope.tasks(),
            )
            .group_by(column)
        ).all()
        labels = (
            process_names(session) if by == "process" else {k: v[1] for k, v in unit_names(session).items()}
        )
    result = [
        {
            "key": key,
            "label": labels.get(key, key),
            "completed": total,
            "on_time": int(good or 0),
            "late": total - int(good or 0),
            "percent": share(int(good or 0), total),
        }
        for key, total, good in rows
    ]
    return sorted(result, key=lambda e: (e["percent"] is None, e["percent"] or 0, str(e["label"])))
