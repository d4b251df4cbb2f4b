"""Timer start schedules, overdue marking, failing jobs becoming incidents, messages between instances."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from engine.cases import show
from engine.definitions.bundle import collect_bundles
from engine.definitions.deployment import deploy
from engine.models import AuditEvent, HumanTask, Incident, Job, ProcessInstance, utcnow
from engine.runtime import lifecycle, retry, starting
from engine.runtime.jobs import MAX_ATTEMPTS, run_due_jobs
from engine.runtime.messages import send_message
from tests.conftest import FIXTURES, bundle_of


@pytest.fixture
def clock():
    with time_machine.travel(utcnow(), tick=True) as traveller:
        yield traveller


def _count(ctx, model, *where) -> int:
    with ctx.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _pass(ctx, clock, **delta) -> dict:
    clock.shift(timedelta(**delta))
    return run_due_jobs(ctx)


def test_timer_start_cycle_starts_one_instance_per_cycle_then_stops(ctx, clock):
    deploy(ctx, bundle_of("periodic"))
    (job,) = _jobs(ctx, "timer_start")
    assert job.payload["cycles"] == 3
    assert _pass(ctx, clock, minutes=30)["fired"] == 0
    for fired in range(1, 4):
        assert _pass(ctx, clock, hours=1, minutes=1)["fired"] >= 1
        assert _count(ctx, ProcessInstance) == fired
    assert _pass(ctx, clock, hours=5)["fired"] == 0
    assert _count(ctx, ProcessInstance) == 3
    assert _count(ctx, HumanTask, HumanTask.element_id == "review") == 3


def test_a_new_version_replaces_the_schedule(ctx):
    first = deploy(ctx, bundle_of("periodic"))
    bundle = bundle_of("periodic")
    bundle.files["periodic.bpmn"] = bundle.files["periodic.bpmn"].replace(b'"R3/PT1H"', b'"R/P7D"')
    second = deploy(ctx, bundle)
    (job,) = _jobs(ctx, "timer_start")
    assert (job.definition_id, job.payload["cycles"]) == (second.definition_id, -1)
    assert first.definition_id != second.definition_id


def test_overdue_tasks_are_told_when_their_due_time_passes(ctx, clock):
    deploy(ctx, bundle_of("periodic"))
    _pass(ctx, clock, hours=1, minutes=1)
    assert _count(ctx, AuditEvent, AuditEvent.kind == "task_overdue") == 0
    _pass(ctx, clock, days=4)
    assert _count(ctx, AuditEvent, AuditEvent.kind == "task_overdue") >= 1


def test_a_failing_job_retries_with_backoff_then_becomes_an_incident(ctx, clock):
    deploy(ctx, bundle_of("timed_script"))
    instance = starting.start(ctx, "timed_script", {"divisor": 0})
    outcomes = [_pass(ctx, clock, hours=1, minutes=1)]
    for _ in range(MAX_ATTEMPTS):
        outcomes.append(_pass(ctx, clock, minutes=10))
    assert sum(o["failed"] for o in outcomes) == 1
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "incident"
    (incident,) = shown["incidents"]
    assert incident["element"] == "divide" and "ZeroDivisionError" in incident["message"]
    assert incident["line"] == 2
    assert _count(ctx, AuditEvent, AuditEvent.kind == "timer_fired") == 0, "failed attempts leave no trace"
    # Retrying runs the job again at once; with the data unchanged it fails again, on the same incident.
    outcome = retry.retry_incident(ctx, incident["id"], user="sara", reason="fixed")
    assert outcome.failed_again and outcome.attempts == MAX_ATTEMPTS + 1
    with ctx.db.transaction() as session:
        assert session.get(Incident, incident["id"]).resolved_at is None
        assert session.scalar(select(Job.status)) == "failed"
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "incident"
    assert [(i["resolved"], i["attempts"]) for i in shown["incidents"]] == [(False, MAX_ATTEMPTS + 1)]


def test_a_runaway_script_becomes_an_incident_and_the_engine_goes_on(ctx):
    bundle = bundle_of("timed_script")
    bundle.files["timed_script.bpmn"] = (
        bundle.files["timed_script.bpmn"]
        .replace(b'"PT1H"', b'"PT0S"')
        .replace(b"share = share / divisor", b"while True:\n    share = share + 1")
    )
    deploy(ctx, bundle)
    from engine.context import Context
    from engine.sandbox.scripting import make_script_engine

    fast = Context(ctx.db, script_engine=make_script_engine(time_limit=0.3))
    instance = starting.start(fast, "timed_script", {})
    assert run_due_jobs(fast)["fired"] == 0
    for _ in range(MAX_ATTEMPTS):
        with time_machine.travel(utcnow() + timedelta(hours=1), tick=True):
            run_due_jobs(fast)
    (incident,) = show.show(fast, instance.id)["incidents"]
    assert "time" in incident["message"].lower()


def test_a_message_thrown_by_one_instance_reaches_the_waiting_one(ctx):
    for bundle in collect_bundles([FIXTURES / "messaging"]):
        deploy(ctx, bundle)
    waiting = starting.start(ctx, "listener", {"case_id": "C-7"})
    other = starting.start(ctx, "listener", {"case_id": "C-8"})
    starting.start(ctx, "notifier", {"case_id": "C-7"})
    assert run_due_jobs(ctx)["fired"] == 1
    assert show.show(ctx, waiting.id)["status"] == "completed"
    assert show.show(ctx, waiting.id)["data"]["closing"] == {"case_id": "C-7", "outcome": "closed"}
    assert show.show(ctx, other.id)["status"] == "running"


def test_a_message_with_no_waiting_instance_starts_its_process(ctx):
    for bundle in collect_bundles([FIXTURES / "messaging"]):
        deploy(ctx, bundle)
    result = send_message(ctx, "request_received", {"from": "NGO"}, message_id="r-1")
    (started,) = result["started"]
    assert show.show(ctx, started)["data"]["request"] == {"from": "NGO"}
    assert send_message(ctx, "request_received", {"from": "NGO"}, message_id="r-1")["duplicate"] is True
    assert _count(ctx, ProcessInstance, ProcessInstance.process_key == "intake") == 1


def _jobs(ctx, kind: str) -> list[Job]:
    with ctx.db.transaction() as session:
        return session.scalars(select(Job).where(Job.kind == kind, Job.status == "pending")).all()


def test_a_thrown_message_is_sent_once_even_when_the_state_is_reloaded(ctx):
    from engine.context import Context

    for bundle in collect_bundles([FIXTURES / "messaging"]):
        deploy(ctx, bundle)
    notifier = starting.start(ctx, "notifier", {"case_id": "C-9"})
    fresh = Context(ctx.db)
    lifecycle.suspend(fresh, notifier.id, "sara", "check")
    lifecycle.resume(Context(ctx.db), notifier.id, "sara", "checked")
    assert _count(ctx, Job, Job.kind == "message") == 1


def test_a_suspended_instance_does_not_hold_up_the_other_jobs(ctx, clock):
    deploy(ctx, bundle_of("reminder"))
    held = starting.start(ctx, "reminder", {"tracking_code": "1"}, unit="region-01")
    other = starting.start(ctx, "reminder", {"tracking_code": "2"}, unit="region-01")
    lifecycle.suspend(ctx, held.id, "sara", "hold")
    assert _pass(ctx, clock, days=3, minutes=1) == {"fired": 1, "failed": 0}
    assert [t["element_id"] for t in show.show(ctx, other.id)["open_tasks"]] == ["escalated"]
    lifecycle.resume(ctx, held.id, "sara", "go on")  # its timer, past due, fires as the instance resumes
    assert [t["element_id"] for t in show.show(ctx, held.id)["open_tasks"]] == ["escalated"]
    assert _count(ctx, Job, Job.kind == "timer") == 0
