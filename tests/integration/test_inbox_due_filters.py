"""The inbox's "today" and "this week" keep the tasks due by the end of today and of the Iranian week
(Friday) in Tehran, the overdue ones included; nothing due later."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from engine.calendar.jalali import TEHRAN
from engine.clock import SimulatedClock
from engine.models import HumanTask
from engine.runtime.starting import start
from engine.work.inbox import InboxQuery, inbox

TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=TEHRAN)  # 1405/09/10, a Tuesday morning in Tehran

DUE = {
    "overdue": TUESDAY - timedelta(days=2),
    "tonight": TUESDAY.replace(hour=23, minute=30),
    "wednesday": TUESDAY + timedelta(days=1),
    "friday night": TUESDAY.replace(hour=23, minute=59) + timedelta(days=3),
    "saturday": TUESDAY.replace(hour=0, minute=30) + timedelta(days=4),
    "next month": TUESDAY + timedelta(days=30),
    "no due date": None,
}


@pytest.fixture
def tasks_due(ctx, approval):
    ctx.clock = SimulatedClock(TUESDAY)
    for title, due in DUE.items():
        instance = start(ctx, "approval", {"title": title}, user="carol", unit="region-01")
        with ctx.db.transaction() as session:
            task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id))
            session.execute(update(HumanTask).where(HumanTask.id == task_id).values(due_at=due))
    return ctx


def titles(ctx, due: str | None) -> set[str]:
    page = inbox(ctx, InboxQuery(user="alice", view="group", due=due, per_page=50))
    return {row["instance_title"] for row in page.rows}


def test_today_and_this_week_mean_what_they_say(tasks_due):
    ctx = tasks_due
    assert titles(ctx, "overdue") == {"overdue"}
    assert titles(ctx, "today") == {"overdue", "tonight"}
    assert titles(ctx, "week") == {"overdue", "tonight", "wednesday", "friday night"}
    assert titles(ctx, None) == set(DUE)


def test_on_friday_this_week_is_today(tasks_due):
    ctx = tasks_due
    ctx.clock = SimulatedClock(TUESDAY + timedelta(days=3))  # Friday morning
    assert titles(ctx, "today") == titles(ctx, "week") == {"overdue", "tonight", "wednesday", "friday night"}
    ctx.clock = SimulatedClock(TUESDAY + timedelta(days=4))  # Saturday: a new week begins
    everything_by_then = {"overdue", "tonight", "wednesday", "friday night", "saturday"}
    assert titles(ctx, "today") == titles(ctx, "week") == everything_by_then
