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

from engine.bundle import collect_bundles
from engine.context import Context
from engine.db import Database
from engine.definitions import deploy
from engine.jobs import run_due_jobs
from engine.models import utcnow
from engine.seed import seed_demo
from engine.tasks import TaskQuery, list_tasks

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


@pytest.fixture
def catalog(database, catalog_bundles):
    """A context with the demo organisation; ``catalog.deploy(key)`` deploys a catalog process."""
    ctx = Context(database)
    bundles = catalog_bundles

    class Catalog:
        context = ctx

        @staticmethod
        def deploy(key: str):
            return deploy(ctx, bundles[key])

    return Catalog


def open_tasks(ctx: Context, instance_id: int) -> list[dict]:
    return list_tasks(ctx, TaskQuery(instance_id=instance_id))


def task_named(ctx: Context, instance_id: int, element_id: str) -> dict:
    tasks = open_tasks(ctx, instance_id)
    found = [t for t in tasks if t["element_id"] == element_id]
    assert found, f"no open task {element_id}; open: {[t['element_id'] for t in tasks]}"
    return found[0]


@pytest.fixture
def clock():
    """The test's own clock, started at the real time; ``move_clock`` moves it forward."""
    with time_machine.travel(utcnow(), tick=True) as traveller:
        yield traveller


def move_clock(ctx: Context, clock, days: float) -> dict:
    """Let ``days`` pass on ``clock``, then fire every job that has fallen due."""
    clock.shift(timedelta(days=days))
    return run_due_jobs(ctx)
