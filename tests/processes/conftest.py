"""Fixtures for the catalog's scenario tests: the demo organisation and the real catalog files.

Scenario tests exercise the processes, not the database: they run on SQLite, each on a copy of one
seeded template file (the engine's own tests cover PostgreSQL).
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from engine.cases import show
from engine.context import Context, WorkflowCache
from engine.db import Database
from engine.definitions.bundle import collect_bundles
from engine.definitions.deployment import deploy
from engine.demo.seed import seed_demo
from engine.models import Job, OrgUnit, utcnow
from engine.notify import reading as notifications
from engine.runtime.consistency import projection_differences
from engine.runtime.jobs import run_due_jobs
from engine.work.inbox import TaskQuery, list_tasks
from engine.work.tasks import complete

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.db"
    database = Database(f"sqlite:///{path}")
    database.create_all()
    seed_demo(Context(database), password="x")
    database.dispose()
    return path


@pytest.fixture(scope="session")
def catalog_bundles() -> dict:
    return {b.key: b for b in collect_bundles([ROOT / "processes"], ROOT / "forms")}


@pytest.fixture
def database(demo_template, tmp_path):
    """A SQLite database with the demo organisation already loaded."""
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


class CheckedWorkflows(WorkflowCache):
    """The context's workflow cache, which sees every instance the moment a step has saved it: there it
    rebuilds the instance's derived tables from the saved state and compares them with the rows."""

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx

    def put(self, instance_id, version, workflow) -> None:
        differences = projection_differences(self.ctx, instance_id)
        assert differences == [], f"instance {instance_id} after version {version}: {differences}"
        super().put(instance_id, version, workflow)


@pytest.fixture
def catalog(database, catalog_bundles):
    """A context with the demo organisation; ``catalog.deploy(key)`` deploys a catalog process. After
    every step, the projections of the instance it saved are checked against its saved state."""
    ctx = Context(database)
    ctx.workflows = CheckedWorkflows(ctx)
    bundles = catalog_bundles

    class Catalog:
        context = ctx

        @staticmethod
        def deploy(key: str):
            return deploy(ctx, bundles[key])

    return Catalog


def open_tasks(ctx: Context, instance_id: int) -> list[dict]:
    return list_tasks(ctx, TaskQuery(instance_id=instance_id))


def open_elements(ctx: Context, instance_id: int) -> list[str]:
    """The element ids of the instance's open tasks, sorted (one entry per task)."""
    return sorted(t["element_id"] for t in open_tasks(ctx, instance_id))


def task_named(ctx: Context, instance_id: int, element_id: str) -> dict:
    tasks = open_tasks(ctx, instance_id)
    found = [t for t in tasks if t["element_id"] == element_id]
    assert found, f"no open task {element_id}; open: {[t['element_id'] for t in tasks]}"
    return found[0]


def complete_named(ctx: Context, instance_id: int, element_id: str, data: dict, user: str) -> dict:
    """Complete the instance's open task at ``element_id`` as ``user``."""
    return complete(ctx, task_named(ctx, instance_id, element_id)["id"], data, user=user)


def unit_id(ctx: Context, code: str) -> int:
    with ctx.db.transaction() as session:
        return session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def unit_task(ctx: Context, instance_id: int, element_id: str, unit: str) -> dict:
    """The one open task at ``element_id`` that belongs to the unit with code ``unit``."""
    found = [
        t
        for t in open_tasks(ctx, instance_id)
        if t["element_id"] == element_id and t["unit_id"] == unit_id(ctx, unit)
    ]
    assert len(found) == 1, [(t["element_id"], t["unit_id"]) for t in open_tasks(ctx, instance_id)]
    return found[0]


def visible_to(ctx: Context, user: str, instance_id: int) -> list[str]:
    """The element ids, sorted, of the instance's open tasks that ``user``'s task list shows."""
    return sorted(t["element_id"] for t in list_tasks(ctx, TaskQuery(user=user, instance_id=instance_id)))


def data_of(ctx: Context, instance_id: int) -> dict:
    return show.show(ctx, instance_id)["data"]


def passed_elements(ctx: Context, instance_id: int, kinds: tuple[str, ...] = ("element",)) -> list[str]:
    """The element ids in the instance's history, in order, of the entries whose kind is in ``kinds``."""
    return [e["element_id"] for e in show.show(ctx, instance_id)["history"] if e["kind"] in kinds]


def overdue_notices(ctx: Context, user: str) -> list[str]:
    """The task names of ``user``'s task-overdue notifications."""
    return [n["task_name"] for n in notifications.list_for(ctx, user) if n["kind"] == "task_overdue"]


@pytest.fixture
def clock():
    """The test's own clock, started at the real time; ``move_clock`` moves it forward."""
    with time_machine.travel(utcnow(), tick=True) as traveller:
        yield traveller


def move_clock(ctx: Context, clock, days: float) -> dict:
    """Let ``days`` pass on ``clock``, then fire every job that has fallen due."""
    clock.shift(timedelta(days=days))
    return run_due_jobs(ctx)


def fire_timer(ctx: Context, clock, element_id: str) -> None:
    """Move the clock just past the first pending timer of ``element_id`` and fire what is due."""
    with ctx.db.transaction() as session:
        due = session.scalars(
            select(Job.due_at)
            .where(Job.element_id == element_id, Job.status == "pending")
            .order_by(Job.due_at)
        ).first()
    assert due is not None, f"no pending timer on {element_id}"
    move_clock(ctx, clock, max((due - utcnow()).total_seconds() / 86400, 0) + 0.001)
