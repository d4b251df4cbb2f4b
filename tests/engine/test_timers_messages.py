"""Timers fire once through the job queue; messages reach exactly the instance they name."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from engine.cases import show
from engine.definitions.deployment import deploy
from engine.errors import NotFound
from engine.models import AuditEvent, Job, MessageSubscription, utcnow
from engine.runtime import starting
from engine.runtime.jobs import run_due_jobs
from engine.runtime.messages import send_message
from engine.work import tasks
from engine.work.inbox import TaskQuery, list_tasks
from tests.conftest import bundle_of


@pytest.fixture
def reminder(ctx):
    return deploy(ctx, bundle_of("reminder"))


def _elements(ctx, instance_id):
    return [t["element_id"] for t in list_tasks(ctx, TaskQuery(instance_id=instance_id))]


def test_boundary_timer_becomes_a_job_and_fires_once_when_due(ctx, reminder):
    instance = starting.start(ctx, "reminder", {"tracking_code": "1234567890"})
    with ctx.db.transaction() as session:
        (job,) = session.scalars(select(Job)).all()
        assert job.kind == "timer" and job.element_id == "overdue"
        assert timedelta(days=2, hours=23) < job.due_at - utcnow() <= timedelta(days=3)
    assert run_due_jobs(ctx) == {"fired": 0, "failed": 0}
    with time_machine.travel(utcnow() + timedelta(days=3, minutes=1)):
        assert run_due_jobs(ctx) == {"fired": 1, "failed": 0}
        assert run_due_jobs(ctx) == {"fired": 0, "failed": 0}
    assert _elements(ctx, instance.id) == ["escalated"]
    with ctx.db.transaction() as session:
        fired = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "timer_fired")
        )
        assert fired == 1
        assert session.scalar(select(func.count()).select_from(Job)) == 0


def test_completing_the_task_cancels_its_timer(ctx, reminder):
    instance = starting.start(ctx, "reminder", {"tracking_code": "1"}, unit="region-01")
    (review,) = list_tasks(ctx, TaskQuery(instance_id=instance.id))
    tasks.complete(ctx, review["id"], {"note": "ok"}, user="alice")
    with ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0
        (sub,) = session.scalars(select(MessageSubscription)).all()
        assert (sub.message_name, sub.correlation) == ("citizen_confirmed", {"tracking_code": "1"})


def test_message_moves_exactly_the_instance_it_names_and_a_repeat_has_no_effect(ctx, reminder):
    first = starting.start(ctx, "reminder", {"tracking_code": "111"}, unit="region-01")
    second = starting.start(ctx, "reminder", {"tracking_code": "222"}, unit="region-01")
    for instance in (first, second):
        (review,) = list_tasks(ctx, TaskQuery(instance_id=instance.id))
        tasks.complete(ctx, review["id"], {}, user="alice")
    result = send_message(ctx, "citizen_confirmed", {"tracking_code": "222", "ok": True}, message_id="m-1")
    assert result["instances"] == [second.id]
    assert show.show(ctx, second.id)["status"] == "completed"
    assert show.show(ctx, second.id)["data"]["confirmation"]["ok"] is True
    assert show.show(ctx, first.id)["status"] == "running"
    again = send_message(ctx, "citizen_confirmed", {"tracking_code": "222"}, message_id="m-1")
    assert again["duplicate"] is True
    with pytest.raises(NotFound):
        send_message(ctx, "citizen_confirmed", {"tracking_code": "999"})
    assert show.show(ctx, first.id)["status"] == "running"


def test_an_instance_that_does_not_know_the_correlation_value_gets_no_message(ctx, reminder):
    named = starting.start(ctx, "reminder", {"tracking_code": "555"}, unit="region-01")
    unnamed = starting.start(ctx, "reminder", {}, unit="region-01")
    for instance in (named, unnamed):
        (review,) = list_tasks(ctx, TaskQuery(instance_id=instance.id))
        tasks.complete(ctx, review["id"], {}, user="alice")
    assert send_message(ctx, "citizen_confirmed", {"tracking_code": "555"})["instances"] == [named.id]
    assert show.show(ctx, unnamed.id)["status"] == "running"
