"""The simulated month (``ravand seed-demo --history``) runs the real catalog without incidents."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from engine.definitions.forms import validate_submission
from engine.demo.history import national_id, sample_submission, simulate_month
from engine.models import AuditEvent, HumanTask, Incident, ProcessInstance, utcnow


def test_sample_national_ids_have_valid_check_digits():
    rng = random.Random(7)
    for _ in range(50):
        code = national_id(rng)
        digits = [int(c) for c in code]
        check = sum(d * (10 - i) for i, d in enumerate(digits[:9])) % 11
        assert digits[9] == (check if check < 2 else 11 - check)


DAY = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # the day the samples are made for


def test_sample_submissions_pass_the_forms_own_validation():
    import json
    from pathlib import Path

    rng = random.Random(3)
    for path in sorted(Path(__file__).parents[2].glob("forms/*/*.json")):
        if path.name.endswith(".en.json"):  # an English text overlay, not a form
            continue
        form = json.loads(path.read_text(encoding="utf-8"))
        validate_submission(form, sample_submission(form, rng, "2026-11-26"), DAY)


def test_a_simulated_fortnight(catalog):
    ctx = catalog.context
    result = simulate_month(ctx, days=14)
    assert result["instances_started"] >= 10 and result["tasks_completed"] >= 20
    with ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
        keys = set(session.scalars(select(ProcessInstance.process_key)))
        assert {"policy_rollout", "citizen_meeting"} <= keys
        overdue = HumanTask.state == "open", HumanTask.due_at < utcnow()
        assert session.scalar(select(func.count()).select_from(HumanTask).where(*overdue)) > 0
        # the simulated month happened in the past, on the engine's clock, timers included
        first = session.scalar(select(func.min(ProcessInstance.started_at)))
        assert utcnow() - first > timedelta(days=13)
        fired = select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "timer_fired")
        assert session.scalar(fired) > 0
