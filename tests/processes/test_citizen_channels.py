"""SOCIAL-2: a citizen's proposal or complaint is referred to the responsible unit, answered and rated."""

from __future__ import annotations

import pytest

from engine.cases import show
from engine.errors import InvalidData
from engine.runtime import starting
from engine.runtime.messages import send_message
from engine.work import tasks
from tests.processes.conftest import complete_named, move_clock, open_tasks, task_named, visible_to

COMPLAINT = {
    "submission_kind": "complaint",
    "channel": "web",
    "subject": "چراغ‌های خاموش بوستان",
    "description": "چراغ‌های مسیر پیاده‌روی بوستان محله از دو هفته پیش خاموش است.",
    "related_region": "region-05",
}
REFER = {"triage_result": "refer", "responsible_unit": "region-05", "urgency": "normal"}
ANSWER = {"response_text": "چراغ‌ها تعمیر و روشن شد.", "action_taken": "done"}


@pytest.fixture
def channels(catalog):
    catalog.deploy("citizen_channels")
    return catalog.context


def submit(ctx) -> tuple[int, str]:
    instance = starting.start(ctx, "citizen_channels", dict(COMPLAINT), public=True)
    return instance.id, instance.tracking_code


def test_referred_to_the_region_answered_and_the_citizen_is_satisfied(channels):
    instance_id, code = submit(channels)
    assert visible_to(channels, "social.expert", instance_id) == ["triage"]
    complete_named(channels, instance_id, "triage", REFER, "social.expert")

    assert visible_to(channels, "region05.manager", instance_id) == ["unit_answer"]
    assert visible_to(channels, "region04.manager", instance_id) == []
    assert visible_to(channels, "social.expert", instance_id) == []
    complete_named(channels, instance_id, "unit_answer", ANSWER, "region05.manager")
    assert show.show(channels, instance_id)["data"]["public_status"].endswith("چراغ‌ها تعمیر و روشن شد.")

    send_message(channels, "citizen_channels_feedback", {"tracking_code": code, "satisfied": "yes"})
    shown = show.show(channels, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "answered"


def test_urgent_case_has_a_shorter_deadline(channels):
    normal_id, _ = submit(channels)
    urgent_id, _ = submit(channels)
    complete_named(channels, normal_id, "triage", REFER, "social.expert")
    complete_named(channels, urgent_id, "triage", dict(REFER, urgency="urgent"), "social.expert")
    normal_due = task_named(channels, normal_id, "unit_answer")["due_at"]
    urgent_due = task_named(channels, urgent_id, "unit_answer")["due_at"]
    assert urgent_due < normal_due


def test_silent_unit_is_escalated_to_the_head(channels, clock):
    instance_id, _ = submit(channels)
    complete_named(channels, instance_id, "triage", REFER, "social.expert")
    move_clock(channels, clock, 14)
    assert visible_to(channels, "region05.manager", instance_id) == []
    assert visible_to(channels, "social.head", instance_id) == ["head_answer"]
    complete_named(channels, instance_id, "head_answer", ANSWER, "social.head")
    move_clock(channels, clock, 11)
    shown = show.show(channels, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "answered"
    assert "citizen_feedback" not in shown["data"]


def test_dissatisfied_citizen_gets_a_second_referral(channels):
    instance_id, code = submit(channels)
    complete_named(channels, instance_id, "triage", REFER, "social.expert")
    complete_named(
        channels, instance_id, "unit_answer", dict(ANSWER, action_taken="planned"), "region05.manager"
    )
    send_message(channels, "citizen_channels_feedback", {"tracking_code": code, "satisfied": "no"})
    assert visible_to(channels, "social.head", instance_id) == ["review_dissatisfaction"]
    complete_named(
        channels, instance_id, "review_dissatisfaction", {"reopen_decision": "re_refer"}, "social.head"
    )
    assert visible_to(channels, "region05.manager", instance_id) == ["unit_answer"]
    complete_named(channels, instance_id, "unit_answer", ANSWER, "region05.manager")
    send_message(channels, "citizen_channels_feedback", {"tracking_code": code, "satisfied": "no"})
    complete_named(
        channels, instance_id, "review_dissatisfaction", {"reopen_decision": "close"}, "social.head"
    )
    shown = show.show(channels, instance_id)
    assert shown["status"] == "completed" and shown["data"]["reopen_count"] == 1


def test_direct_answer_and_out_of_scope(channels):
    direct_id, code = submit(channels)
    complete_named(
        channels, direct_id, "triage", dict(REFER, triage_result="answer_directly"), "social.expert"
    )
    complete_named(channels, direct_id, "direct_answer", ANSWER, "social.expert")
    assert [t["element_id"] for t in open_tasks(channels, direct_id)] == []
    send_message(channels, "citizen_channels_feedback", {"tracking_code": code, "satisfied": True})
    assert show.show(channels, direct_id)["status"] == "completed"

    other_id, _ = submit(channels)
    complete_named(channels, other_id, "triage", dict(REFER, triage_result="out_of_scope"), "social.expert")
    shown = show.show(channels, other_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "out_of_scope"


def test_triage_without_a_unit_is_refused(channels):
    instance_id, _ = submit(channels)
    triage = task_named(channels, instance_id, "triage")
    with pytest.raises(InvalidData) as refused:
        tasks.complete(
            channels, triage["id"], {"triage_result": "refer", "urgency": "normal"}, user="social.expert"
        )
    assert set(refused.value.field_errors) == {"responsible_unit"}
    assert task_named(channels, instance_id, "triage")["id"] == triage["id"]
