"""A retry that fails again says so and counts on the same incident; one that works resolves it.

For each kind of failure: a script task, a timer job whose script fails, an SMS job whose gateway is
down, and a job that belongs to no case (an administrator's to retry).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine.cases import show, supervision
from engine.definitions.bundle import Bundle
from engine.definitions.deployment import deploy
from engine.errors import Conflict, Forbidden, NotFound
from engine.models import AuditEvent, Incident, Job, utcnow
from engine.notify.fake_gateway import FakeGateway
from engine.runtime import starting
from engine.runtime.jobs import MAX_ATTEMPTS, run_due_jobs
from engine.runtime.retry import retry_incident, retry_job
from tests.conftest import bundle_of
from tests.engine.test_supervision import FAILING


@pytest.fixture
def clock():
    with time_machine.travel(utcnow(), tick=True) as traveller:
        yield traveller


def incidents(ctx, instance_id: int) -> list[Incident]:
    with ctx.db.transaction() as session:
        found = session.scalars(select(Incident).where(Incident.instance_id == instance_id)).all()
        session.expunge_all()
        return found


def event_kinds(ctx, instance_id: int) -> list[str]:
    with ctx.db.transaction() as session:
        return list(
            session.scalars(
                select(AuditEvent.kind).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
            )
        )


def the_job(ctx) -> Job:
    with ctx.db.transaction() as session:
        (job,) = session.scalars(select(Job)).all()
        session.expunge(job)
        return job


def test_a_script_retry_that_fails_again_keeps_one_incident_with_its_attempts(ctx, clock):
    deploy(ctx, Bundle("doubling", {"doubling.bpmn": FAILING}))
    broken = starting.start(ctx, "doubling", {"value": None}, user="alice").id
    (first,) = incidents(ctx, broken)
    assert first.attempts == 1
    for attempt in (2, 3):
        clock.shift(timedelta(minutes=5))
        outcome = retry_incident(ctx, first.id, "sara", "try again")
        assert outcome.failed_again and outcome.attempts == attempt
        assert "NoneType" in outcome.error and "failed again" in str(outcome.message)
        (incident,) = incidents(ctx, broken)  # the same one, not a new one
        assert incident.id == first.id and incident.resolved_at is None
        assert incident.attempts == attempt and "NoneType" in incident.message
        assert incident.last_attempt_at > first.created_at
    assert show.show(ctx, broken)["status"] == "incident"
    assert event_kinds(ctx, broken).count("incident_retry_failed") == 2
    assert event_kinds(ctx, broken).count("incident") == 1

    supervision.edit_data(ctx, broken, "value", 21, "root", "the requester sent 21")
    outcome = retry_incident(ctx, first.id, "sara", "fixed")
    assert not outcome.failed_again and "resolved" in str(outcome.message)
    (incident,) = incidents(ctx, broken)
    assert incident.resolved_by == "sara" and incident.attempts == 3
    assert show.show(ctx, broken)["status"] == "completed"
    with pytest.raises(Conflict):  # the instance completed: nothing to retry
        retry_incident(ctx, first.id, "sara", "again")


def _fail_the_timer_job(ctx, clock) -> int:
    deploy(ctx, bundle_of("timed_script"))
    instance = starting.start(ctx, "timed_script", {"divisor": 0})
    clock.shift(timedelta(hours=1, minutes=1))
    run_due_jobs(ctx)
    for _ in range(MAX_ATTEMPTS):
        clock.shift(timedelta(minutes=10))
        run_due_jobs(ctx)
    return instance.id


def test_a_failed_timer_job_retried_runs_at_once_and_counts_on_its_incident(ctx, clock):
    instance_id = _fail_the_timer_job(ctx, clock)
    (incident,) = incidents(ctx, instance_id)
    assert (incident.attempts, the_job(ctx).status) == (MAX_ATTEMPTS, "failed")

    outcome = retry_incident(ctx, incident.id, "sara", "once more")
    assert outcome.failed_again and outcome.attempts == MAX_ATTEMPTS + 1
    assert "ZeroDivisionError" in outcome.error
    (again,) = incidents(ctx, instance_id)
    assert again.id == incident.id and again.resolved_at is None and again.attempts == MAX_ATTEMPTS + 1
    job = the_job(ctx)
    assert (job.status, job.attempts, job.started_at) == ("failed", MAX_ATTEMPTS + 1, None)
    assert run_due_jobs(ctx)["fired"] == 0, "a failed job waits for the next retry"

    supervision.edit_data(ctx, instance_id, "divisor", 4, "root", "typo")
    outcome = retry_incident(ctx, incident.id, "sara", "fixed")
    assert not outcome.failed_again
    assert show.show(ctx, instance_id)["status"] == "completed"
    assert show.show(ctx, instance_id)["data"]["share"] == 25
    (resolved,) = incidents(ctx, instance_id)
    assert resolved.resolved_by == "sara"
    kinds = event_kinds(ctx, instance_id)
    assert kinds.count("incident_retried") == 2 and kinds.count("incident_retry_failed") == 1


def test_an_sms_job_retried_while_the_gateway_is_down_fails_again(ctx, clock, monkeypatch):
    gateway = FakeGateway(fail={"09121234567"}).start()
    monkeypatch.setenv("RAVAND_SMS_SENDER", "kavenegar")
    monkeypatch.setenv("RAVAND_SMS_API_KEY", "test-key")
    monkeypatch.setenv("RAVAND_SMS_URL", gateway.url)
    deploy(ctx, bundle_of("approval"))
    case = starting.start(ctx, "approval", {}, user="alice", unit="region-01")
    with ctx.db.transaction() as session:
        session.add(
            Job(
                kind="sms",
                due_at=utcnow() - timedelta(seconds=1),
                payload={"receptor": "09121234567", "message": "سلام", "from_instance": case.id},
            )
        )
    for _ in range(MAX_ATTEMPTS):
        run_due_jobs(ctx)
        clock.shift(timedelta(minutes=2))
    (incident,) = incidents(ctx, case.id)
    assert incident.job_id is not None and "HTTP 500" in incident.message
    assert show.show(ctx, case.id)["status"] == "incident"

    with pytest.raises(NotFound):
        retry_incident(ctx, incident.id, "rita", "not hers")  # region 2's manager: a region 1 case
    outcome = retry_incident(ctx, incident.id, "sara", "gateway back?")
    assert outcome.failed_again and outcome.attempts == MAX_ATTEMPTS + 1
    assert len(incidents(ctx, case.id)) == 1

    gateway.fail.clear()
    outcome = retry_incident(ctx, incident.id, "sara", "gateway is back")
    assert not outcome.failed_again
    assert [m["receptor"] for m in gateway.messages] == ["09121234567"]
    assert show.show(ctx, case.id)["status"] == "running"
    with ctx.db.transaction() as session:
        assert session.scalar(select(Job).where(Job.kind == "sms")) is None
    gateway.shutdown()


def test_a_job_of_no_case_is_retried_by_an_administrator_only(ctx):
    with ctx.db.transaction() as session:
        job = Job(kind="no-such-kind", due_at=utcnow(), status="failed", attempts=MAX_ATTEMPTS)
        session.add(job)
        session.flush()
        job_id = job.id
    with pytest.raises(Forbidden):
        retry_job(ctx, job_id, "sara", "not an admin")
    with pytest.raises(NotFound):
        retry_job(ctx, job_id + 100, "root", "none")
    outcome = retry_job(ctx, job_id, "root", "look")
    assert outcome.failed_again and outcome.instance_id is None and outcome.incident_id is None
    job = the_job(ctx)
    assert (job.status, job.attempts) == ("failed", MAX_ATTEMPTS + 1) and "no-such-kind" in job.last_error
    with ctx.db.transaction() as session:
        session.get(Job, job_id).status = "pending"
    with pytest.raises(Conflict, match="has not failed"):
        retry_job(ctx, job_id, "root", "not failed")
