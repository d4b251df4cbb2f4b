"""PR-CRISIS: crisis communication from the team's activation to the after-action report."""

from __future__ import annotations

import pytest

from engine.cases import show
from engine.errors import InvalidData
from engine.runtime import starting
from engine.work import tasks
from engine.work.inbox import TaskQuery, list_tasks
from tests.processes.conftest import (
    complete_named,
    data_of,
    move_clock,
    open_elements,
    task_named,
    visible_to,
)

KEY = "crisis_communication"
CRISIS = {
    "crisis_topic": "آبگرفتگی گسترده معابر جنوب تهران",
    "severity": "high",
    "source": "رصد شبکه‌های اجتماعی",
}
ACTIVATION = {
    "team_members": ["opinion_head", "opinion_expert", "legal_expert"],
    "spokesperson": "سخنگوی شهرداری تهران",
    "situation_summary": "بارش شدید و آبگرفتگی در مناطق ۱۶ و ۱۹",
}
DRAFT = {
    "statement_title": "اطلاعیه شماره یک",
    "statement_text": "نیروهای شهرداری در محل حاضرند.",
    "key_messages": "امدادرسانی در جریان است",
    "statement_channels": ["portal", "social"],
}
PUBLICATION = {"published_channels": ["portal", "social"], "published_at": "14:30"}


def start_crisis(ctx, **changes):
    instance = starting.start(ctx, KEY, {**CRISIS, **changes}, user="deputy")
    complete_named(ctx, instance.id, "activate_team", ACTIVATION, "deputy")
    return instance


def coverage(trend: str) -> dict:
    return {"coverage_items": 120, "coverage_tone": "negative", "crisis_trend": trend}


@pytest.fixture
def ctx(catalog):
    catalog.deploy(KEY)
    return catalog.context


def test_statement_published_briefing_monitoring_and_report(ctx, clock):
    instance = starting.start(ctx, KEY, CRISIS, user="deputy")
    activate = task_named(ctx, instance.id, "activate_team")
    assert activate["role"] == "deputy"
    assert visible_to(ctx, "deputy", instance.id) == ["activate_team"]
    assert visible_to(ctx, "opinion.head", instance.id) == []
    complete_named(ctx, instance.id, "activate_team", ACTIVATION, "deputy")

    draft = task_named(ctx, instance.id, "draft_statement")
    assert draft["role"] == "opinion_expert" and draft["process_key"] == KEY
    assert visible_to(ctx, "opinion.expert", instance.id) == ["draft_statement"]
    assert visible_to(ctx, "protocol.expert", instance.id) == []
    complete_named(ctx, instance.id, "draft_statement", DRAFT, "opinion.expert")
    complete_named(ctx, instance.id, "approve_statement", {"statement_decision": "approve"}, "deputy")
    complete_named(ctx, instance.id, "publish_statement", PUBLICATION, "opinion.expert")
    assert open_elements(ctx, instance.id) == ["briefing_pack", "monitor_coverage"]
    assert data_of(ctx, instance.id)["statement_status"] == "published"

    complete_named(
        ctx,
        instance.id,
        "briefing_pack",
        {"briefing_key_messages": "امدادرسانی", "expected_questions": "علت؟ پاسخ: بارش بی‌سابقه"},
        "opinion.head",
    )
    complete_named(
        ctx,
        instance.id,
        "brief_spokesperson",
        {"briefing_time": "16:00", "briefing_outcome": "توجیه شد"},
        "deputy",
    )
    complete_named(ctx, instance.id, "monitor_coverage", coverage("steady"), "opinion.expert")
    assert open_elements(ctx, instance.id) == []
    move_clock(ctx, clock, 0.1)
    assert open_elements(ctx, instance.id) == []
    move_clock(ctx, clock, 0.1)
    assert open_elements(ctx, instance.id) == ["monitor_coverage"]
    complete_named(ctx, instance.id, "monitor_coverage", coverage("calming"), "opinion.expert")

    report = {"timeline": "-", "what_worked": "-", "shortcomings": "-", "lessons": "-"}
    assert task_named(ctx, instance.id, "after_action_report")["role"] == "opinion_head"
    complete_named(ctx, instance.id, "after_action_report", report, "opinion.head")
    complete_named(ctx, instance.id, "review_report", {"report_accepted": "yes"}, "deputy")
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed"
    assert (shown["data"]["monitoring_rounds"], shown["data"]["escalations"]) == (1, 0)


@pytest.mark.parametrize(
    ("severity", "hours_before", "hours_after"), [("critical", 0.8, 1.2), ("high", 1.8, 2.2)]
)
def test_statement_not_approved_in_time_goes_to_the_opinion_head(
    ctx, clock, severity, hours_before, hours_after
):
    instance = start_crisis(ctx, severity=severity)
    complete_named(ctx, instance.id, "draft_statement", DRAFT, "opinion.expert")
    move_clock(ctx, clock, hours_before / 24)
    assert open_elements(ctx, instance.id) == ["approve_statement"]
    move_clock(ctx, clock, (hours_after - hours_before) / 24)
    assert open_elements(ctx, instance.id) == ["urgent_approval"]
    assert visible_to(ctx, "opinion.head", instance.id) == ["urgent_approval"]
    assert visible_to(ctx, "deputy", instance.id) == []
    complete_named(
        ctx,
        instance.id,
        "urgent_approval",
        {"statement_decision": "approve", "urgent_approval_note": "معاون در جلسه شورای شهر بود"},
        "opinion.head",
    )
    assert open_elements(ctx, instance.id) == ["publish_statement"]


def test_rejected_statement_takes_the_error_path_to_an_alternative_strategy(ctx):
    instance = start_crisis(ctx)
    complete_named(ctx, instance.id, "draft_statement", DRAFT, "opinion.expert")
    complete_named(ctx, instance.id, "approve_statement", {"statement_decision": "reject"}, "deputy")
    assert open_elements(ctx, instance.id) == ["alternative_strategy"]
    complete_named(
        ctx,
        instance.id,
        "alternative_strategy",
        {"alternative_strategy_choice": "spokesperson_only", "alternative_strategy_reason": "اطلاعات ناکافی"},
        "opinion.head",
    )
    assert open_elements(ctx, instance.id) == ["briefing_pack", "monitor_coverage"]
    assert data_of(ctx, instance.id)["statement_status"] == "rejected"


def test_two_revisions_then_a_third_request_rejects_the_statement(ctx):
    instance = start_crisis(ctx)
    for _ in range(2):
        complete_named(ctx, instance.id, "draft_statement", DRAFT, "opinion.expert")
        complete_named(
            ctx,
            instance.id,
            "approve_statement",
            {"statement_decision": "revise", "approval_note": "کوتاه‌تر"},
            "deputy",
        )
    complete_named(ctx, instance.id, "draft_statement", DRAFT, "opinion.expert")
    complete_named(ctx, instance.id, "approve_statement", {"statement_decision": "revise"}, "deputy")
    assert open_elements(ctx, instance.id) == ["alternative_strategy"]


def test_worsening_crisis_is_escalated_to_the_deputy(ctx, clock):
    instance = start_crisis(ctx)
    complete_named(ctx, instance.id, "draft_statement", DRAFT, "opinion.expert")
    complete_named(ctx, instance.id, "approve_statement", {"statement_decision": "approve"}, "deputy")
    complete_named(ctx, instance.id, "publish_statement", PUBLICATION, "opinion.expert")
    complete_named(ctx, instance.id, "monitor_coverage", coverage("escalating"), "opinion.expert")
    response = task_named(ctx, instance.id, "escalation_response")
    assert response["role"] == "deputy"
    complete_named(
        ctx,
        instance.id,
        "escalation_response",
        {"escalation_action": "press_conference", "escalation_owner": "سخنگو"},
        "deputy",
    )
    assert open_elements(ctx, instance.id) == ["briefing_pack"]
    move_clock(ctx, clock, 0.2)
    assert open_elements(ctx, instance.id) == ["briefing_pack", "monitor_coverage"]
    assert data_of(ctx, instance.id)["escalations"] == 1


def test_bad_coverage_report_is_refused_and_nothing_is_saved(ctx):
    instance = start_crisis(ctx)
    complete_named(ctx, instance.id, "draft_statement", DRAFT, "opinion.expert")
    complete_named(ctx, instance.id, "approve_statement", {"statement_decision": "approve"}, "deputy")
    complete_named(ctx, instance.id, "publish_statement", PUBLICATION, "opinion.expert")
    monitor = task_named(ctx, instance.id, "monitor_coverage")
    with pytest.raises(InvalidData) as refused:
        tasks.complete(
            ctx, monitor["id"], {**coverage("exploding"), "coverage_items": -3}, user="opinion.expert"
        )
    assert set(refused.value.to_dict()["fields"]) == {"crisis_trend", "coverage_items"}
    assert task_named(ctx, instance.id, "monitor_coverage")["id"] == monitor["id"]
    assert "crisis_trend" not in data_of(ctx, instance.id)


def test_called_by_opinion_monitoring_with_its_topic_and_severity(catalog, clock):
    """The interface with OPINION-1: a critical issue of the weekly round opens the crisis process."""
    ctx = catalog.context
    catalog.deploy("opinion_monitoring")
    move_clock(ctx, clock, 7.1)
    (monitor,) = list_tasks(ctx, TaskQuery(process_key="opinion_monitoring"))
    weekly = {
        "monitoring_sources": ["social_media"],
        "monitored_group": "public",
        "top_issue": "قطعی آب در مناطق شمالی",
        "issue_summary": "هشتگ قطعی آب در صدر ترندهای شبکه‌های اجتماعی است.",
        "sentiment": "negative",
        "reach": 2_000_000,
        "trend": "rising",
    }
    tasks.complete(ctx, monitor["id"], weekly, user="opinion.expert")
    activate = task_named(ctx, monitor["instance_id"], "activate_team")
    assert (activate["role"], activate["process_key"]) == ("deputy", "opinion_monitoring")
    data = data_of(ctx, monitor["instance_id"])
    assert (data["crisis_topic"], data["severity"], data["source"]) == (
        "قطعی آب در مناطق شمالی",
        "critical",
        "opinion_monitoring",
    )
    complete_named(ctx, monitor["instance_id"], "activate_team", ACTIVATION, "deputy")
    assert open_elements(ctx, monitor["instance_id"]) == ["draft_statement"]
