"""A job that kills its runner (a segfault, an OOM kill) is not run again without a supervisor."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta

from engine.models import Job, utcnow
from engine.runtime.jobs import CRASH_GRACE, run_due_jobs

#: A real worker process whose job handler ends the process in the middle of the job.
_CRASHING_WORKER = textwrap.dedent(
    """
    import os, sys
    from engine.context import Context
    from engine.db import Database
    from engine.runtime import jobs

    jobs._execute = lambda ctx, session, job, outbox: os._exit(139)  # the job's handler crashes its process
    print(jobs.run_due_jobs(Context(Database(sys.argv[1]))))
    """
)


def _worker(url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _CRASHING_WORKER, url], capture_output=True, text=True, timeout=120
    )


def _job(ctx) -> Job:
    with ctx.db.transaction() as session:
        (job,) = session.query(Job).all()
        session.expunge(job)
        return job


def test_a_job_that_crashed_its_runner_is_not_run_again(ctx):
    with ctx.db.transaction() as session:
        session.add(Job(kind="message", due_at=utcnow() - timedelta(minutes=1), payload={"name": "x"}))
    url = ctx.db.engine.url.render_as_string(hide_password=False)

    crashed = _worker(url)
    assert crashed.returncode == 139, crashed.stderr
    job = _job(ctx)
    assert (job.status, job.attempts) == ("running", 1)  # the attempt was committed before the job ran
    assert job.started_at is not None

    again = _worker(url)  # the next worker start neither runs nor crashes on it
    assert again.returncode == 0, again.stderr
    assert _job(ctx).attempts == 1

    outcome = run_due_jobs(ctx, now=utcnow() + CRASH_GRACE + timedelta(seconds=1))
    job = _job(ctx)
    assert outcome["failed"] == 1 and job.status == "failed" and job.attempts == 1
    assert "ended the process that ran it" in job.last_error and job.started_at is None
    assert _worker(url).returncode == 0  # a failed job waits for a supervisor's retry
