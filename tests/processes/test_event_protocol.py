"""PROTOCOL-4: holding a ceremony or an international conference, from the request to the report."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.calendar.jalali import tehran_today
from engine.cases import show
from engine.errors import InvalidData
from engine.runtime import starting
from engine.work import tasks
from tests.processes.conftest import (
    complete_named,
    data_of,
    move_clock,
    open_elements,
    task_named,
    visible_to,
)

KEY = "event_protocol"
PLAN = {
    "plan_outline": "افتتاحیه، سخنرانی‌ها، پنل‌ها",
    "preparation_timeline": "سه هفته",
    "estimated_cost": 900_000_000,
}
REPORT = {"report_summary": "طبق برنامه", "actual_cost": 850_000_000}


def request(days_ahead: int = 30, **changes) -> dict:
    return {
        "title": "همایش بین‌المللی شهرهای هوشمند",
        "event_kind": "international_conference",
        "organiser": "مرکز ارتباطات و امور بین‌الملل",
        "support_level": "full",
        "event_date": (tehran_today() + timedelta(days=days_ahead)).isoformat(),
        "expected_guests": 400,
        "event_description": "همایش با حضور شهرداران کلان‌شهرهای آسیایی",
        **changes,
    }


def through_guest_list(ctx, international_guests: int, **request_changes):
    instance = starting.start(
        ctx, KEY, request(**request_changes), user="protocol.expert", unit="dept_protocol"
    )
    complete_named(
        ctx,
        instance.id,
        "review_request",
        {"request_accepted": "yes", "lead_expert": "سارا نوری"},
        "protocol.head",
    )
    complete_named(ctx, instance.id, "plan_event", PLAN, "protocol.expert")
    complete_named(ctx, instance.id, "approve_plan", {"approved_budget": 800_000_000}, "protocol.head")
    guests = {"guests_count": 400, "vip_count": 30, "international_guests": international_guests}
    complete_named(ctx, instance.id, "guest_list", guests, "protocol.expert")
    return instance


def venue_to_rehearsal(ctx, instance_id, results=("ready",)):
    complete_named(
        ctx,
        instance_id,
        "venue",
        {"venue_name": "برج میلاد", "venue_booked": "yes", "venue_setup": "-"},
        "protocol.expert",
    )
    complete_named(
        ctx, instance_id, "security", {"security_approved": "yes", "security_plan": "-"}, "protocol.head"
    )
    for result in results:
        complete_named(
            ctx,
            instance_id,
            "run_sheet",
            {"run_sheet_text": "۹:۰۰ ورود", "master_of_ceremonies": "مجری"},
            "protocol.expert",
        )
        complete_named(ctx, instance_id, "rehearsal", {"rehearsal_result": result}, "protocol.head")


@pytest.fixture
def ctx(catalog):
    catalog.deploy(KEY)
    return catalog.context


def test_international_conference_runs_the_foreign_guest_branch_in_parallel(ctx, clock):
    instance = through_guest_list(ctx, international_guests=25)
    assert open_elements(ctx, instance.id) == ["gifts", "translators", "visas"]
    assert visible_to(ctx, "protocol.expert", instance.id) == ["gifts", "translators", "visas"]
    assert visible_to(ctx, "protocol.head", instance.id) == []
    complete_named(ctx, instance.id, "visas", {"visas_requested": 25, "visas_issued": 23}, "protocol.expert")
    complete_named(
        ctx, instance.id, "gifts", {"gift_items": "تابلو فرش", "gifts_cost": 90_000_000}, "protocol.expert"
    )
    assert open_elements(ctx, instance.id) == ["translators"]
    translators = {
        "languages": ["en", "zh"],
        "interpretation_mode": "simultaneous",
        "translators": "دو مترجم",
    }
    complete_named(ctx, instance.id, "translators", translators, "protocol.expert")

    assert open_elements(ctx, instance.id) == ["security", "venue"]
    assert task_named(ctx, instance.id, "security")["role"] == "protocol_head"
    venue_to_rehearsal(ctx, instance.id)
    assert open_elements(ctx, instance.id) == []
    assert data_of(ctx, instance.id)["event_status"] == "ready"

    move_clock(ctx, clock, 31)
    assert open_elements(ctx, instance.id) == ["hold_event"]
    complete_named(
        ctx,
        instance.id,
        "hold_event",
        {"actual_attendance": 380, "held_as_planned": "yes"},
        "protocol.expert",
    )
    complete_named(ctx, instance.id, "post_event_report", REPORT, "protocol.expert")
    complete_named(ctx, instance.id, "review_report", {"event_quality": "5"}, "protocol.head")
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed"
    assert shown["data"]["event_status"] == "held"
    assert shown["data"]["visas_issued"] == 23 and shown["data"]["languages"] == ["en", "zh"]


def test_domestic_ceremony_skips_the_foreign_guest_branch_and_rehearses_again(ctx):
    instance = through_guest_list(ctx, international_guests=0, event_kind="occasion")
    assert open_elements(ctx, instance.id) == ["security", "venue"]
    venue_to_rehearsal(ctx, instance.id, results=("fix", "fix", "fix"))
    assert open_elements(ctx, instance.id) == []
    assert data_of(ctx, instance.id)["rehearsal_rounds"] == 2


def test_declined_request_ends_at_once(ctx):
    instance = starting.start(ctx, KEY, request(), user="region05.manager", unit="region-05")
    assert visible_to(ctx, "protocol.head", instance.id) == ["review_request"]
    assert visible_to(ctx, "region05.manager", instance.id) == []
    complete_named(ctx, instance.id, "review_request", {"request_accepted": "no"}, "protocol.head")
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed" and shown["data"]["event_status"] == "declined"


def test_late_plan_is_escalated_to_the_head_and_late_guest_list_gets_a_follow_up(ctx, clock):
    instance = starting.start(ctx, KEY, request(days_ahead=60), user="protocol.head")
    complete_named(ctx, instance.id, "review_request", {"request_accepted": "yes"}, "protocol.head")
    move_clock(ctx, clock, 3)
    assert open_elements(ctx, instance.id) == ["plan_event"]
    move_clock(ctx, clock, 6)
    assert open_elements(ctx, instance.id) == ["plan_by_head"]
    complete_named(
        ctx, instance.id, "plan_by_head", {**PLAN, "approved_budget": 700_000_000}, "protocol.head"
    )
    assert open_elements(ctx, instance.id) == ["guest_list"]
    move_clock(ctx, clock, 6)
    assert open_elements(ctx, instance.id) == ["guest_list", "guest_list_followup"]
    complete_named(
        ctx,
        instance.id,
        "guest_list_followup",
        {"guest_list_followup_note": "فردا تحویل می‌شود"},
        "protocol.head",
    )
    assert open_elements(ctx, instance.id) == ["guest_list"]


def test_bad_guest_list_is_refused_and_nothing_is_saved(ctx):
    instance = starting.start(ctx, KEY, request(), user="protocol.expert")
    complete_named(ctx, instance.id, "review_request", {"request_accepted": "yes"}, "protocol.head")
    complete_named(ctx, instance.id, "plan_event", PLAN, "protocol.expert")
    complete_named(ctx, instance.id, "approve_plan", {"approved_budget": 1}, "protocol.head")
    guest_list = task_named(ctx, instance.id, "guest_list")
    with pytest.raises(InvalidData) as refused:
        tasks.complete(ctx, guest_list["id"], {"guests_count": 0, "vip_count": 1}, user="protocol.expert")
    assert set(refused.value.to_dict()["fields"]) == {"guests_count", "international_guests"}
    assert open_elements(ctx, instance.id) == ["guest_list"]
    assert "vip_count" not in data_of(ctx, instance.id)
