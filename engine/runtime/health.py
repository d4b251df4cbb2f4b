"""What operations watch: worker heartbeats, readiness (database, migrations, workers) and queue figures.

Heartbeats and readiness use the wall clock, not ``ctx.clock``: they are about live processes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from engine.context import Context
from engine.models import HumanTask, Incident, Job, WorkerHeartbeat

HEARTBEAT_FRESH = timedelta(seconds=60)


def beat(ctx: Context, name: str) -> None:
    """Record that the worker ``name`` is alive (one row per worker, updated every tick)."""
    now = datetime.now(UTC)
    with ctx.db.transaction() as session:
        row = session.get(WorkerHeartbeat, name)
        if row is None:
            session.add(WorkerHeartbeat(name=name, started_at=now, beat_at=now))
        else:
            row.beat_at = now


def forget(ctx: Context, name: str) -> None:
    """A worker stopping cleanly removes its row."""
    with ctx.db.transaction() as session:
        row = session.get(WorkerHeartbeat, name)
        if row is not None:
            session.delete(row)


def readiness(ctx: Context, migrations_head: str | None, need_worker: bool = True) -> dict:
    """Each check's outcome (True/False) and ``ready`` when all pass; never raises for a down database."""
    checks = {"database": False, "migrations": False, "worker": False}
    try:
        with ctx.db.read() as session:
            session.execute(text("SELECT 1"))
            checks["database"] = True
            current = session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            checks["migrations"] = migrations_head is None or migrations_head in current
            newest = session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
            checks["worker"] = not need_worker or (
                newest is not None and datetime.now(UTC) - newest < HEARTBEAT_FRESH
            )
    except Exception as exc:  # a database down or a schema missing is an answer here, not an error
        checks["error"] = type(exc).__name__
    ready = all(v for k, v in checks.items() if k != "error")
    return {"ready": ready, "checks": checks}


def queue_figures(ctx: Context) -> dict:
    """Jobs due, how late the oldest due job is (seconds), open incidents and workers seen recently."""
    now = datetime.now(UTC)
    with ctx.db.read() as session:
        due, oldest = session.execute(
            select(func.count(Job.id), func.min(Job.due_at)).where(Job.status == "pending", Job.due_at < now)
        ).one()
        incidents = session.scalar(select(func.count(Incident.id)).where(Incident.resolved_at.is_(None)))
        workers = session.scalar(
            select(func.count())
            .select_from(WorkerHeartbeat)
            .where(WorkerHeartbeat.beat_at > now - HEARTBEAT_FRESH)
        )
        completed = session.scalar(
            select(func.count(HumanTask.id)).where(HumanTask.completed_at.is_not(None))
        )
    lag = (now - oldest).total_seconds() if oldest is not None else 0.0
    return {
        "jobs_due": due,
        "job_lag_seconds": lag,
        "incidents_open": incidents,
        "workers_alive": workers,
        "tasks_completed": completed,
    }
