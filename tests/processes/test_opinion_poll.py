"""OPINION-2: an opinion poll designed, approved, carried out in the field, analysed and reported."""

from __future__ import annotations

import pytest

from engine import instances, tasks
from engine.errors import InvalidData
from engine.tasks import TaskQuery, list_tasks
from tests.processes.conftest import move_clock, open_tasks, task_named

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
    return instances.start(ctx, "opinion_poll", dict(DESIGN), user="opinion.expert").id


def do(ctx, instance_id: int, element: str, data: dict, user: str) -> dict:
    return tasks.complete(ctx, task_named(ctx, instance_id, element)["id"], data, user=user)


def visible_to(ctx, user: str, instance_id: int) -> list[str]:
    return [t["element_id"] for t in list_tasks(ctx, TaskQuery(user=user)) if t["instance_id"] == instance_id]


def test_poll_from_design_to_published_report(poll):
    instance_id = design(poll)
    assert visible_to(poll, "opinion.head", instance_id) == ["review_design"]
    assert visible_to(poll, "opinion.expert", instance_id) == []
    do(
        poll,
        instance_id,
        "review_design",
        {"design_decision": "revise", "design_review_note": "سؤال اشتغال"},
        "opinion.head",
    )
    do(poll, instance_id, "revise_design", dict(DESIGN, sample_size="۱۵۰۰"), "opinion.expert")
    do(poll, instance_id, "review_design", {"design_decision": "approve"}, "opinion.head")

    fieldwork = task_named(poll, instance_id, "fieldwork")
    assert fieldwork["role"] == "opinion_expert" and fieldwork["due_at"] is not None
    do(poll, instance_id, "fieldwork", FIELDWORK, "opinion.expert")
    do(poll, instance_id, "analyse", ANALYSIS, "opinion.expert")
    do(
        poll,
        instance_id,
        "approve_report",
        {"report_decision": "approve", "publish_scope": "public"},
        "opinion.head",
    )
    shown = instances.show(poll, instance_id)
    assert shown["status"] == "completed"
    assert shown["data"]["outcome"] == "reported" and shown["data"]["sample_size"] == 1500
    assert shown["data"]["design_rounds"] == 1
    assert "deputy_approval" not in [e["element_id"] for e in shown["history"]]


def test_sensitive_poll_needs_the_deputy_and_low_satisfaction_is_briefed(poll):
    instance_id = design(poll)
    do(
        poll,
        instance_id,
        "review_design",
        {"design_decision": "approve", "needs_deputy_approval": True},
        "opinion.head",
    )
    assert visible_to(poll, "deputy", instance_id) == ["deputy_approval"]
    do(poll, instance_id, "deputy_approval", {"deputy_decision": "approve"}, "deputy")
    do(poll, instance_id, "fieldwork", FIELDWORK, "opinion.expert")
    do(poll, instance_id, "analyse", dict(ANALYSIS, satisfaction_index=28), "opinion.expert")
    do(
        poll,
        instance_id,
        "approve_report",
        {"report_decision": "revise", "publish_scope": "internal"},
        "opinion.head",
    )
    do(poll, instance_id, "analyse", dict(ANALYSIS, satisfaction_index=31), "opinion.expert")
    do(
        poll,
        instance_id,
        "approve_report",
        {"report_decision": "approve", "publish_scope": "internal"},
        "opinion.head",
    )
    assert visible_to(poll, "deputy", instance_id) == ["brief_deputy"]
    do(poll, instance_id, "brief_deputy", {"deputy_instructions": "جلسه با معاونت حمل‌ونقل"}, "deputy")
    shown = instances.show(poll, instance_id)
    assert shown["status"] == "completed" and shown["data"]["satisfaction_index"] == 31


def test_deputy_may_stop_a_sensitive_poll(poll):
    instance_id = design(poll)
    do(
        poll,
        instance_id,
        "review_design",
        {"design_decision": "approve", "needs_deputy_approval": True},
        "opinion.head",
    )
    do(poll, instance_id, "deputy_approval", {"deputy_decision": "reject"}, "deputy")
    assert instances.show(poll, instance_id)["data"]["outcome"] == "rejected"


def test_slow_fieldwork_reminds_the_head(poll, clock):
    instance_id = design(poll)
    do(poll, instance_id, "review_design", {"design_decision": "approve"}, "opinion.head")
    move_clock(poll, clock, 14)
    assert visible_to(poll, "opinion.head", instance_id) == ["followup_fieldwork"]
    assert sorted(t["element_id"] for t in open_tasks(poll, instance_id)) == [
        "fieldwork",
        "followup_fieldwork",
    ]
    do(poll, instance_id, "followup_fieldwork", {"followup_note": "نیروی پرسشگر افزوده شد"}, "opinion.head")
    do(poll, instance_id, "fieldwork", FIELDWORK, "opinion.expert")
    assert [t["element_id"] for t in open_tasks(poll, instance_id)] == ["analyse"]


def test_sample_too_small_is_refused(poll):
    instance_id = design(poll)
    do(poll, instance_id, "review_design", {"design_decision": "revise"}, "opinion.head")
    revise = task_named(poll, instance_id, "revise_design")
    with pytest.raises(InvalidData) as refused:
        tasks.complete(
            poll, revise["id"], dict(DESIGN, sample_size=10, questionnaire="کوتاه"), user="opinion.expert"
        )
    assert set(refused.value.field_errors) == {"sample_size", "questionnaire"}
    assert instances.show(poll, instance_id)["data"]["sample_size"] == 1200
