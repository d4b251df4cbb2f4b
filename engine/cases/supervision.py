"""A supervisor's actions on stuck work: bulk lifecycle operations, due dates, and data corrections.

Each action on one instance or task runs in one transaction and records who did it and why in the
audit trail. A bulk operation is a series of such transactions, one per instance, so that one
failure does not undo the others; it reports what happened to each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import audit, states
from engine.context import Context
from engine.errors import N_, Conflict, Forbidden, InvalidData, NotFound, RavandError
from engine.models import Incident, ProcessInstance, User, utcnow
from engine.org.scopes import Scope
from engine.reporting.instances import InstanceFilter, instance_conditions
from engine.runtime import lifecycle, unit_of_work
from engine.work.tasks import ensure_open, get_task

OPEN_TASK_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


def require_reason(reason: str | None) -> str:
    """Every supervisor action says why; the reason goes to the audit trail."""
    if not reason or not reason.strip():
        raise InvalidData(N_("Give a reason for this action."), field_errors={"reason": N_("Required.")})
    return reason.strip()


def retry_instance(ctx: Context, instance_id: int, user: str | None, reason: str | None) -> None:
    """Retry every open incident of an instance."""
    with ctx.db.transaction() as session:
        incident_ids = session.scalars(
            select(Incident.id)
            .where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
            .order_by(Incident.id)
        ).all()
    if not incident_ids:
        raise Conflict(N_("Process instance {id} has no open incident."), id=instance_id)
    for incident_id in incident_ids:
        lifecycle.retry_incident(ctx, incident_id, user, reason)


@dataclass(frozen=True)
class BulkAction:
    statuses: tuple[str, ...]
    run: Callable[[Context, int, str | None, str | None], None]


BULK_ACTIONS = {
    "suspend": BulkAction(("running", "incident"), lifecycle.suspend),
    "resume": BulkAction(("suspended",), lifecycle.resume),
    "terminate": BulkAction(("running", "incident", "suspended"), lifecycle.terminate),
    "retry": BulkAction(("incident",), retry_instance),
}


def _bulk_action(action: str) -> BulkAction:
    if action not in BULK_ACTIONS:
        raise InvalidData(N_("Unknown action '{action}'."), action=action)
    return BULK_ACTIONS[action]


def _selected(ctx: Context, scope: Scope, filters: InstanceFilter) -> list[tuple[int, str]]:
    with ctx.db.transaction() as session:
        return [
            tuple(row)
            for row in session.execute(
                select(ProcessInstance.id, ProcessInstance.status)
                .join(ProcessInstance.definition)
                .where(*instance_conditions(scope, filters, utcnow()))
                .order_by(ProcessInstance.id)
            )
        ]


def preview(ctx: Context, scope: Scope, filters: InstanceFilter, action: str) -> dict:
    """How many instances the filters select, and which of them the action applies to."""
    allowed = _bulk_action(action).statuses
    rows = _selected(ctx, scope, filters)
    affected = [i for i, status in rows if status in allowed]
    return {"action": action, "selected": len(rows), "affected": len(affected), "ids": affected}


def bulk(
    ctx: Context, scope: Scope, filters: InstanceFilter, action: str, user: str, reason: str | None
) -> list[dict]:
    """Carry out the action on every selected instance, one transaction each.

    Returns one line per selected instance: ``done``, ``skipped`` (its status does not allow the
    action) or ``failed`` with the error's code and message.
    """
    reason = require_reason(reason)
    spec = _bulk_action(action)
    report = []
    for instance_id, status in _selected(ctx, scope, filters):
        if status not in spec.statuses:
            report.append({"instance_id": instance_id, "outcome": "skipped", "status": status})
            continue
        try:
            spec.run(ctx, instance_id, user, reason)
        except RavandError as exc:
            report.append({"instance_id": instance_id, "outcome": "failed", "error": exc.to_dict()})
        else:
            report.append(_outcome(ctx, instance_id))
    return report


def _outcome(ctx: Context, instance_id: int) -> dict:
    """The instance's status after the action; an instance back in incident failed again, and why."""
    with ctx.db.transaction() as session:
        status = session.get(ProcessInstance, instance_id).status
        if status != "incident":
            return {"instance_id": instance_id, "outcome": "done", "status": status}
        message = session.scalar(
            select(Incident.message)
            .where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
            .order_by(Incident.id.desc())
        )
        return {"instance_id": instance_id, "outcome": "failed", "status": status, "message": message}


def change_due_date(
    ctx: Context, task_id: str, due_at: datetime, user: str, reason: str | None, scope: Scope | None = None
) -> dict:
    """Move an open task's due moment (the SLA the figures measure); the old and new ones are audited."""
    reason = require_reason(reason)
    with ctx.db.transaction() as session:
        task = get_task(session, task_id)
        if scope is not None and not scope.sees_task(task):
            raise NotFound(N_("Task {id} does not exist."), id=task_id)
        ensure_open(task)
        previous, task.due_at = task.due_at, due_at
        task.overdue = False
        audit.record(
            session,
            "task_due_changed",
            task.instance_id,
            user,
            task_id,
            task.element_id,
            task.name,
            data={
                "from": previous.isoformat() if previous else None,
                "to": due_at.isoformat(),
                "reason": reason,
            },
        )
        return {"task_id": task_id, "from": previous, "to": task.due_at}


def reassign(
    ctx: Context, task_id: str, assignee: str, user: str, reason: str | None, scope: Scope | None = None
) -> None:
    """Give an open task to another user (``engine.tasks.assign``), with a required reason."""
    from engine.work.tasks import assign

    reason = require_reason(reason)
    if scope is not None:
        with ctx.db.transaction() as session:
            if not scope.sees_task(get_task(session, task_id)):
                raise NotFound(N_("Task {id} does not exist."), id=task_id)
    assign(ctx, task_id, assignee, user, reason)


def edit_data(
    ctx: Context, instance_id: int, name: str, value: object, user: str, reason: str | None
) -> dict:
    """An administrator's correction of one data field of a running instance.

    The value is set where the process will read it next (every task not yet finished) and in the
    current data; the audit event keeps the old and the new value.
    """
    reason = require_reason(reason)
    if not name or not name.isidentifier() or name.startswith("_"):
        raise InvalidData(N_("'{name}' is not a valid field name."), name=name)
    with unit_of_work.advancing(ctx, instance_id, user, allow=(*states.ACTIVE, "suspended")) as step:
        actor = step.session.scalar(select(User).where(User.username == user))
        if actor is None or not actor.is_admin:
            raise Forbidden()
        current = unit_of_work.final_data(step.workflow)
        old = audit.jsonable(current.get(name))
        targets = list(step.workflow.get_tasks(state=OPEN_TASK_STATES))
        if step.workflow.last_task is not None:
            targets.append(step.workflow.last_task)
        for task in targets:
            task.data[name] = value
        audit.record(
            step.session,
            "data_edited",
            instance_id,
            user,
            at=step.now,
            data={"field": name, "old": old, "new": value, "reason": reason},
        )
        return {"field": name, "old": old, "new": audit.jsonable(value)}
