"""PROTOCOL-1: an inviting body's invitation to the mayor, from the public form to the answer."""

from __future__ import annotations

import json

import pytest

from engine.cases import show
from engine.definitions.forms import validate_submission
from engine.errors import InvalidData, NotFound
from engine.runtime import starting
from engine.runtime.messages import send_message
from engine.work import tasks
from tests.processes.conftest import (
    ROOT,
    complete_named,
    data_of,
    move_clock,
    open_elements,
    task_named,
    visible_to,
)

KEY = "mayor_calendar"
INVITATION = {
    "inviting_body": "سفارت جمهوری ترکیه",
    "contact_name": "آقای یلماز، رایزن فرهنگی",
    "contact_phone": "021-22334455",
    "contact_email": "culture@example.org",
    "title": "افتتاح هفته فرهنگی استانبول در تهران",
    "event_type": "international",
    "event_date": "1405/10/12",
    "event_time": "10:30",
    "venue": "باغ موزه قصر",
    "expected_audience": "۸۰۰",
    "mayor_role": "speech",
    "media_coverage": "national",
}
COMPLETE = {
    "invitation_complete": "yes",
    "event_level": "international",
    "strategic_relevance": "high",
    "calendar_conflict": "no",
}


def start_invitation(ctx, **changes) -> object:
    """What the public page does: validate the start form, then start with public=True."""
    form = json.loads((ROOT / "forms" / KEY / "mayor_invitation.json").read_text(encoding="utf-8"))
    data = validate_submission(form, {**INVITATION, **changes})
    return starting.start(ctx, KEY, data, public=True)


@pytest.fixture
def ctx(catalog):
    catalog.deploy(KEY)
    return catalog.context


def test_invitation_accepted_goes_to_the_calendar_and_is_answered(ctx):
    instance = start_invitation(ctx)
    assert len(instance.tracking_code) == 10 and instance.tracking_code.isdigit()
    assess = task_named(ctx, instance.id, "assess")
    assert assess["role"] == "protocol_expert" and assess["form_key"] == "mayor_invitation_assessment.json"
    assert visible_to(ctx, "protocol.expert", instance.id) == ["assess"]
    assert visible_to(ctx, "coord.expert", instance.id) == []
    assert data_of(ctx, instance.id)["expected_audience"] == 800

    complete_named(ctx, instance.id, "assess", COMPLETE, "protocol.expert")
    data = data_of(ctx, instance.id)
    assert (data["priority"], data["recommendation"]) == ("high", "accept")
    propose = task_named(ctx, instance.id, "propose")
    assert propose["role"] == "protocol_head"
    assert visible_to(ctx, "protocol.expert", instance.id) == []
    complete_named(
        ctx,
        instance.id,
        "propose",
        {"proposed_action": "accept", "proposal_note": "رویداد بین‌المللی"},
        "protocol.head",
    )

    assert task_named(ctx, instance.id, "office_decision")["role"] == "deputy"
    assert data_of(ctx, instance.id)["invitation_status"] == "under_review"
    complete_named(ctx, instance.id, "office_decision", {"mayor_decision": "accept"}, "deputy")
    complete_named(
        ctx,
        instance.id,
        "calendar_entry",
        {"calendar_date": "1405/10/12", "arrival_time": "10:15", "presence_minutes": 45},
        "protocol.expert",
    )
    complete_named(
        ctx,
        instance.id,
        "protocol_preparation",
        {
            "reception_by": "رئیس اداره تشریفات",
            "seating_confirmed": "yes",
            "speech_brief_ready": "yes",
            "security_coordinated": "yes",
        },
        "protocol.expert",
    )
    answer = {
        "answer_text": "حضور شهردار تأیید شد.",
        "letter_number": "۱۴۰۵/ت/۳۲۱",
        "answer_channel": "letter",
    }
    complete_named(ctx, instance.id, "answer", answer, "protocol.expert")

    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed"
    assert shown["data"]["invitation_status"] == "accepted"
    assert shown["data"]["calendar_date"] == "2027-01-02"
    done = [e["element_id"] for e in shown["history"] if e["kind"] == "task_completed"]
    assert done == [
        "assess",
        "propose",
        "office_decision",
        "calendar_entry",
        "protocol_preparation",
        "answer",
    ]


@pytest.mark.parametrize(
    ("decision", "next_task", "status"),
    [("representative", "representative_brief", "representative"), ("decline", "answer", "declined")],
)
def test_office_sends_a_representative_or_declines(ctx, decision, next_task, status):
    instance = start_invitation(ctx, event_type="opening", media_coverage="local", expected_audience=300)
    complete_named(
        ctx,
        instance.id,
        "assess",
        {**COMPLETE, "event_level": "region", "strategic_relevance": "medium"},
        "protocol.expert",
    )
    assert data_of(ctx, instance.id)["recommendation"] == "representative"
    complete_named(
        ctx,
        instance.id,
        "propose",
        {"proposed_action": "representative", "proposal_note": "-"},
        "protocol.head",
    )
    complete_named(
        ctx,
        instance.id,
        "office_decision",
        {"mayor_decision": decision, "representative_name": "معاون امور اجتماعی"},
        "deputy",
    )
    assert open_elements(ctx, instance.id) == [next_task]
    if decision == "representative":
        complete_named(
            ctx,
            instance.id,
            next_task,
            {"representative_confirmed": "yes", "brief_text": "برنامه"},
            "protocol.expert",
        )
    complete_named(
        ctx,
        instance.id,
        "answer",
        {"answer_text": "پاسخ", "letter_number": "۱۲", "answer_channel": "automation"},
        "protocol.expert",
    )
    assert data_of(ctx, instance.id)["invitation_status"] == status


@pytest.mark.parametrize(
    ("assessment", "audience", "expected"),
    [
        ({"event_level": "international", "calendar_conflict": "yes"}, 800, ("high", "representative")),
        ({"event_level": "national", "strategic_relevance": "high"}, 800, ("high", "accept")),
        ({"event_level": "city", "strategic_relevance": "high"}, 2500, ("high", "accept")),
        ({"event_level": "city", "strategic_relevance": "high"}, 200, ("medium", "representative")),
        ({"event_level": "city", "strategic_relevance": "medium"}, 200, ("medium", "accept")),
        ({"event_level": "region", "strategic_relevance": "low"}, 9000, ("low", "representative")),
        ({"event_level": "region", "strategic_relevance": "low"}, 100, ("low", "decline")),
    ],
)
def test_priority_table(ctx, assessment, audience, expected):
    instance = start_invitation(ctx, expected_audience=audience)
    complete_named(ctx, instance.id, "assess", {**COMPLETE, **assessment}, "protocol.expert")
    data = data_of(ctx, instance.id)
    assert (data["priority"], data["recommendation"]) == expected


def test_incomplete_invitation_waits_for_the_inviting_body(ctx):
    instance = start_invitation(ctx)
    complete_named(
        ctx,
        instance.id,
        "assess",
        {**COMPLETE, "invitation_complete": "no", "missing_info": "برنامه زمانی دقیق مراسم"},
        "protocol.expert",
    )
    assert open_elements(ctx, instance.id) == []
    assert data_of(ctx, instance.id)["invitation_status"] == "awaiting_information"
    with pytest.raises(NotFound):
        send_message(ctx, "mayor_invitation_supplement", {"tracking_code": "0000000000"})
    sent = send_message(
        ctx, "mayor_invitation_supplement", {"tracking_code": instance.tracking_code, "note": "ساعت ۱۰ تا ۱۲"}
    )
    assert sent["instances"] == [instance.id]
    assert open_elements(ctx, instance.id) == ["assess"]
    assert data_of(ctx, instance.id)["supplement"]["note"] == "ساعت ۱۰ تا ۱۲"
    complete_named(ctx, instance.id, "assess", COMPLETE, "protocol.expert")
    assert open_elements(ctx, instance.id) == ["propose"]


def test_no_answer_from_the_inviting_body_closes_the_invitation(ctx, clock):
    instance = start_invitation(ctx)
    complete_named(ctx, instance.id, "assess", {**COMPLETE, "invitation_complete": "no"}, "protocol.expert")
    move_clock(ctx, clock, 2)
    assert open_elements(ctx, instance.id) == []
    move_clock(ctx, clock, 10)
    assert open_elements(ctx, instance.id) == ["answer"]
    data = data_of(ctx, instance.id)
    assert (data["mayor_decision"], data["decline_reason"]) == ("decline", "incomplete")


def test_second_incomplete_assessment_is_closed_without_another_request(ctx):
    instance = start_invitation(ctx)
    complete_named(ctx, instance.id, "assess", {**COMPLETE, "invitation_complete": "no"}, "protocol.expert")
    send_message(ctx, "mayor_invitation_supplement", {"tracking_code": instance.tracking_code})
    complete_named(ctx, instance.id, "assess", {**COMPLETE, "invitation_complete": "no"}, "protocol.expert")
    send_message(ctx, "mayor_invitation_supplement", {"tracking_code": instance.tracking_code})
    complete_named(ctx, instance.id, "assess", {**COMPLETE, "invitation_complete": "no"}, "protocol.expert")
    assert open_elements(ctx, instance.id) == ["answer"]
    assert data_of(ctx, instance.id)["info_requests"] == 2


def test_slow_office_decision_gets_a_follow_up_by_the_head(ctx, clock):
    instance = start_invitation(ctx)
    complete_named(ctx, instance.id, "assess", COMPLETE, "protocol.expert")
    complete_named(
        ctx, instance.id, "propose", {"proposed_action": "accept", "proposal_note": "-"}, "protocol.head"
    )
    move_clock(ctx, clock, 1)
    assert open_elements(ctx, instance.id) == ["office_decision"]
    move_clock(ctx, clock, 7)
    assert open_elements(ctx, instance.id) == ["decision_followup", "office_decision"]
    assert visible_to(ctx, "protocol.head", instance.id) == ["decision_followup"]
    complete_named(
        ctx, instance.id, "decision_followup", {"followup_note": "در جلسه فردا بررسی می‌شود"}, "protocol.head"
    )
    complete_named(ctx, instance.id, "office_decision", {"mayor_decision": "decline"}, "deputy")
    assert open_elements(ctx, instance.id) == ["answer"]


def test_bad_submission_is_refused_and_nothing_is_saved(ctx):
    instance = start_invitation(ctx)
    assess = task_named(ctx, instance.id, "assess")
    with pytest.raises(InvalidData) as refused:
        tasks.complete(ctx, assess["id"], {**COMPLETE, "event_level": "galactic"}, user="protocol.expert")
    assert "event_level" in refused.value.to_dict()["fields"]
    assert task_named(ctx, instance.id, "assess")["id"] == assess["id"]
    assert "event_level" not in data_of(ctx, instance.id)


def test_only_the_protocol_expert_may_assess(ctx):
    instance = start_invitation(ctx)

    with pytest.raises(NotFound):  # not theirs to see, let alone to complete
        complete_named(ctx, instance.id, "assess", COMPLETE, "region05.manager")
