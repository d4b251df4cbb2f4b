"""A supervisor's retry of an incident or a failed job, and what came of it.

A retry runs the failed element (or the failed job) again at once, so that its answer can say whether
it worked. One that fails again keeps the same incident open, with one more attempt, the new error
and the moment of the attempt: an incident is the history of one failure, not one row per try.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.audit import require_reason
from engine.context import Context
from engine.errors import N_, Conflict, Forbidden, Message, NotFound
from engine.models import Incident, Job, ProcessInstance
from engine.org.access import require_authority
from engine.org.actors import load_actor
from engine.runtime import jobs
from engine.runtime.lifecycle import authority
from engine.runtime.unit_of_work import advancing, run_engine
from engine.states import ACTIVE, InstanceStatus, JobStatus


@dataclass(frozen=True)
class Retried:
    """What a retry came to: ``failed_again`` with the incident's attempts and last error, or not."""

    instance_id: int | None
    incident_id: int | None
    failed_again: bool
    attempts: int
    error: str | None = None

    @property
    def message(self) -> Message:
        if self.failed_again:
            return Message(
                N_("The retry failed again (attempt {attempts}): {error}"),
                {"attempts": self.attempts, "error": self.error},
            )
        return Message(N_("The retry succeeded; the incident is resolved."))

    def to_dict(self) -> dict:
        return {
            "outcome": "failed_again" if self.failed_again else "resolved",
            "instance_id": self.instance_id,
            "incident_id": self.incident_id,
            "attempts": self.attempts,
            "error": self.error,
        }


def retry_incident(
    ctx: Context, incident_id: int, user: str | None = None, reason: str | None = None
) -> Retried:
    """Run the incident's failed element again (after a fix to its data or a new version), or its job."""
    with ctx.db.transaction() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound(N_("Incident {id} does not exist."), id=incident_id)
        instance_id = incident.instance_id  # whether it was resolved is said only to who may act on it
        job = session.get(Job, incident.job_id, with_for_update=True) if incident.job_id else None
        claimed = None
        if job is not None and job.status == JobStatus.FAILED:
            if user is not None:
                require_authority(ctx, session, user, session.get(ProcessInstance, instance_id))
                require_reason(reason)
            _ensure_open(incident)
            claimed = _claim(ctx, job, incident)
    if claimed is not None:
        return _run_claimed(ctx, claimed, user, reason)
    return _retry_element(ctx, incident_id, instance_id, user, reason)


def retry_job(ctx: Context, job_id: int, user: str, reason: str | None = None) -> Retried:
    """Run a failed job again: with authority over its instance, or an administrator's for a job
    without one (a timer start, a message nobody sent from a case)."""
    with ctx.db.transaction() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None:
            raise NotFound(N_("Job {id} does not exist."), id=job_id)
        owner = jobs.owner_of(job)
        if owner is not None:
            require_authority(ctx, session, user, session.get(ProcessInstance, owner))
        elif not load_actor(session, user, ctx.clock.now()).is_admin:
            raise Forbidden(N_("Only an administrator may retry a job that belongs to no case."))
        require_reason(reason)
        incident = session.scalar(
            select(Incident).where(Incident.job_id == job_id, Incident.resolved_at.is_(None)).limit(1)
        )
        claimed = _claim(ctx, job, incident)
    return _run_claimed(ctx, claimed, user, reason)


def _ensure_open(incident: Incident) -> None:
    if incident.resolved_at is not None:
        raise Conflict(N_("Incident {id} was already resolved."), id=incident.id)


@dataclass(frozen=True)
class _Claimed:
    job_id: int
    incident_id: int | None
    owner: int | None
    now: datetime


def _claim(ctx: Context, job: Job, incident: Incident | None) -> _Claimed:
    """The job's attempt, committed before it runs (as the queue does), so a crash is remembered."""
    if job.status != JobStatus.FAILED:
        raise Conflict(N_("Job {id} has not failed: it is {status}."), id=job.id, status=job.status)
    now = ctx.clock.now()
    job.status, job.attempts, job.started_at = JobStatus.RUNNING, job.attempts + 1, now
    return _Claimed(job.id, incident.id if incident else None, jobs.owner_of(job), now)


def _run_claimed(ctx: Context, claimed: _Claimed, user: str | None, reason: str | None) -> Retried:
    """Carry the job out: its incident resolved with it, or counting one more failed attempt."""

    def resolved(session: Session, _job: Job) -> None:
        if claimed.incident_id is not None:
            incident = session.get(Incident, claimed.incident_id)
            _audit_retry(session, incident, user, reason, claimed.now)
            _resolve(session, incident, user, claimed.now)

    error = jobs.carry_out(ctx, claimed.job_id, then=resolved)
    if error is None:
        return Retried(claimed.owner, claimed.incident_id, False, 0)
    with ctx.db.transaction() as session:
        job = session.get(Job, claimed.job_id)
        job.status, job.started_at, job.last_error = JobStatus.FAILED, None, str(error)
        attempts = job.attempts
        if claimed.incident_id is not None:
            incident = session.get(Incident, claimed.incident_id)
            incident.attempts, incident.message, incident.last_attempt_at = attempts, str(error), claimed.now
            _audit_retry(session, incident, user, reason, claimed.now)
            audit.record(
                session,
                "incident_retry_failed",
                incident.instance_id,
                user,
                element_id=incident.element_id,
                at=claimed.now,
                data={"message": str(error), "attempts": attempts},
            )
    return Retried(claimed.owner, claimed.incident_id, True, attempts, str(error))


def _audit_retry(session: Session, incident: Incident, user: str | None, reason: str | None, now) -> None:
    audit.record(
        session,
        "incident_retried",
        incident.instance_id,
        user,
        element_id=incident.element_id,
        at=now,
        data={"reason": reason},
    )


def _resolve(session: Session, incident: Incident, user: str | None, now: datetime) -> None:
    """The incident is resolved; its instance is running again unless another incident is still open."""
    incident.resolved_at, incident.resolved_by = now, user
    instance = session.get(ProcessInstance, incident.instance_id, with_for_update=True)
    others = session.scalar(
        select(func.count())
        .select_from(Incident)
        .where(
            Incident.instance_id == instance.id, Incident.resolved_at.is_(None), Incident.id != incident.id
        )
    )
    if instance.status in ACTIVE:
        instance.status = InstanceStatus.INCIDENT if others else InstanceStatus.RUNNING


def _retry_element(
    ctx: Context, incident_id: int, instance_id: int, user: str | None, reason: str | None
) -> Retried:
    with advancing(ctx, instance_id, user, check=authority(ctx, user, reason)) as step:
        incident = step.session.get(Incident, incident_id, populate_existing=True)
        _ensure_open(incident)  # resolved before, or by someone while we waited for the lock
        job = step.session.get(Job, incident.job_id) if incident.job_id else None
        if job is not None:  # a job that is no longer failed: it runs again from the queue
            job.status, job.due_at, job.started_at = JobStatus.PENDING, step.now, None
        for task in step.workflow.get_tasks(state=TaskState.ERROR):
            task._set_state(TaskState.READY)
        _audit_retry(step.session, incident, user, reason, step.now)
        step.instance.status = InstanceStatus.RUNNING
        step.retrying = incident
        incident.last_attempt_at = step.now
        run_engine(step)
        if step.failed_again:
            return Retried(instance_id, incident_id, True, incident.attempts, incident.message)
        _resolve(step.session, incident, user, step.now)
        return Retried(instance_id, incident_id, False, incident.attempts)
