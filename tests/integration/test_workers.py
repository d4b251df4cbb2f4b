"""``ravand worker`` processes on PostgreSQL share the job queue: every timer fires exactly once, also
when workers are SIGKILLed while they work."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.cases import show
from engine.context import Context
from engine.definitions.deployment import deploy
from engine.models import AuditEvent, Incident, Job
from engine.runtime import starting
from engine.runtime.jobs import CRASH_GRACE, run_due_jobs
from engine.runtime.retry import retry_incident
from tests.conftest import POSTGRES_SKIP_REASON, POSTGRES_URL, _truncate, add_org, bundle_of

INSTANCES = 200
ROOT = Path(__file__).parents[2]


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "worker", "--interval", "0.2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _timed_instances(ctx: Context, count: int, seconds: int) -> list[int]:
    bundle = bundle_of("timed_script")
    bundle.files["timed_script.bpmn"] = bundle.files["timed_script.bpmn"].replace(
        b'"PT1H"', f'"PT{seconds}S"'.encode()
    )
    deploy(ctx, bundle)
    return [starting.start(ctx, "timed_script", {"divisor": 4}).id for _ in range(count)]


def _firings(database) -> dict[int, int]:
    with database.transaction() as session:
        return dict(
            session.execute(
                select(AuditEvent.instance_id, func.count())
                .where(AuditEvent.kind == "timer_fired")
                .group_by(AuditEvent.instance_id)
            ).all()
        )


@pytest.mark.postgres
def test_two_workers_fire_200_simultaneous_timers_once_each(postgres_database):
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP_REASON)
    _truncate(postgres_database)
    add_org(postgres_database)
    ctx = Context(postgres_database)
    started = _timed_instances(ctx, INSTANCES, 8)
    env = {**os.environ, "DATABASE_URL": POSTGRES_URL}
    workers = [_worker(env) for _ in range(2)]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with postgres_database.transaction() as session:
                remaining = session.scalar(select(func.count()).select_from(Job).where(Job.kind == "timer"))
            if remaining == 0:
                break
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.terminate()
        errors = [worker.communicate(timeout=30)[1].decode() for worker in workers]
    assert remaining == 0, errors
    fired = _firings(postgres_database)
    assert sorted(fired) == sorted(started)
    assert set(fired.values()) == {1}, "a timer fired twice"
    assert all(show.show(ctx, i)["status"] == "completed" for i in started[:5])
    with postgres_database.transaction() as session:
        firings = session.scalars(select(AuditEvent).where(AuditEvent.kind == "timer_fired")).all()
    lateness = max(e.at - datetime.fromisoformat(e.data["due_at"]) for e in firings)
    assert lateness < timedelta(seconds=8), f"a timer fired {lateness} after it fell due"


@pytest.mark.postgres
def test_workers_killed_while_they_fire_timers_lose_none_and_fire_none_twice(postgres_database):
    """A worker SIGKILLed mid-queue: the others take over every job it had not begun. A job it was
    running when it died is failed with an incident (it may have been what killed it, so it is not
    run again unasked); the supervisor's retry fires it, once."""
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP_REASON)
    _truncate(postgres_database)
    add_org(postgres_database)
    ctx = Context(postgres_database)
    started = _timed_instances(ctx, INSTANCES, 5)
    env = {**os.environ, "DATABASE_URL": POSTGRES_URL}
    workers = [_worker(env) for _ in range(3)]
    kills = 0
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with postgres_database.transaction() as session:
                pending = session.scalar(
                    select(func.count()).select_from(Job).where(Job.kind == "timer", Job.status == "pending")
                )
            if pending == 0:
                break
            if kills < 8:
                victim = random.randrange(len(workers))
                workers[victim].send_signal(signal.SIGKILL)
                workers[victim].wait()
                workers[victim] = _worker(env)
                kills += 1
            time.sleep(random.uniform(0.2, 0.6))
    finally:
        for worker in workers:
            worker.terminate()
            worker.communicate(timeout=30)
    assert pending == 0 and kills >= 3
    # What a worker does CRASH_GRACE later: a job left running by a dead runner fails, with an incident.
    run_due_jobs(ctx, now=ctx.clock.now() + CRASH_GRACE + timedelta(seconds=1))
    with postgres_database.transaction() as session:
        left = session.execute(select(Job.status, Job.instance_id).where(Job.kind == "timer")).all()
        incidents = session.scalars(select(Incident.id).where(Incident.resolved_at.is_(None))).all()
    assert {status for status, _ in left} <= {"failed"}
    assert len(incidents) == len(left)
    fired = _firings(postgres_database)
    assert set(fired.values()) <= {1}, "a timer fired twice"
    assert set(fired) | {instance for _, instance in left} == set(started), "a timer was lost"
    for incident_id in incidents:
        retry_incident(ctx, incident_id, reason="the worker was killed")
    run_due_jobs(ctx, now=ctx.clock.now() + timedelta(seconds=1))
    fired = _firings(postgres_database)
    assert sorted(fired) == sorted(started) and set(fired.values()) == {1}
