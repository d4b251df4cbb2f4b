"""PROTOCOL-1: an inviting body's invitation to the mayor, from the public form to the answer."""

from __future__ import annotations

import json
from datetime import date, datetime

import jdatetime
import pytest
from icalendar import Calendar

from engine.calendar.jalali import TEHRAN, jalali_today, to_persian_digits
from engine.cases import show
from engine.definitions.forms import validate_submission
from engine.errors import Forbidden, InvalidData, NotFound
from engine.protocol.calendar_views import ics, month, week
from engine.runtime import starting
from engine.runtime.messages import send_message
from engine.work import tasks
from engine.work.task_page import task_page
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
    answer = {"answer_text": "حضور شهردار تأیید شد.", "answer_channel": "letter"}
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
        {"answer_text": "پاسخ", "answer_channel": "automation"},
        "protocol.expert",
    )
    assert data_of(ctx, instance.id)["invitation_status"] == status


@pytest.mark.parametrize(
    ("assessment", "audience", "expected"),
    [
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


def accept(ctx, when=("1405/10/12", "10:15", 45), **changes) -> object:
    """An invitation taken all the way to the mayor's calendar and answered."""
    instance = start_invitation(ctx, **changes)
    complete_named(ctx, instance.id, "assess", COMPLETE, "protocol.expert")
    complete_named(
        ctx, instance.id, "propose", {"proposed_action": "accept", "proposal_note": "-"}, "protocol.head"
    )
    complete_named(ctx, instance.id, "office_decision", {"mayor_decision": "accept"}, "deputy")
    day, at, minutes = when
    entry = {"calendar_date": day, "arrival_time": at, "presence_minutes": minutes}
    complete_named(ctx, instance.id, "calendar_entry", entry, "protocol.expert")
    preparation = {
        "reception_by": "رئیس اداره تشریفات",
        "seating_confirmed": "yes",
        "speech_brief_ready": "yes",
        "security_coordinated": "yes",
    }
    complete_named(ctx, instance.id, "protocol_preparation", preparation, "protocol.expert")
    complete_named(
        ctx,
        instance.id,
        "answer",
        {"answer_text": "پذیرفته شد", "answer_channel": "letter"},
        "protocol.expert",
    )
    return instance


def this_jalali_year() -> str:
    return to_persian_digits(jdatetime.date.fromgregorian(date=datetime.now(TEHRAN).date()).year)


def test_the_answer_is_a_numbered_letter_of_the_protocol_department(ctx):
    first, second = accept(ctx), accept(ctx, when=("1405/10/13", "09:00", 30))
    year = this_jalali_year()
    assert data_of(ctx, first.id)["invitation_answer_letter"]["number"] == f"{year}/ت/۱"
    letters = show.show(ctx, second.id)["letters"]
    assert [(x["number"], x["kind"]) for x in letters] == [(f"{year}/ت/۲", "invitation_answer")]
    assert letters[0]["date"] == jalali_today()  # the day in Tehran, not on the server's clock
    assert letters[0]["element_name"] == "پاسخ به دستگاه دعوت‌کننده"


def test_an_overlap_with_an_accepted_occasion_is_flagged_before_acceptance(ctx):
    accepted = accept(ctx)
    clashing = start_invitation(ctx, title="همایش روز شهر", event_time="10:30", venue="تالار وحدت")
    check = _seen(ctx, task_named(ctx, clashing.id, "assess")["id"])["calendar_check"]
    assert (check["count"], check["overlaps"]) == (1, 1)
    (clash,) = check["clashes"]
    assert (clash["instance_id"], clash["kind"], clash["start"], clash["end"]) == (
        accepted.id,
        "overlap",
        "۱۰:۱۵",
        "۱۱:۰۰",
    )
    complete_named(ctx, clashing.id, "assess", COMPLETE, "protocol.expert")
    data = data_of(ctx, clashing.id)
    # the decision table weighs the clash: an international occasion that clashes goes to a representative
    assert (data["calendar_conflict"], data["recommendation"]) == ("yes", "representative")
    check = _seen(ctx, task_named(ctx, clashing.id, "propose")["id"])["calendar_check"]
    assert check["clashes"][0]["title"] == INVITATION["title"]


@pytest.mark.parametrize(
    ("at", "venue", "expected"),
    [
        ("11:30", "تالار وحدت", ("travel", "۳۰")),
        ("11:30", "باغ موزه قصر", None),
        ("12:00", "تالار وحدت", None),
    ],
)
def test_too_little_time_to_cross_the_city_is_a_travel_gap(ctx, at, venue, expected):
    accept(ctx)  # 10:15 to 11:00 at the Qasr garden museum
    candidate = start_invitation(ctx, event_time=at, venue=venue)
    check = _seen(ctx, task_named(ctx, candidate.id, "assess")["id"])["calendar_check"]
    assert [(c["kind"], c["gap"]) for c in check["clashes"]] == ([expected] if expected else [])


def test_the_calendar_shows_the_month_and_week_with_their_clashes_and_exports_them(ctx):
    first = accept(ctx)
    second = accept(ctx, when=("1405/10/12", "10:45", 60), venue="تالار وحدت")
    declined = start_invitation(ctx, event_date="1405/10/20")
    complete_named(ctx, declined.id, "assess", COMPLETE, "protocol.expert")
    pending = month(ctx, "protocol.head", 1405, 10)
    cells = {cell["jalali"]: cell for week_cells in pending["weeks"] for cell in week_cells}
    assert [o["instance_id"] for o in cells["1405/10/12"]["occasions"]] == [first.id, second.id]
    assert cells["1405/10/12"]["occasions"][0]["clashes"] == ["overlap"]
    assert [o["status"] for o in cells["1405/10/20"]["occasions"]] == ["pending"]
    assert pending["clashes"] == [
        {"first": first.id, "second": second.id, "kind": "overlap", "gap_minutes": 0}
    ]
    assert all(len(w) == 7 and w[0]["weekday"] == 0 for w in pending["weeks"])
    shown_week = week(ctx, "protocol.expert", date(2027, 1, 5))
    assert shown_week["days"][0]["jalali"] == "1405/10/12"  # the Saturday before
    assert [len(d["occasions"]) for d in shown_week["days"]] == [2, 0, 0, 0, 0, 0, 0]
    parsed = Calendar.from_ical(ics(ctx, "deputy", date(2026, 12, 22), date(2027, 1, 20)))
    events = parsed.walk("VEVENT")
    assert [(str(e["STATUS"]), e.decoded("DTSTART").isoformat()) for e in events] == [
        ("CONFIRMED", "2027-01-02T06:45:00+00:00"),
        ("CONFIRMED", "2027-01-02T07:15:00+00:00"),
        ("TENTATIVE", "2027-01-10T07:00:00+00:00"),
    ]
    with pytest.raises(Forbidden):
        month(ctx, "coord.expert", 1405, 10)


def _seen(ctx, task_id: str) -> dict:
    """The data a task's form opens with (as an administrator, who may work on every task, sees them)."""
    return task_page(ctx, task_id, "admin").data
