"""Suspending, resuming, terminating an instance (retrying an incident: ``engine.runtime.retry``)."""

from __future__ import annotations

from sqlalchemy import select

from engine import audit
from engine.audit import require_reason
from engine.context import Context
from engine.models import Incident
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
