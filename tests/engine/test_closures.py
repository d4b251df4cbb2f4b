"""Administrators' extra closures move due dates like official holidays do."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from engine.calendar.closures import add_closure, list_closures, parse_day
from engine.calendar.jalali import from_jalali_str, to_jalali_str
from engine.errors import Conflict, InvalidData
from engine.runtime import starting
from engine.work.inbox import TaskQuery, list_tasks


def _due(ctx) -> str:
    instance = starting.start(ctx, "approval", {}, unit="region-01")
    (task,) = list_tasks(ctx, TaskQuery(instance_id=instance.id))
    return to_jalali_str(datetime.fromisoformat(task["due_at"]), persian_digits=False)


def test_a_closure_pushes_the_due_date_by_a_working_day(ctx, approval):
    # Saturday 1405/09/08; "2 working days" ends on Monday 1405/09/10 unless a day closes.
    with time_machine.travel(datetime(2026, 11, 29, 9, 0, tzinfo=ZoneInfo("Asia/Tehran"))):
        assert _due(ctx) == "1405/09/10"
        add_closure(ctx, parse_day("۱۴۰۵/۰۹/۰۹"), "برف")
        assert _due(ctx) == "1405/09/11"
    assert list_closures(ctx) == [{"day": "1405/09/09", "reason": "برف"}]
    with pytest.raises(Conflict):
        add_closure(ctx, from_jalali_str("1405/09/09"), "again")
    with pytest.raises(InvalidData):
        parse_day("1405/13/40")
