"""SOCIAL-1: a participation campaign planned by the department and run by the chosen regions' PR managers."""

from __future__ import annotations

import pytest

from engine.cases import show
from engine.errors import InvalidData
from engine.runtime import starting
from engine.work import tasks
from engine.work.inbox import TaskQuery, list_tasks
from tests.processes.conftest import complete_named, move_clock, open_tasks, task_named, visible_to

PLAN = {
    "campaign_title": "پویش محله پاک",
    "campaign_topic": "مشارکت ساکنان در تفکیک پسماند از مبدأ و پاکیزگی معابر محله",
    "campaign_area": "environment",
    "target_groups": ["citizens", "youth"],
    "channels": ["neighbourhood_councils", "social_media"],
    "participating_regions": ["region-03", "region-07"],
    "campaign_start": "1405/09/10",
    "duration_days": 14,
    "budget_million_rials": 300,
}


@pytest.fixture
def campaign(catalog):
    catalog.deploy("public_participation")
    return catalog.context


def plan(ctx, **changes) -> int:
    return starting.start(ctx, "public_participation", dict(PLAN, **changes), user="social.expert").id


def report(ctx, instance_id: int, user: str, participants: int, proposals: int) -> None:
    (task,) = [t for t in list_tasks(ctx, TaskQuery(user=user)) if t["instance_id"] == instance_id]
    data = {
        "region_participants": participants,
        "region_proposals": proposals,
        "region_highlights": "استقبال خوب ساکنان",
    }
    tasks.complete(ctx, task["id"], data, user=user)


def test_each_chosen_region_runs_the_campaign_and_the_totals_are_reported(campaign):
    instance_id = plan(campaign)
    assert visible_to(campaign, "social.head", instance_id) == ["review_plan"]
    complete_named(campaign, instance_id, "review_plan", {"plan_decision": "approve"}, "social.head")

    region_tasks = open_tasks(campaign, instance_id)
    assert [t["element_id"] for t in region_tasks] == ["report_region", "report_region"]
    assert {t["role"] for t in region_tasks} == {"unit_pr_manager"}
    assert visible_to(campaign, "region03.manager", instance_id) == ["report_region"]
    assert visible_to(campaign, "region07.manager", instance_id) == ["report_region"]
    assert visible_to(campaign, "region05.manager", instance_id) == []
    assert visible_to(campaign, "deputy", instance_id) == []

    report(campaign, instance_id, "region03.manager", 1200, 45)
    report(campaign, instance_id, "region07.manager", 800, 15)
    data = show.show(campaign, instance_id)["data"]
    assert (data["total_participants"], data["total_proposals"]) == (2000, 60)
    assert {r["region"] for r in data["region_results"]} == {"region-03", "region-07"}

    analysis = {
        "adopted_proposals": 12,
        "campaign_evaluation": "پویش در هر دو منطقه با استقبال خوبی روبه‌رو شد.",
    }
    complete_named(campaign, instance_id, "analyse", analysis, "social.expert")
    complete_named(
        campaign,
        instance_id,
        "approve_report",
        {"report_decision": "revise", "report_note": "آمار بانوان"},
        "social.head",
    )
    complete_named(campaign, instance_id, "analyse", dict(analysis, adopted_proposals=14), "social.expert")
    complete_named(campaign, instance_id, "approve_report", {"report_decision": "approve"}, "social.head")
    shown = show.show(campaign, instance_id)
    assert shown["status"] == "completed"
    assert (shown["data"]["outcome"], shown["data"]["adopted_proposals"]) == ("completed", 14)


def test_costly_campaign_needs_the_deputy_and_may_be_refused(campaign):
    instance_id = plan(campaign, budget_million_rials=900)
    complete_named(campaign, instance_id, "review_plan", {"plan_decision": "approve"}, "social.head")
    assert visible_to(campaign, "deputy", instance_id) == ["deputy_approval"]
    complete_named(campaign, instance_id, "deputy_approval", {"deputy_decision": "reject"}, "deputy")
    shown = show.show(campaign, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "rejected"


def test_plan_revised_at_most_three_times(campaign):
    instance_id = plan(campaign)
    for _ in range(3):
        complete_named(
            campaign,
            instance_id,
            "review_plan",
            {"plan_decision": "revise", "plan_review_note": "اصلاح"},
            "social.head",
        )
        assert visible_to(campaign, "social.expert", instance_id) == ["revise_plan"]
        complete_named(campaign, instance_id, "revise_plan", dict(PLAN, duration_days=10), "social.expert")
    complete_named(campaign, instance_id, "review_plan", {"plan_decision": "revise"}, "social.head")
    shown = show.show(campaign, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "rejected"
    assert shown["data"]["revision_count"] == 3


def test_late_region_report_is_followed_up_by_the_department(campaign, clock):
    instance_id = plan(campaign, participating_regions=["region-01"])
    complete_named(campaign, instance_id, "review_plan", {"plan_decision": "approve"}, "social.head")
    move_clock(campaign, clock, 22)
    assert visible_to(campaign, "social.expert", instance_id) == ["followup_regions"]
    assert visible_to(campaign, "region01.manager", instance_id) == ["report_region"]
    complete_named(
        campaign,
        instance_id,
        "followup_regions",
        {"followup_note": "منطقه ۱ تا فردا گزارش می‌دهد"},
        "social.expert",
    )
    report(campaign, instance_id, "region01.manager", 50, 3)
    assert [t["element_id"] for t in open_tasks(campaign, instance_id)] == ["analyse"]


def test_region_report_must_be_numbers(campaign):
    instance_id = plan(campaign, participating_regions=["region-01"])
    complete_named(campaign, instance_id, "review_plan", {"plan_decision": "approve"}, "social.head")
    task = task_named(campaign, instance_id, "report_region")
    with pytest.raises(InvalidData) as refused:
        tasks.complete(
            campaign,
            task["id"],
            {"region_participants": "بسیار", "region_proposals": -1},
            user="region01.manager",
        )
    assert set(refused.value.field_errors) == {"region_participants", "region_proposals", "region_highlights"}
    assert task_named(campaign, instance_id, "report_region")["id"] == task["id"]
    assert "region_participants" not in show.show(campaign, instance_id)["data"]
