"""The heat map of one process version: per element, passes, waits and incidents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.models import (
    AuditEvent,
    HumanTask,
    Incident,
    Job,
    MessageSubscription,
    ProcessInstance,
)
from engine.org.scopes import Scope
from engine.reporting.common import reading
from engine.states import HumanTaskState, JobStatus

#: The instances counted as waiting at a message: those that can still receive one.
WAITING_STATUSES = ("running", "incident", "suspended")


def element_stats(
    ctx: Context,
    scope: Scope,
    definition_id: int,
    now: datetime | None = None,
    session: Session | None = None,
) -> dict:
    """Per element of one process version: how many times instances passed it, how long they waited
    there on average in working days, and how many wait there now.

    User tasks come from ``human_task`` (created → completed, or → now while open); catch events from
    the audit trail (a timer or message arriving: the wait is the time since the instance's previous
    event); other elements count their ``element`` events and do not wait.

    Tasks count as the scope sees them (a region's manager: their region's tasks only); the rest of
    the flow only for the scope's own cases (``Scope.own_instances``), never for the whole of a
    central case that gave the region a task: the map is the region's, not a mix.
    """
    now = now or ctx.clock.now()
    cal = ctx.calendar
    stats: dict[str, dict] = {}

    def entry(element_id: str, name: str | None) -> dict:
        item = stats.setdefault(
            element_id,
            {"element_id": element_id, "name": name, "passed": 0, "waiting_now": 0}
            | {"_waits": [], "_now": set()},
        )
        item["name"] = item["name"] or name
        return item

    with reading(ctx, session) as session:
        in_version = and_(ProcessInstance.definition_id == definition_id, scope.instances())
        own = and_(ProcessInstance.definition_id == definition_id, scope.own_instances())
        tasks = session.execute(
            select(
                HumanTask.element_id,
                HumanTask.name,
                HumanTask.state,
                HumanTask.created_at,
                HumanTask.completed_at,
                HumanTask.instance_id,
            )
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(in_version, scope.tasks())
        ).all()
        for element_id, name, state, created, completed, instance_id in tasks:
            item = entry(element_id, name)
            if state == "completed":
                item["passed"] += 1
                item["_waits"].append(cal.working_days_between(created, completed))
            elif state == "open":  # an instance waits once at a step, however many units work on it
                item["_now"].add(instance_id)
                item["_waits"].append(cal.working_days_between(created, now))
        events = session.execute(
            select(
                AuditEvent.instance_id,
                AuditEvent.kind,
                AuditEvent.element_id,
                AuditEvent.element_name,
                AuditEvent.at,
            )
            .join(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id)
            .where(own)
            .order_by(AuditEvent.instance_id, AuditEvent.id)
        ).all()
        user_tasks = {t[0] for t in tasks}
        previous: dict[int, datetime] = {}
        for instance_id, kind, element_id, element_name, at in events:
            if element_id and element_id not in user_tasks:
                if kind == "element":
                    entry(element_id, element_name)["passed"] += 1
                elif kind in ("timer_fired", "message_received") and instance_id in previous:
                    entry(element_id, element_name)["_waits"].append(
                        cal.working_days_between(previous[instance_id], at)
                    )
            previous[instance_id] = at
        waiting_tasks = {
            t
            for t in session.scalars(
                select(HumanTask.instance_id)
                .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                .where(in_version, HumanTask.state == HumanTaskState.OPEN)
            )
        }
        for instance_id, element_id in session.execute(  # each instance once per element
            select(MessageSubscription.instance_id, MessageSubscription.element_id)
            .join(ProcessInstance, ProcessInstance.id == MessageSubscription.instance_id)
            .where(own, ProcessInstance.status.in_(WAITING_STATUSES))
        ):
            entry(element_id, None)["_now"].add(instance_id)
        for instance_id, element_id in session.execute(
            select(Job.instance_id, Job.element_id)
            .join(ProcessInstance, ProcessInstance.id == Job.instance_id)
            .where(own, Job.kind == "timer", Job.status == JobStatus.PENDING)
        ):
            if instance_id not in waiting_tasks:  # a boundary timer's instance already waits at its task
                entry(element_id, None)["_now"].add(instance_id)
        incidents = session.execute(
            select(Incident.element_id, func.count())
            .join(ProcessInstance, ProcessInstance.id == Incident.instance_id)
            .where(own, Incident.resolved_at.is_(None), Incident.element_id.is_not(None))
            .group_by(Incident.element_id)
        ).all()
    for element_id, count in incidents:
        entry(element_id, None)["incidents"] = count
    for item in stats.values():
        waits = item.pop("_waits")
        item["waiting_now"] += len(item.pop("_now"))
        item["avg_wait_days"] = round(sum(waits) / len(waits), 2) if waits else None
        item["median_wait_days"] = _quantile(waits, 0.5)
        item["p90_wait_days"] = _quantile(waits, 0.9)
        item.setdefault("incidents", 0)
    return stats


def _quantile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile of the waits, interpolated between the two nearest (None without any)."""
    if not values:
        return None
    ordered = sorted(values)
    at = q * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (at - low), 2)
