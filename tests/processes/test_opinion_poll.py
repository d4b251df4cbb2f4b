"""OPINION-2: an opinion poll designed, approved, carried out in the field, analysed and reported."""

from __future__ import annotations

import pytest

from engine.cases import show
from engine.errors import InvalidData
from engine.runtime import starting
from engine.work import tasks
from tests.processes.conftest import complete_named, move_clock, open_tasks, task_named, visible_to

DESIGN = {
    "poll_subject": "رضایت شهروندان از خط ۷ متروی تهران",
    "related_plan": "طرح توسعه خط ۷ مترو",
    "poll_population": "citizens",
    "poll_method": "phone",
    "sample_size": 1200,
    "questionnaire": "۱. میزان رضایت از زمان انتظار؟ ۲. میزان رضایت از پاکیزگی ایستگاه‌ها؟",
    "fieldwork_days": 5,
}
FIELDWORK = {"responses_count": 1130, "response_rate": 62}
ANALYSIS = {"satisfaction_index": 71, "key_findings": "رضایت از پاکیزگی بالا و از زمان انتظار متوسط است."}


@pytest.fixture
def poll(catalog):
    catalog.deploy("opinion_poll")
    return catalog.context


def design(ctx) -> int:
    return starting.start(ctx, "opinion_poll", dict(DESIGN), user="opinion.expert").id


def test_poll_from_design_to_published_report(poll):
    instance_id = design(poll)
    assert visible_to(poll, "opinion.head", instance_id) == ["review_design"]
    assert visible_to(poll, "opinion.expert", instance_id) == []
    complete_named(
        poll,
        instance_id,
        "review_design",
        {"design_decision": "revise", "design_review_note": "سؤال اشتغال"},
        "opinion.head",
    )
    complete_named(poll, instance_id, "revise_design", dict(DESIGN, sample_size="۱۵۰۰"), "opinion.expert")
    complete_named(poll, instance_id, "review_design", {"design_decision": "approve"}, "opinion.head")

    fieldwork = task_named(poll, instance_id, "fieldwork")
    assert fieldwork["role"] == "opinion_expert" and fieldwork["due_at"] is not None
    complete_named(poll, instance_id, "fieldwork", FIELDWORK, "opinion.expert")
    complete_named(poll, instance_id, "analyse", ANALYSIS, "opinion.expert")
    complete_named(
        poll,
        instance_id,
        "approve_report",
        {"report_decision": "approve", "publish_scope": "public"},
        "opinion.head",
    )
    shown = show.show(poll, instance_id)
    assert shown["status"] == "completed"
    assert shown["data"]["outcome"] == "reported" and shown["data"]["sample_size"] == 1500
    assert shown["data"]["design_rounds"] == 1
    assert "deputy_approval" not in [e["element_id"] for e in shown["history"]]


def test_sensitive_poll_needs_the_deputy_and_low_satisfaction_is_briefed(poll):
    instance_id = design(poll)
    complete_named(
        poll,
        instance_id,
        "review_design",
        {"design_decision": "approve", "needs_deputy_approval": True},
        "opinion.head",
    )
    assert visible_to(poll, "deputy", instance_id) == ["deputy_approval"]
    complete_named(poll, instance_id, "deputy_approval", {"deputy_decision": "approve"}, "deputy")
    complete_named(poll, instance_id, "fieldwork", FIELDWORK, "opinion.expert")
    complete_named(poll, instance_id, "analyse", dict(ANALYSIS, satisfaction_index=28), "opinion.expert")
    complete_named(
        poll,
        instance_id,
        "approve_report",
        {"report_decision": "revise", "publish_scope": "internal"},
        "opinion.head",
    )
    complete_named(poll, instance_id, "analyse", dict(ANALYSIS, satisfaction_index=31), "opinion.expert")
    complete_named(
        poll,
        instance_id,
        "approve_report",
        {"report_decision": "approve", "publish_scope": "internal"},
        "opinion.head",
    )
    assert visible_to(poll, "deputy", instance_id) == ["brief_deputy"]
    complete_named(
        poll, instance_id, "brief_deputy", {"deputy_instructions": "جلسه با معاونت حمل‌ونقل"}, "deputy"
    )
    shown = show.show(poll, instance_id)
    assert shown["status"] == "completed" and shown["data"]["satisfaction_index"] == 31


def test_deputy_may_stop_a_sensitive_poll(poll):
    instance_id = design(poll)
    complete_named(
        poll,
        instance_id,
        "review_design",
        {"design_decision": "approve", "needs_deputy_approval": True},
        "opinion.head",
    )
    complete_named(poll, instance_id, "deputy_approval", {"deputy_decision": "reject"}, "deputy")
    assert show.show(poll, instance_id)["data"]["outcome"] == "rejected"


def test_slow_fieldwork_reminds_the_head(poll, clock):
    instance_id = design(poll)
    complete_named(poll, instance_id, "review_design", {"design_decision": "approve"}, "opinion.head")
    move_clock(poll, clock, 14)
    assert visible_to(poll, "opinion.head", instance_id) == ["followup_fieldwork"]
    assert sorted(t["element_id"] for t in open_tasks(poll, instance_id)) == [
        "fieldwork",
        "followup_fieldwork",
    ]
    complete_named(
        poll, instance_id, "followup_fieldwork", {"followup_note": "نیروی پرسشگر افزوده شد"}, "opinion.head"
    )
    complete_named(poll, instance_id, "fieldwork", FIELDWORK, "opinion.expert")
    assert [t["element_id"] for t in open_tasks(poll, instance_id)] == ["analyse"]


def test_sample_too_small_is_refused(poll):
    instance_id = design(poll)
    complete_named(poll, instance_id, "review_design", {"design_decision": "revise"}, "opinion.head")
    revise = task_named(poll, instance_id, "revise_design")
    with pytest.raises(InvalidData) as refused:
        tasks.complete(
            poll, revise["id"], dict(DESIGN, sample_size=10, questionnaire="کوتاه"), user="opinion.expert"
        )
    assert set(refused.value.field_errors) == {"sample_size", "questionnaire"}
    assert show.show(poll, instance_id)["data"]["sample_size"] == 1200
