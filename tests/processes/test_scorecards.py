"""COORD-2/COORD-3: a unit's scorecard is its cases counted — a policy reported on time and scored, a
policy missed, a citizen meeting held with a commitment kept and a satisfied citizen — and the manager
evaluation's score form opens with the scorecard's indicators instead of figures typed in."""

from __future__ import annotations

import pytest

from engine.errors import Forbidden
from engine.runtime.messages import send_message
from engine.runtime.starting import start
from engine.scorecards.periods import current_period
from engine.scorecards.views import scorecards
from engine.work.task_page import task_page
from engine.work.tasks import complete
from tests.processes.conftest import fire_timer, task_named, unit_task
from tests.processes.test_citizen_meeting import commitment, progress, refer, request, schedule
from tests.processes.test_policy_rollout import REPORT, START, approve


@pytest.fixture
def ctx(catalog):
    for key in ("policy_rollout", "citizen_meeting", "manager_evaluation"):
        catalog.deploy(key)
    return catalog.context


def policy_case(ctx, clock) -> int:
    """A policy for regions 4 and 2: region 4 reports at once and scores 85; region 2 never reports."""
    iid = start(ctx, "policy_rollout", {**START, "units": ["region-04", "region-02"]}, user="coord.expert").id
    approve(ctx, iid)
    complete(ctx, unit_task(ctx, iid, "unit_report", "region-04")["id"], REPORT, user="region04.manager")
    scored = {"quantity_score": 45, "quality_score": 40, "expert_feedback": "اجرای کامل و به‌موقع"}
    complete(ctx, unit_task(ctx, iid, "score_report", "region-04")["id"], scored, user="coord.expert")
    fire_timer(ctx, clock, "report_overdue")
    escalation = {"escalation": "noncompliant", "extra_days": 1, "head_note": "پاسخی نداد"}
    complete(ctx, unit_task(ctx, iid, "escalate_unit", "region-02")["id"], escalation, user="coord.head")
    return iid


def meeting_case(ctx, clock) -> int:
    """A citizen of region 4 met by its PR manager, one commitment kept, satisfaction 4 of 5."""
    iid, code = request(ctx, region="region-04")
    refer(ctx, iid)
    schedule(ctx, iid, "schedule_unit", "region04.manager")
    fire_timer(ctx, clock, "meeting_day")
    minutes = {"meeting_held": "held", "commitments": [commitment("ترمیم پیاده‌رو", "region-04", 5)]}
    complete(ctx, task_named(ctx, iid, "minutes_unit")["id"], minutes, user="region04.manager")
    progress(ctx, iid, "region-04", "done", "region04.manager")
    send_message(ctx, "citizen_meeting_satisfaction", {"tracking_code": code, "score": "4"})
    return iid


def test_a_units_scorecard_matches_its_cases_and_feeds_the_evaluation(ctx, clock):
    policy, meeting = policy_case(ctx, clock), meeting_case(ctx, clock)
    year, half = current_period(ctx.clock.now())
    cards = {u["unit"]: u for u in scorecards(ctx, "coord.head", year, half)["units"]}
    region04, region02 = cards["region-04"], cards["region-02"]

    assert region04["policies"] == {
        "assigned": 1,
        "on_time": 1,
        "late": 0,
        "missed": 0,
        "open": 0,
        "average_score": 85.0,
        "cases": [policy],
    }
    assert region02["policies"] | {"cases": None} == {
        "assigned": 1,
        "on_time": 0,
        "late": 0,
        "missed": 1,
        "open": 0,
        "average_score": 0.0,
        "cases": None,
    }
    assert region04["meetings"] == {
        "handled": 1,
        "held": 1,
        "answered": 1,
        "average_satisfaction": 4.0,
        "cases": [meeting],
    }
    assert region04["commitments"] == {"total": 1, "kept": 1, "rate": 100.0}
    # report, schedule, minutes, commitment: all done on time
    assert region04["tasks"] | {"average_days": None} == {
        "completed": 4,
        "on_time": 4,
        "rate": 100.0,
        "average_days": None,
    }
    (manager,) = region04["managers"]
    assert (manager["username"], manager["completed"]) == ("region04.manager", 4)
    assert region04["indicators"] == {
        "policy_compliance": 85.0,
        "citizen_responsiveness": 87.5,
        "reporting": 100.0,
    }
    assert region02["indicators"]["policy_compliance"] == 0.0
    assert cards["region-09"]["indicators"] == {
        "policy_compliance": None,
        "citizen_responsiveness": None,
        "reporting": None,
    }

    period = "first_half" if half == "first_half" else "second_half"
    evaluation = start(
        ctx,
        "manager_evaluation",
        {"period": period, "year": year, "units": ["region-04"], "self_assessment_days": 5},
        user="coord.head",
        unit="dept_coord",
    ).id
    fire_timer(ctx, clock, "self_assessment_overdue")
    score = unit_task(ctx, evaluation, "score_manager", "region-04")
    data = _seen(ctx, score["id"])
    assert (data["policy_compliance"], data["citizen_responsiveness"], data["reporting"]) == (85, 88, 100)
    assert data["scorecard"]["policies"]["cases"] == [policy]


def test_a_units_manager_reads_only_their_own_scorecard(ctx):
    year, half = current_period(ctx.clock.now())
    (own,) = scorecards(ctx, "region04.manager", year, half)["units"]
    assert own["unit"] == "region-04"
    with pytest.raises(Forbidden):
        scorecards(ctx, "protocol.expert", year, half)


def _seen(ctx, task_id: str) -> dict:
    """The data a task's form opens with (as an administrator, who may work on every task, sees them)."""
    return task_page(ctx, task_id, "admin").data
