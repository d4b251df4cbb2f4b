"""The instance list and the instance counts, within a supervisor's scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.models import (
    HumanTask,
    Job,
    MessageSubscription,
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
)
from engine.org.scopes import STATUSES, Scope
from engine.reporting.common import (
    has_open_task,
    has_overdue_task,
    local_day_start,
    process_names,
    reading,
    unit_names,
)
from engine.reporting.heatmap import WAITING_STATUSES
from engine.search import searchable
from engine.states import HumanTaskState, InstanceStatus, JobStatus


def instance_counts(ctx: Context, scope: Scope, session: Session | None = None) -> list[dict]:
    """Per process: instances running (of which waiting on no one's task), suspended, in incident, ended."""
    with reading(ctx, session) as session:
        names = process_names(session)
        waiting = ProcessInstance.status.in_(("running",)) & ~has_open_task()
        rows = session.execute(
            select(
                ProcessInstance.process_key,
                ProcessInstance.status,
                func.count(),
                func.sum(case((waiting, 1), else_=0)),
            )
            .where(scope.instances())
            .group_by(ProcessInstance.process_key, ProcessInstance.status)
        ).all()
    table: dict[str, dict] = {}
    for key, status, count, waiting_count in rows:
        entry = table.setdefault(
            key, {"process_key": key, "name": names.get(key, key), **dict.fromkeys(STATUSES, 0)}
        )
        entry[status] = entry.get(status, 0) + count
        entry["waiting"] += int(waiting_count or 0)
    return sorted(table.values(), key=lambda e: e["name"])


@dataclass
class InstanceFilter:
    """The instance list's filters; every one optional. Dates are Tehran calendar days, inclusive."""

    process_key: str | None = None
    process_keys: list[str] | None = None
    version: int | None = None
    definition_id: int | None = None
    department: str | None = None
    unit_id: int | None = None  # the instance's unit, or one of its tasks'
    unit_code: str | None = None  # the same, named by the unit's code
    status: str | None = None
    started_from: date | None = None
    started_to: date | None = None
    overdue: bool = False
    initiator: str | None = None
    text: str | None = None
    element_id: str | None = None
    assignee: str | None = None
    ids: list[int] = field(default_factory=list)


def instance_conditions(
    scope: Scope, filters: InstanceFilter, now: datetime, departments: Mapping[str, str]
) -> list:
    conditions = [scope.instances()]
    f = filters
    if f.process_key:
        conditions.append(ProcessInstance.process_key == f.process_key)
    if f.process_keys is not None:
        conditions.append(ProcessInstance.process_key.in_(f.process_keys))
    if f.version is not None:
        conditions.append(ProcessDefinition.version == f.version)
    if f.definition_id is not None:
        conditions.append(ProcessInstance.definition_id == f.definition_id)
    if f.department:
        keys = sorted(k for k, d in departments.items() if d == f.department)
        conditions.append(ProcessInstance.process_key.in_(keys))
    unit = f.unit_id
    if f.unit_code is not None:
        unit = select(OrgUnit.id).where(OrgUnit.code == f.unit_code).scalar_subquery()
    if unit is not None:
        conditions.append(
            or_(
                ProcessInstance.unit_id == unit,
                exists().where(HumanTask.instance_id == ProcessInstance.id, HumanTask.unit_id == unit),
            )
        )
    if f.status == "waiting":
        conditions.append(and_(ProcessInstance.status == InstanceStatus.RUNNING, ~has_open_task()))
    elif f.status:
        conditions.append(ProcessInstance.status == f.status)
    if f.started_from:
        conditions.append(ProcessInstance.started_at >= local_day_start(f.started_from))
    if f.started_to:
        conditions.append(ProcessInstance.started_at < local_day_start(f.started_to + timedelta(days=1)))
    if f.overdue:
        conditions.append(has_overdue_task(now, unit))
    if f.initiator:
        conditions.append(ProcessInstance.started_by == f.initiator)
    text = searchable(f.text)
    if text:
        conditions.append(ProcessInstance.search_text.contains(text, autoescape=True))
    if f.element_id:  # waiting there now, counted as the heat map counts (``heatmap.element_stats``)
        own = scope.own_instances()
        conditions.append(
            or_(
                exists().where(
                    HumanTask.instance_id == ProcessInstance.id,
                    HumanTask.state == HumanTaskState.OPEN,
                    HumanTask.element_id == f.element_id,
                    scope.tasks(),
                ),
                and_(
                    own,
                    ProcessInstance.status.in_(WAITING_STATUSES),
                    exists().where(
                        MessageSubscription.instance_id == ProcessInstance.id,
                        MessageSubscription.element_id == f.element_id,
                    ),
                ),
                and_(
                    own,
                    ~has_open_task(),  # a boundary timer's instance waits at its task
                    exists().where(
                        Job.instance_id == ProcessInstance.id,
                        Job.kind == "timer",
                        Job.status == JobStatus.PENDING,
                        Job.element_id == f.element_id,
                    ),
                ),
            )
        )
    if f.assignee:
        conditions.append(
            exists().where(
                HumanTask.instance_id == ProcessInstance.id,
                HumanTask.state == HumanTaskState.OPEN,
                HumanTask.assignee == f.assignee,
                *([HumanTask.due_at < now] if f.overdue else []),
            )
        )
    if f.ids:
        conditions.append(ProcessInstance.id.in_(f.ids))
    return conditions


def list_instances(
    ctx: Context,
    scope: Scope,
    filters: InstanceFilter,
    limit: int | None = 50,
    offset: int = 0,
    session: Session | None = None,
) -> tuple[list[dict], int]:
    """One page of the instances the filters select, newest first, and how many there are in all."""
    now = ctx.clock.now()
    with reading(ctx, session) as session:
        conditions = instance_conditions(scope, filters, now, ctx.departments())
        base = (
            select(ProcessInstance, ProcessDefinition.version, ProcessDefinition.name)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .where(*conditions)
        )
        total = session.scalar(select(func.count()).select_from(base.subquery()))
        stmt = base.order_by(ProcessInstance.started_at.desc(), ProcessInstance.id.desc()).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = session.execute(stmt).all()
        ids = [r[0].id for r in rows]
        open_counts: dict[int, int] = defaultdict(int)
        overdue: set[int] = set()
        for instance_id, due_at in session.execute(
            select(HumanTask.instance_id, HumanTask.due_at).where(
                HumanTask.instance_id.in_(ids), HumanTask.state == HumanTaskState.OPEN
            )
        ):
            open_counts[instance_id] += 1
            if due_at is not None and due_at < now:
                overdue.add(instance_id)
        units = unit_names(session)
        result = []
        for instance, version, name in rows:
            status = instance.status
            if status == "running" and not open_counts[instance.id]:
                status = "waiting"
            result.append(
                {
                    "id": instance.id,
                    "process_key": instance.process_key,
                    "process_name": name,
                    "version": version,
                    "title": instance.title,
                    "business_key": instance.business_key,
                    "tracking_code": instance.tracking_code,
                    "status": status,
                    "unit": units.get(instance.unit_id, (None, None))[1],
                    "started_by": instance.started_by,
                    "started_at": instance.started_at,
                    "ended_at": instance.ended_at,
                    "open_tasks": open_counts[instance.id],
                    "overdue": instance.id in overdue,
                }
            )
        return result, total
