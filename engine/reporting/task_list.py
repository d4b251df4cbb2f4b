"""The monitor's list of open tasks: what the dashboard's task figures count, one row per task.

Its filters are those of the figures (a department's processes, a unit, an assignee or nobody, past
due), and its scope is the figures' (``Scope.tasks``), so a figure and the list it opens agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.models import HumanTask, OrgUnit, ProcessInstance
from engine.notify.notices import unread_in
from engine.org.access import load_viewer
from engine.reporting.common import process_names, reading, unit_names
from engine.states import HumanTaskState

#: The department filter of the processes the catalog places in no department.
NO_DEPARTMENT = "-"


@dataclass(frozen=True)
class TaskFilter:
    process_key: str | None = None
    department: str | None = None  # a department's code, or NO_DEPARTMENT
    unit_code: str | None = None
    assignee: str | None = None
    unclaimed: bool = False
    overdue: bool = False


def task_list(
    ctx: Context,
    username: str,
    filters: TaskFilter,
    limit: int | None = 50,
    offset: int = 0,
    session: Session | None = None,
) -> dict:
    """``rows`` (the most overdue first, then the soonest due) and ``total`` of the open tasks the
    filters select within ``username``'s scope."""
    now = ctx.clock.now()
    with reading(ctx, session) as session:
        scope = load_viewer(ctx, session, username, now).scope
        conditions = [HumanTask.state == HumanTaskState.OPEN, scope.tasks()]
        f = filters
        if f.process_key:
            conditions.append(HumanTask.process_key == f.process_key)
        if f.department == NO_DEPARTMENT:
            conditions.append(HumanTask.process_key.not_in(sorted(ctx.departments())))
        elif f.department:
            keys = sorted(k for k, d in ctx.departments().items() if d == f.department)
            conditions.append(HumanTask.process_key.in_(keys))
        if f.unit_code:
            conditions.append(
                HumanTask.unit_id == select(OrgUnit.id).where(OrgUnit.code == f.unit_code).scalar_subquery()
            )
        if f.assignee:
            conditions.append(HumanTask.assignee == f.assignee)
        if f.unclaimed:
            conditions.append(HumanTask.assignee.is_(None))
        if f.overdue:
            conditions.append(HumanTask.due_at < now)
        total = session.scalar(select(func.count()).select_from(HumanTask).where(*conditions))
        stmt = (
            select(HumanTask, ProcessInstance.title)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(*conditions)
            .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at)
            .offset(offset)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        found = session.execute(stmt).all()
        units, names = unit_names(session), process_names(session)
        rows = [
            {
                "id": task.id,
                "name": task.name,
                "instance_id": task.instance_id,
                "instance_title": title,
                "process_key": task.process_key,
                "process_name": names.get(task.process_key, task.process_key),
                "unit": units.get(task.unit_id, (None, None))[1],
                "assignee": task.assignee,
                "role": task.role_code,
                "created_at": task.created_at,
                "due_at": task.due_at,
                "overdue": task.due_at is not None and task.due_at < now,
            }
            for task, title in found
        ]
        return {"rows": rows, "total": total, "unread": unread_in(session, username)}
