"""The job queue: due timers fire once each, failures retry with backoff and then become incidents.

A job is claimed in one transaction that commits its attempt (``attempts + 1``, ``started_at``,
status ``running``) before anything runs, then carried out in a second one that holds its row lock:
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of workers share the queue and a job can
never run twice; on SQLite the one writer at a time (BEGIN IMMEDIATE) gives the same guarantee.

A job still ``running`` whose row nobody holds killed its runner (a segfault, an OOM kill): it is not
run again automatically but fails, with an incident on its instance, until a supervisor retries it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.context import Context
from engine.definitions.specs import event_parts
from engine.errors import RavandError
from engine.models import HumanTask, Job, ProcessInstance
from engine.notify import digest
from engine.notify.mail import MailFailed, Outbox
from engine.notify.notices import notify_overdue
from engine.notify.sms import SmsFailed, sender_from_env
from engine.org import delegation_end
from engine.runtime.projection import timer_due
from engine.runtime.unit_of_work import Step, advancing, open_incident, run_engine
from engine.states import ACTIVE, HumanTaskState, JobStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
BACKOFF = timedelta(seconds=10)
#: A running job's row is locked by its runner; this covers the moment between claim and lock.
CRASH_GRACE = timedelta(seconds=30)


class RunnerCrashed(Exception):
    """The process that ran a job ended in the middle of it (crashed or killed)."""


class JobFailed(Exception):
    """A job's work raised; the transaction is rolled back and the job retried later."""

    def __init__(self, cause: Exception):
        super().__init__(str(cause))
        self.cause = cause


def claim_next(ctx: Context, session, now: datetime) -> Job | None:
    """The next due job, locked; jobs of suspended instances wait until they are resumed."""
    stmt = (
        select(Job)
        .outerjoin(ProcessInstance, ProcessInstance.id == Job.instance_id)
        # Strictly past due: SpiffWorkflow fires a timer only once its moment is behind it.
        .where(Job.status == JobStatus.PENDING, Job.due_at < now)
        .where(or_(Job.instance_id.is_(None), ProcessInstance.status.in_(ACTIVE)))
        .order_by(Job.due_at, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=Job)
    )
    return session.scalar(stmt)


def run_due_jobs(ctx: Context, limit: int = 500, now: datetime | None = None) -> dict:
    """Carry out up to ``limit`` due jobs, one transaction each. Returns how many fired and failed.

    The e-mail of the run shares one SMTP connection (``outbox``)."""
    fired = failed = 0
    failed += _fail_crashed(ctx, now or ctx.clock.now())
    outbox = Outbox()
    try:
        for _ in range(limit):
            outcome = _run_one(ctx, now or ctx.clock.now(), outbox)
            if outcome is None:
                break
            fired += outcome == "done"
            failed += outcome == "failed"
    finally:
        outbox.close()
    return {"fired": fired, "failed": failed}


def _begin_attempt(ctx: Context, now: datetime) -> int | None:
    """Claim the next due job and commit its attempt, so a crash while it runs is remembered."""
    with ctx.db.transaction() as session:
        job = claim_next(ctx, session, now)
        if job is None:
            return None
        job.status, job.attempts, job.started_at = JobStatus.RUNNING, job.attempts + 1, now
        return job.id


def _run_one(ctx: Context, now: datetime, outbox: Outbox) -> str | None:
    job_id = _begin_attempt(ctx, now)
    if job_id is None:
        return None
    error = carry_out(ctx, job_id, outbox=outbox)
    return "done" if error is None else _record_failure(ctx, job_id, error)


def carry_out(
    ctx: Context,
    job_id: int,
    then: Callable[[Session, Job], None] | None = None,
    outbox: Outbox | None = None,
) -> Exception | None:
    """Do a claimed job's work in one transaction that holds its row, ``then`` (in the same
    transaction) and delete it. The error if it failed: nothing of it was saved. E-mail goes through
    ``outbox`` (the run's one SMTP connection), or a connection of its own."""
    own_outbox = outbox is None
    outbox = outbox or Outbox()
    try:
        with ctx.db.transaction() as session:
            job = session.get(Job, job_id, with_for_update=True, populate_existing=True)
            facts = {
                "job_id": job.id,
                "kind": job.kind,
                "instance_id": job.instance_id,
                "task_id": job.task_id,
            }
            _execute(ctx, session, job, outbox)
            if then is not None:
                then(session, job)
            session.delete(job)
        log.info("job done", extra=facts)
        return None
    except JobFailed as failure:
        return failure.cause
    except Exception as exc:  # one broken job must not stop the queue: it is retried, then an incident
        log.exception("job %s failed", job_id)
        return exc
    finally:
        if own_outbox:
            outbox.close()


def _fail_crashed(ctx: Context, now: datetime) -> int:
    """Jobs whose attempt started but never ended (their runner died): failed, each with an incident."""
    with ctx.db.transaction() as session:
        stmt = (
            select(Job)
            .where(Job.status == JobStatus.RUNNING, Job.started_at < now - CRASH_GRACE)
            .with_for_update(skip_locked=True, of=Job)
        )
        crashed = list(session.scalars(stmt))
        for job in crashed:
            cause = RunnerCrashed(
                f"job {job.id} ({job.kind}) ended the process that ran it (attempt {job.attempts}, "
                f"started {job.started_at.isoformat()}); it is not run again until a supervisor retries it"
            )
            _fail(ctx, session, job, cause)
        return len(crashed)


def _execute(ctx: Context, session, job: Job, outbox: Outbox) -> None:
    if job.kind == "timer":
        with advancing(ctx, job.instance_id, None, session=session) as step:
            waiting = step.workflow.get_task_from_id(UUID(job.task_id))
            if waiting is None or not waiting.has_state(TaskState.WAITING):
                return  # fired meanwhile with another timer of the instance: a stale job
            audit.record(
                session,
                "timer_fired",
                job.instance_id,
                None,
                job.task_id,
                job.element_id,
                at=step.now,
                data={"due_at": job.due_at.isoformat()},
            )
            # Timers fall due in their order, even when the queue runs late: the step runs at this
            # timer's moment, when a later timer (inside a sub-process this one interrupts, say) has not.
            with clock.running_on(clock.SimulatedClock(_moment_of(waiting, job, step.now))):
                step.workflow.refresh_timers()
                _run_engine_or_fail(step)
    elif job.kind == "overdue":
        _mark_overdue(session, job, ctx.clock.now())
    elif job.kind == "timer_start":
        _start_on_timer(ctx, session, job)
    elif job.kind == "message":
        from engine.runtime.messages import send_message

        try:
            send_message(ctx, job.payload["name"], job.payload.get("payload"), session=session)
        except RavandError as exc:
            raise JobFailed(exc) from exc
    elif job.kind == "sms":
        try:
            sender_from_env().send(job.payload["receptor"], job.payload["message"])
        except SmsFailed as exc:
            raise JobFailed(exc) from exc
    elif job.kind == "email":
        try:
            outbox.send(job.payload)
        except MailFailed as exc:
            raise JobFailed(exc) from exc
    elif job.kind == digest.JOB_KIND:
        digest.send_digests(session, ctx.clock.now())
    elif job.kind == delegation_end.JOB_KIND:
        delegation_end.release_claims(session, job.payload["delegation"], ctx.clock.now())
    elif job.kind == "signal":
        from engine.runtime.signals import broadcast

        broadcast(
            ctx, session, job.payload["name"], job.payload.get("payload"), job.payload.get("from_instance")
        )
    else:
        raise JobFailed(ValueError(f"unknown job kind '{job.kind}'"))


def _moment_of(waiting, job: Job, now: datetime) -> datetime:
    """Just after the waiting task's timer fell due (SpiffWorkflow fires a timer strictly after its
    time; the job's copy of the time may be rounded), or now."""
    dues = [
        timer_due(waiting, part)
        for part in event_parts(waiting.task_spec.event_definition)
        if isinstance(part, TimerEventDefinition)
    ]
    due = min((d for d in dues if d is not None), default=job.due_at)
    return min(max(due, job.due_at) + timedelta(microseconds=1), now)


def _mark_overdue(session, job: Job, now: datetime) -> None:
    """A human task passed its due moment: its people are told, and the audit trail says so. (Whether a
    task is overdue is ``due_at < now``: nothing is flagged.)"""
    task = session.get(HumanTask, job.task_id)
    if task is not None and task.state == HumanTaskState.OPEN and task.due_at == job.due_at:
        notify_overdue(session, task, now)
        audit.record(
            session,
            "task_overdue",
            task.instance_id,
            None,
            task.id,
            task.element_id,
            task.name,
            data={"due_at": job.due_at.isoformat()},
            at=now,
        )


def _start_on_timer(ctx: Context, session, job: Job) -> None:
    """A timer start event fell due: start an instance, and schedule the next cycle if there is one."""
    from engine.runtime.timers import fire_timer_start

    try:
        fire_timer_start(ctx, session, job)
    except WorkflowException as exc:
        raise JobFailed(exc) from exc


def _run_engine_or_fail(step: Step) -> None:
    try:
        run_engine(step, raise_errors=True)
    except Exception as exc:
        raise JobFailed(exc) from exc


def _record_failure(ctx: Context, job_id: int, cause: Exception) -> str:
    """The job's own transaction was rolled back; its attempt was counted when it began.

    Before the last attempt it waits for a retry; after it, an incident."""
    with ctx.db.transaction() as session:
        job = session.get(Job, job_id)
        job.last_error, job.started_at = str(cause), None
        if job.attempts < MAX_ATTEMPTS:
            job.status = JobStatus.PENDING
            job.due_at = ctx.clock.now() + BACKOFF * 2 ** (job.attempts - 1)
            return "retry"
        _fail(ctx, session, job, cause)
        return "failed"


def _fail(ctx: Context, session, job: Job, cause: Exception) -> None:
    job.status, job.started_at, job.last_error = "failed", None, str(cause)
    owner = owner_of(job)
    if owner is not None:
        with advancing(ctx, owner, None, allow=None, session=session) as step:
            open_incident(step, cause, job_id=job.id).attempts = job.attempts


def owner_of(job: Job) -> int | None:
    """The instance a job's failure is an incident of: its own, or the one that sent its message."""
    return job.instance_id or (job.payload or {}).get("from_instance")
