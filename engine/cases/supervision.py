"""A supervisor's actions on stuck work: bulk lifecycle operations, due dates, and data corrections.

Reassigning is ``engine.work.tasks.assign``; suspending and the like are ``engine.runtime.lifecycle``.

Each action on one instance or task runs in one transaction and records who did it and why in the
audit trail. A bulk operation is a series of such transactions, one per instance, so that one
failure does not undo the others; it reports what happened to each.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import audit, states
from engine.audit import require_reason
from engine.context import Context
from engine.errors import N_, Conflict, Forbidden, InvalidData, RavandError
from engine.models import Incident, ProcessInstance
from engine.org.access import Viewer, load_viewer, require_admin, visible_task
from engine.reporting.instances import InstanceFilter, instance_conditions
from engine.runtime import lifecycle, projection, retry, unit_of_work
from engine.work.tasks import ensure_open

OPEN_TASK_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


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
        retry.retry_incident(ctx, incident_id, user, reason)


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


def _selected(ctx: Context, viewer: Viewer, filters: InstanceFilter) -> list:
    """The instances the filters select within what the viewer sees, with what authority needs."""
    with ctx.db.read() as session:
        return session.execute(
            select(
                ProcessInstance.id,
                ProcessInstance.status,
                ProcessInstance.process_key,
                ProcessInstance.unit_id,
            )
            .join(ProcessInstance.definition)
            .where(*instance_conditions(viewer.scope, filters, ctx.clock.now(), ctx.departments()))
            .order_by(ProcessInstance.id)
        ).all()


def _viewer(ctx: Context, user: str) -> Viewer:
    with ctx.db.read() as session:
        return load_viewer(ctx, session, user, ctx.clock.now())


def preview(ctx: Context, user: str, filters: InstanceFilter, action: str) -> dict:
    """How many instances the filters select, and which of them the action applies to: those whose
    status allows it and over which the user has authority."""
    allowed = _bulk_action(action).statuses
    viewer = _viewer(ctx, user)
    rows = _selected(ctx, viewer, filters)
    affected = [r.id for r in rows if r.status in allowed and viewer.may_manage_instance(r)]
    outside = sum(1 for r in rows if not viewer.may_manage_instance(r))
    return {
        "action": action,
        "selected": len(rows),
        "affected": len(affected),
        "outside_authority": outside,
        "ids": affected,
    }


def bulk(ctx: Context, user: str, filters: InstanceFilter, action: str, reason: str | None) -> list[dict]:
    """Carry out the action on every selected instance, one transaction each.

    Returns one line per selected instance: ``done``, ``skipped`` (its status does not allow the
    action, or it is outside the user's authority) or ``failed`` with the error's code and message.
    """
    reason = require_reason(reason)
    spec = _bulk_action(action)
    viewer = _viewer(ctx, user)
    report = []
    for row in _selected(ctx, viewer, filters):
        if not viewer.may_manage_instance(row):
            report.append({"instance_id": row.id, "outcome": "skipped", "status": "outside_authority"})
            continue
        if row.status not in spec.statuses:
            report.append({"instance_id": row.id, "outcome": "skipped", "status": row.status})
            continue
        try:
            spec.run(ctx, row.id, user, reason)
        except RavandError as exc:
            report.append({"instance_id": row.id, "outcome": "failed", "error": exc.to_dict()})
        else:
            report.append(_outcome(ctx, row.id))
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
    ctx: Context, task_id: str, due_at: datetime | None, user: str, reason: str | None
) -> dict:
    """Move an open task's due moment (the SLA the figures measure) and its overdue job with it; the
    old and new moments are audited. Needs authority over the task, asked before what was sent is
    looked at (``due_at`` None: the date typed was not one)."""
    with ctx.db.transaction() as session:
        viewer = load_viewer(ctx, session, user, ctx.clock.now())
        task = visible_task(session, viewer, task_id, lock=True)
        if not viewer.may_manage_task(task):
            raise Forbidden(N_("You may not change the due date of the task '{name}'."), name=task.name)
        ensure_open(session, task)
        if due_at is None:
            raise InvalidData(
                N_("The date is not a valid Jalali date (for example 1405/09/15)."),
                field_errors={"due": N_("Not a valid Jalali date.")},
            )
        reason = require_reason(reason)
        previous, task.due_at = task.due_at, due_at
        projection.reschedule_overdue(session, task)
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
            at=ctx.clock.now(),
        )
        return {"task_id": task_id, "instance_id": task.instance_id, "from": previous, "to": task.due_at}


def edit_data(
    ctx: Context,
    instance_id: int,
    name: str,
    value: object,
    user: str,
    reason: str | None,
    typed: bool = False,
) -> dict:
    """An administrator's correction of one data field of a running instance.

    ``typed``: the value is text typed in a form, kept as text where the field held text, else read as
    JSON when it is JSON.

    The value is set where the process will read it next (every task not yet finished) and in the
    current data; the audit event keeps the old and the new value.
    """

    def only_admins(session, instance) -> None:
        """Who may, before what they sent is looked at."""
        require_admin(ctx, session, user, instance)
        require_reason(reason)
        if not name or not name.isidentifier() or name.startswith("_"):
            raise InvalidData(N_("'{name}' is not a valid field name."), name=name)

    with unit_of_work.advancing(
        ctx, instance_id, user, allow=(*states.ACTIVE, "suspended"), check=only_admins
    ) as step:
        current = unit_of_work.final_data(step.workflow)
        old = audit.jsonable(current.get(name))
        if typed:
            value = _typed_value(str(value), current.get(name))
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
            data={"field": name, "old": old, "new": value, "reason": require_reason(reason)},
        )
        return {"field": name, "old": old, "new": audit.jsonable(value)}


def _typed_value(text: str, old: object) -> object:
    if isinstance(old, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text
