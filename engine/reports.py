"""The supervisor's figures, answered from the database tables only (never by loading a workflow).

Everything is computed inside a ``Scope``: the processes and units a supervisor may see. Durations
are counted in working days on the Jalali calendar (``WorkingCalendar.working_days_between``); weeks
are Jalali weeks, Saturday to Friday, in Tehran time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from engine.access import acting_positions, get_user
from engine.calendar import TEHRAN, WorkingCalendar, to_jalali_str
from engine.catalog import PROCESSES_DIR, load_catalog
from engine.context import Context
from engine.models import (
    AuditEvent,
    HumanTask,
    Incident,
    Job,
    MessageSubscription,
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
    User,
    utcnow,
)

STATUSES = ("running", "waiting", "suspended", "incident", "completed", "terminated")
HEAD_ROLES = {
    "coord_head": "coord",
    "social_head": "social",
    "opinion_head": "opinion",
    "protocol_head": "protocol",
}
MONITOR_ROLES = ("deputy", "supervisor", "unit_pr_manager", *HEAD_ROLES)


# --- scope ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a supervisor may see: everything, or the instances and tasks of some processes or units."""

    everything: bool = False
    process_keys: frozenset[str] = frozenset()
    unit_ids: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.everything or self.process_keys or self.unit_ids)

    def instances(self) -> ColumnElement[bool]:
        """SQL condition on ``ProcessInstance``: a unit's manager sees the instances of their unit and
        those that gave their unit a task (a policy rollout's, say)."""
        clause = self._clause(ProcessInstance.process_key, ProcessInstance.unit_id)
        if self.everything or not self.unit_ids:
            return clause
        task = aliased(HumanTask)  # the outer query may select from human_task itself
        return or_(
            clause,
            exists().where(task.instance_id == ProcessInstance.id, task.unit_id.in_(sorted(self.unit_ids))),
        )

    def tasks(self) -> ColumnElement[bool]:
        """SQL condition on ``HumanTask``: a unit's manager sees the tasks of their unit only."""
        return self._clause(HumanTask.process_key, HumanTask.unit_id)

    def _clause(self, key_column, unit_column) -> ColumnElement[bool]:
        if self.everything:
            return true()
        clauses = []
        if self.process_keys:
            clauses.append(key_column.in_(sorted(self.process_keys)))
        if self.unit_ids:
            clauses.append(unit_column.in_(sorted(self.unit_ids)))
        return or_(*clauses) if clauses else false()

    def sees_instance(self, session: Session, instance: ProcessInstance) -> bool:
        if self.everything or instance.process_key in self.process_keys or instance.unit_id in self.unit_ids:
            return True
        return (
            bool(self.unit_ids)
            and session.scalar(
                select(func.count())
                .select_from(HumanTask)
                .where(HumanTask.instance_id == instance.id, HumanTask.unit_id.in_(sorted(self.unit_ids)))
            )
            > 0
        )

    def sees_task(self, task: HumanTask) -> bool:
        return self.everything or task.process_key in self.process_keys or task.unit_id in self.unit_ids


EVERYTHING = Scope(everything=True)


def catalog_departments(root: Path = PROCESSES_DIR) -> dict[str, str]:
    """Process key → department, from the catalog (engine/catalog.py)."""
    return {key: entry.department for key, entry in load_catalog(root).items() if entry.department}


def scope_for_user(ctx: Context, username: str, departments: dict[str, str] | None = None) -> Scope:
    """The scope of a user's positions (own and delegated to them now).

    The deputy and administrators see everything; a department head (and a supervisor placed in a
    department) the processes of that department, plus any process the catalog does not place; a
    supervisor in the Center or the Deputy everything; a unit's PR manager the instances and tasks of
    that unit. Anyone else sees nothing.
    """
    departments = catalog_departments() if departments is None else departments
    with ctx.db.transaction() as session:
        user = get_user(session, username)
        if user.is_admin:
            return EVERYTHING
        unit_codes = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
        unit_kinds = dict(session.execute(select(OrgUnit.id, OrgUnit.kind)).all())
        wanted_departments: set[str] = set()
        units: set[int] = set()
        for role, unit_id, _per_unit in acting_positions(session, user, utcnow()):
            if role == "deputy":
                return EVERYTHING
            if role in HEAD_ROLES:
                wanted_departments.add(HEAD_ROLES[role])
            elif role == "supervisor":
                kind = unit_kinds.get(unit_id)
                if kind in ("center", "deputy"):
                    return EVERYTHING
                if kind == "department":
                    wanted_departments.add(unit_codes[unit_id].removeprefix("dept_"))
                else:
                    units.add(unit_id)
            elif role == "unit_pr_manager":
                units.add(unit_id)
        keys: set[str] = set()
        if wanted_departments:
            deployed = session.scalars(select(ProcessDefinition.key).distinct()).all()
            keys = {k for k in deployed if departments.get(k, None) in wanted_departments | {None}}
        return Scope(process_keys=frozenset(keys), unit_ids=frozenset(units))


# --- helpers -------------------------------------------------------------------------------------------


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


# --- instances -----------------------------------------------------------------------------------------


def has_open_task():
    return exists().where(HumanTask.instance_id == ProcessInstance.id, HumanTask.state == "open")


def has_overdue_task(now: datetime, unit_id: int | None = None):
    """An open task past its due moment (in the given unit, when one is given)."""
    condition = exists().where(
        HumanTask.instance_id == ProcessInstance.id, HumanTask.state == "open", HumanTask.due_at < now
    )
    return condition.where(HumanTask.unit_id == unit_id) if unit_id is not None else condition


def instance_counts(ctx: Context, scope: Scope) -> list[dict]:
    """Per process: instances running (of which waiting on no one's task), suspended, in incident, ended."""
    with ctx.db.transaction() as session:
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
    scope: Scope, filters: InstanceFilter, now: datetime, departments: dict[str, str] | None = None
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
        departments = catalog_departments() if departments is None else departments
        keys = sorted(k for k, d in departments.items() if d == f.department)
        conditions.append(ProcessInstance.process_key.in_(keys))
    if f.unit_id is not None:
        conditions.append(
            or_(
                ProcessInstance.unit_id == f.unit_id,
                exists().where(HumanTask.instance_id == ProcessInstance.id, HumanTask.unit_id == f.unit_id),
            )
        )
    if f.status == "waiting":
        conditions.append(and_(ProcessInstance.status == "running", ~has_open_task()))
    elif f.status:
        conditions.append(ProcessInstance.status == f.status)
    if f.started_from:
        conditions.append(ProcessInstance.started_at >= local_day_start(f.started_from))
    if f.started_to:
        conditions.append(ProcessInstance.started_at < local_day_start(f.started_to + timedelta(days=1)))
    if f.overdue:
        conditions.append(has_overdue_task(now, f.unit_id))
    if f.initiator:
        conditions.append(ProcessInstance.started_by == f.initiator)
    if f.text:
        pattern = f"%{f.text.strip()}%"
        conditions.append(
            or_(
                ProcessInstance.business_key.ilike(pattern),
                ProcessInstance.tracking_code == f.text.strip(),
                ProcessInstance.title.ilike(pattern),
            )
        )
    if f.element_id:
        conditions.append(
            exists().where(
                HumanTask.instance_id == ProcessInstance.id,
                HumanTask.state == "open",
                HumanTask.element_id == f.element_id,
            )
        )
    if f.assignee:
        conditions.append(
            exists().where(
                HumanTask.instance_id == ProcessInstance.id,
                HumanTask.state == "open",
                HumanTask.assignee == f.assignee,
                *([HumanTask.due_at < now] if f.overdue else []),
            )
        )
    if f.ids:
        conditions.append(ProcessInstance.id.in_(f.ids))
    return conditions


def list_instances(
    ctx: Context, scope: Scope, filters: InstanceFilter, limit: int | None = 50, offset: int = 0
) -> tuple[list[dict], int]:
    """One page of the instances the filters select, newest first, and how many there are in all."""
    now = utcnow()
    with ctx.db.transaction() as session:
        conditions = instance_conditions(scope, filters, now)
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
                HumanTask.instance_id.in_(ids), HumanTask.state == "open"
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


# --- tasks ---------------------------------------------------------------------------------------------


def open_task_counts(
    ctx: Context,
    scope: Scope,
    by: str,
    now: datetime | None = None,
    departments: dict[str, str] | None = None,
) -> list[dict]:
    """Open and overdue tasks per ``department``, ``unit`` or ``person`` (the assignee; unclaimed apart)."""
    now = now or utcnow()
    departments = catalog_departments() if departments is None else departments
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(HumanTask.process_key, HumanTask.unit_id, HumanTask.assignee, HumanTask.due_at).where(
                HumanTask.state == "open", scope.tasks()
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


def overdue_tasks(ctx: Context, scope: Scope, now: datetime | None = None, limit: int = 200) -> list[dict]:
    """Open tasks past their due moment, the most overdue first."""
    now = now or utcnow()
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(HumanTask, ProcessInstance.title)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(HumanTask.state == "open", HumanTask.due_at < now, scope.tasks())
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


def sla_compliance(ctx: Context, scope: Scope, start: date, end: date, by: str) -> list[dict]:
    """Per ``process`` or ``unit``: of the tasks with a due date completed between the two Tehran days
    (inclusive), how many were completed by their due moment, and the share in percent.
    """
    lo, hi = local_day_start(start), local_day_start(end + timedelta(days=1))
    column = HumanTask.process_key if by == "process" else HumanTask.unit_id
    if by not in ("process", "unit"):
        raise ValueError(f"unknown grouping {by!r}")
    with ctx.db.transaction() as session:
        on_time = func.sum(case((HumanTask.completed_at <= HumanTask.due_at, 1), else_=0))
        rows = session.execute(
            select(column, func.count(), on_time)
            .where(
                HumanTask.state == "completed",
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


def weekly_flow(ctx: Context, scope: Scope, start: date, end: date) -> list[dict]:
    """Per Jalali week between the two days: instances started, instances completed, and the completed
    ones' average cycle time (start to end) in calendar days and in working days.
    """
    cal = ctx.calendar
    lo, hi = local_day_start(start), local_day_start(end + timedelta(days=1))
    with ctx.db.transaction() as session:
        started = session.scalars(
            select(ProcessInstance.started_at).where(
                scope.instances(), ProcessInstance.started_at >= lo, ProcessInstance.started_at < hi
            )
        ).all()
        ended = session.execute(
            select(ProcessInstance.started_at, ProcessInstance.ended_at).where(
                scope.instances(),
                ProcessInstance.status == "completed",
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


# --- elements (the heat map) ---------------------------------------------------------------------------


def element_stats(ctx: Context, scope: Scope, definition_id: int, now: datetime | None = None) -> dict:
    """Per element of one process version: how many times instances passed it, how long they waited
    there on average in working days, and how many wait there now.

    User tasks come from ``human_task`` (created → completed, or → now while open); catch events from
    the audit trail (a timer or message arriving: the wait is the time since the instance's previous
    event); other elements count their ``element`` events and do not wait.
    """
    now = now or utcnow()
    cal = ctx.calendar
    stats: dict[str, dict] = {}

    def entry(element_id: str, name: str | None) -> dict:
        item = stats.setdefault(
            element_id, {"element_id": element_id, "name": name, "passed": 0, "waiting_now": 0, "_waits": []}
        )
        item["name"] = item["name"] or name
        return item

    with ctx.db.transaction() as session:
        in_version = and_(ProcessInstance.definition_id == definition_id, scope.instances())
        tasks = session.execute(
            select(
                HumanTask.element_id,
                HumanTask.name,
                HumanTask.state,
                HumanTask.created_at,
                HumanTask.completed_at,
            )
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(in_version, scope.tasks())
        ).all()
        for element_id, name, state, created, completed in tasks:
            item = entry(element_id, name)
            if state == "completed":
                item["passed"] += 1
                item["_waits"].append(cal.working_days_between(created, completed))
            elif state == "open":
                item["waiting_now"] += 1
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
            .where(in_version)
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
                .where(in_version, HumanTask.state == "open")
            )
        }
        for element_id, count in session.execute(
            select(MessageSubscription.element_id, func.count())
            .join(ProcessInstance, ProcessInstance.id == MessageSubscription.instance_id)
            .where(in_version, ProcessInstance.status.in_(("running", "suspended")))
            .group_by(MessageSubscription.element_id)
        ):
            entry(element_id, None)["waiting_now"] += count
        for instance_id, element_id in session.execute(
            select(Job.instance_id, Job.element_id)
            .join(ProcessInstance, ProcessInstance.id == Job.instance_id)
            .where(in_version, Job.kind == "timer", Job.status == "pending")
        ):
            if instance_id not in waiting_tasks:  # a boundary timer's instance already waits at its task
                entry(element_id, None)["waiting_now"] += 1
        incidents = session.execute(
            select(Incident.element_id, func.count())
            .join(ProcessInstance, ProcessInstance.id == Incident.instance_id)
            .where(in_version, Incident.resolved_at.is_(None), Incident.element_id.is_not(None))
            .group_by(Incident.element_id)
        ).all()
    for element_id, count in incidents:
        entry(element_id, None)["incidents"] = count
    for item in stats.values():
        waits = item.pop("_waits")
        item["avg_wait_days"] = round(sum(waits) / len(waits), 2) if waits else None
        item.setdefault("incidents", 0)
    return stats


# --- regions side by side ------------------------------------------------------------------------------


def unit_comparison(
    ctx: Context,
    scope: Scope,
    process_key: str,
    start: date | None = None,
    end: date | None = None,
    now: datetime | None = None,
    kinds: tuple[str, ...] = ("region",),
) -> dict:
    """The units of the given kinds side by side on one process (a policy rollout).

    Per unit and user task: how many were done, done late, are open, open past their due (overdue),
    and were cancelled past their due (missed: an escalation took the task away). Per unit: ``late``
    (late + overdue + missed) and ``avg_days``, the working days its tasks took or have taken so far.
    Only tasks created between the two days (inclusive) when they are given. The latest unit first.
    """
    now = now or utcnow()
    cal = ctx.calendar
    with ctx.db.transaction() as session:
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


def busiest_unit_process(ctx: Context, scope: Scope, kinds: tuple[str, ...] = ("region",)) -> str | None:
    """The process with the most tasks in units of the given kinds: the rollout to compare by default."""
    with ctx.db.transaction() as session:
        return session.scalar(
            select(HumanTask.process_key)
            .join(OrgUnit, OrgUnit.id == HumanTask.unit_id)
            .where(OrgUnit.kind.in_(kinds), scope.tasks())
            .group_by(HumanTask.process_key)
            .order_by(func.count().desc(), HumanTask.process_key)
            .limit(1)
        )


def visible_processes(ctx: Context, scope: Scope) -> dict[str, str]:
    """Process key → name (latest version) of the processes in the scope, by name."""
    with ctx.db.transaction() as session:
        names = process_names(session)
        if not scope.everything:
            keys = set(scope.process_keys) | set(
                session.scalars(select(ProcessInstance.process_key).where(scope.instances()).distinct())
            )
            names = {k: v for k, v in names.items() if k in keys}
    return dict(sorted(names.items(), key=lambda kv: kv[1]))


def definitions_in_scope(ctx: Context, scope: Scope) -> list[dict]:
    """Every deployed version of the processes in the scope, with its instances by status."""
    keys = visible_processes(ctx, scope)
    with ctx.db.transaction() as session:
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for definition_id, status, count in session.execute(
            select(ProcessInstance.definition_id, ProcessInstance.status, func.count())
            .where(scope.instances())
            .group_by(ProcessInstance.definition_id, ProcessInstance.status)
        ):
            counts[definition_id][status] = count
        rows = session.scalars(
            select(ProcessDefinition)
            .where(ProcessDefinition.key.in_(list(keys)))
            .order_by(ProcessDefinition.key, ProcessDefinition.version.desc())
        ).all()
        return [
            {
                "id": d.id,
                "key": d.key,
                "name": keys[d.key],
                "version": d.version,
                "deployed_at": d.deployed_at,
                "instances": counts[d.id],
                "total": sum(counts[d.id].values()),
            }
            for d in rows
        ]
