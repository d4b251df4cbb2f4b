"""Fixtures for the catalog's scenario tests: the demo organisation and the real catalog files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from engine.bundle import collect_bundles
from engine.context import Context
from engine.definitions import deploy
from engine.jobs import run_due_jobs
from engine.models import utcnow
from engine.seed import seed_demo
from engine.tasks import TaskQuery, list_tasks

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalog(database):
    """A context with the demo organisation; ``catalog.deploy(key)`` deploys a catalog process."""
    ctx = Context(database)
    seed_demo(ctx, password="x")
    bundles = {b.key: b for b in collect_bundles([ROOT / "processes"], ROOT / "forms")}

    class Catalog:
        context = ctx

        @staticmethod
        def deploy(key: str):
            return deploy(ctx, bundles[key])

    return Catalog


def open_tasks(ctx: Context, instance_id: int) -> list[dict]:
    return list_tasks(ctx, TaskQuery(instance_id=instance_id))


def task_named(ctx: Context, instance_id: int, element_id: str) -> dict:
    found = [t for t in open_tasks(ctx, instance_id) if t["element_id"] == element_id]
    assert found, f"no open task {element_id}; open: {[t['element_id'] for t in open_tasks(ctx, instance_id)]}"
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
