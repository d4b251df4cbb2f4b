"""Administrators' extra closures move due dates like official holidays do."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine.calendar.closures import add_closure, list_closures, parse_day
from engine.calendar.jalali import TEHRAN, from_jalali_str, to_jalali_str
from engine.clock import SimulatedClock
from engine.context import Context
from engine.errors import Conflict, InvalidData
from engine.runtime import starting
from engine.work.inbox import TaskQuery, list_tasks


def _due(ctx) -> str:
    instance = starting.start(ctx, "approval", {}, unit="region-01")
    (task,) = list_tasks(ctx, TaskQuery(instance_id=instance.id))
    return to_jalali_str(datetime.fromisoformat(task["due_at"]), with_time=True, persian_digits=False)


SATURDAY = datetime(2026, 11, 29, 9, 0, tzinfo=TEHRAN)  # 1405/09/08


def test_a_closure_pushes_the_due_date_by_a_working_day(ctx, approval):
    # "2 working days" from Saturday ends on Monday 1405/09/10 at 16:00 unless a day closes.
    server = Context(ctx.db, clock=SimulatedClock(SATURDAY))
    assert _due(server) == "1405/09/10 16:00"
    add_closure(server, parse_day("۱۴۰۵/۰۹/۰۹"), "برف")
    assert _due(server) == "1405/09/11 16:00"
    assert list_closures(server) == [{"day": "1405/09/09", "reason": "برف"}]
    with pytest.raises(Conflict):
        add_closure(ctx, from_jalali_str("1405/09/09"), "again")
    with pytest.raises(InvalidData):
        parse_day("1405/13/40")


def test_a_closure_added_by_another_process_reaches_a_running_server(ctx, approval):
    """The web server reads the closures again once its copy is a minute old: no restart needed."""
    server = Context(ctx.db, clock=SimulatedClock(SATURDAY))
    cli = Context(ctx.db)
    assert _due(server) == "1405/09/10 16:00"
    add_closure(cli, parse_day("1405/09/09"), "برف")
    server.clock.advance(timedelta(seconds=server.calendar_ttl + 1))
    assert _due(server) == "1405/09/11 16:00"
