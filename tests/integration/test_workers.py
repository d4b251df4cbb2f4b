"""Two ``ravand worker`` processes on PostgreSQL share the job queue: every timer fires exactly once."""

from __future__ import annotations

import os
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
from engine.models import AuditEvent, Job
from engine.runtime import starting
from tests.conftest import POSTGRES_SKIP_REASON, POSTGRES_URL, add_org, bundle_of

INSTANCES = 200


@pytest.mark.postgres
def test_two_workers_fire_200_simultaneous_timers_once_each(postgres_database):
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP_REASON)
    from tests.conftest import _truncate

    _truncate(postgres_database)
    add_org(postgres_database)
    ctx = Context(postgres_database)
    bundle = bundle_of("timed_script")
    bundle.files["timed_script.bpmn"] = bundle.files["timed_script.bpmn"].replace(b'"PT1H"', b'"PT8S"')
    deploy(ctx, bundle)
    started = [starting.start(ctx, "timed_script", {"divisor": 4}).id for _ in range(INSTANCES)]
    env = {**os.environ, "DATABASE_URL": POSTGRES_URL}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "engine.cli", "worker", "--interval", "0.2"],
            env=env,
            cwd=Path(__file__).parents[2],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with postgres_database.transaction() as session:
                remaining = session.scalar(select(func.count()).select_from(Job))
            if remaining == 0:
                break
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.terminate()
        errors = [worker.communicate(timeout=30)[1].decode() for worker in workers]
    assert remaining == 0, errors
    with postgres_database.transaction() as session:
        fired = session.execute(
            select(AuditEvent.instance_id, func.count())
            .where(AuditEvent.kind == "timer_fired")
            .group_by(AuditEvent.instance_id)
        ).all()
    assert sorted(i for i, _ in fired) == sorted(started)
    assert {n for _, n in fired} == {1}, "a timer fired twice"
    assert all(show.show(ctx, i)["status"] == "completed" for i in started[:5])
    with postgres_database.transaction() as session:
        firings = session.scalars(select(AuditEvent).where(AuditEvent.kind == "timer_fired")).all()
    lateness = max(e.at - datetime.fromisoformat(e.data["due_at"]) for e in firings)
    assert lateness < timedelta(seconds=8), f"a timer fired {lateness} after it fell due"
