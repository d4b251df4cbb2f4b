"""Suspending, resuming, terminating an instance, and retrying an incident."""

from __future__ import annotations

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import audit
from engine.audit import require_reason
from engine.context import Context
from engine.errors import N_, Conflict, NotFound
from engine.models import (
    Incident,
    Job,
)
from engine.org.access import require_authority
from engine.runtime.unit_of_work import advancing, run_engine
from engine.states import ACTIVE, InstanceStatus


def authority(ctx: Context, user: str | None, reason: str | None):
    """The check ``advancing`` runs on the locked instance: the user's authority over it, then their
    reason (neither is needed when the engine's operator acts, ``user`` None)."""
    if user is None:
        return None

    def check(session, instance) -> None:
        require_authority(ctx, session, user, instance)
        require_reason(reason)

    return check


def suspend(ctx: Context, instance_id: int, user: str | None = None, reason: str | None = None) -> None:
    with advancing(ctx, instance_id, user, check=authority(ctx, user, reason)) as step:
        step.instance.status = InstanceStatus.SUSPENDED
        audit.record(step.session, "suspended", instance_id, user, at=step.now, data={"reason": reason})


def resume(ctx: Context, instance_id: int, user: str | None = None, reason: str | None = None) -> None:
    with advancing(ctx, instance_id, user, allow=("suspended",), check=authority(ctx, user, reason)) as step:
        open_incidents = step.session.scalar(
            select(Incident.id).where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
        )
        step.instance.status = InstanceStatus.INCIDENT if open_incidents else InstanceStatus.RUNNING
        audit.record(step.session, "resumed", instance_id, user, at=step.now, data={"reason": reason})
        run_engine(step)


def terminate(ctx: Context, instance_id: int, user: str | None = None, reason: str | None = None) -> None:
    with advancing(
        ctx, instance_id, user, allow=(*ACTIVE, "suspended"), check=authority(ctx, user, reason)
    ) as step:
        step.workflow.cancel()
        step.instance.status = InstanceStatus.TERMINATED
        step.instance.ended_at = step.now
        audit.record(step.session, "terminated", instance_id, user, at=step.now, data={"reason": reason})


def retry_incident(ctx: Context, incident_id: int, user: str | None = None, reason: str | None = None) -> int:
    """Run the failed element again (after a fix to its data or a new version), closing the incident;
    the instance's id."""
    with ctx.db.transaction() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound(N_("Incident {id} does not exist."), id=incident_id)
        instance_id = incident.instance_id  # whether it was resolved is said only to who may act on it
    with advancing(ctx, instance_id, user, check=authority(ctx, user, reason)) as step:
        incident = step.session.get(Incident, incident_id, populate_existing=True)
        if incident.resolved_at is not None:  # resolved before, or by someone while we waited for the lock
            raise Conflict(N_("Incident {id} was already resolved."), id=incident_id)
        incident.resolved_at, incident.resolved_by = step.now, user
        job = step.session.get(Job, incident.job_id) if incident.job_id else None
        if job is not None:
            job.status, job.attempts, job.due_at, job.started_at = "pending", 0, step.now, None
        for task in step.workflow.get_tasks(state=TaskState.ERROR):
            task._set_state(TaskState.READY)
        step.instance.status = InstanceStatus.RUNNING
        audit.record(
            step.session,
            "incident_retried",
            instance_id,
            user,
            element_id=incident.element_id,
            at=step.now,
            data={"reason": reason},
        )
        run_engine(step)
    return instance_id
