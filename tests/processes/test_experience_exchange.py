"""SOCIAL-3: an experience-exchange session between citizens, social centres and trade groups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.calendar.jalali import tehran_today
from engine.cases import show
from engine.errors import InvalidData
from engine.runtime import starting
from tests.processes.conftest import (
    complete_named,
    move_clock,
    open_tasks,
    overdue_notices,
    visible_to,
)


def proposal(days_ahead: int = 10) -> dict:
    return {
        "exchange_topic": "تجربه سراهای محله در آموزش شهروندی",
        "exchange_goal": "گفت‌وگوی مدیران سراها، اصناف و شهروندان فعال درباره آموزش شهروندی",
        "participant_groups": ["citizens", "social_centres", "trade_groups"],
        "host_unit": "region-12",
        "session_date": (tehran_today() + timedelta(days=days_ahead)).isoformat(),
        "venue": "سرای محله بهارستان",
        "expected_participants": 60,
    }


INVITED = {
    "invited_organisations": "سراهای محله منطقه ۱۲، اتحادیه صنف کتاب",
    "invited_count": 40,
    "confirmed_count": 25,
}
VENUE = {"venue_ready": "yes", "venue_details": "سالن اجتماعات، ۸۰ صندلی"}
REPORT = {"attendees_count": 31, "shared_experiences": "سه سرای محله تجربه کلاس‌های مشترک با اصناف را گفتند."}


@pytest.fixture
def exchange(catalog):
    catalog.deploy("experience_exchange")
    return catalog.context


def propose(ctx, **changes) -> int:
    return starting.start(ctx, "experience_exchange", {**proposal(), **changes}, user="social.expert").id


def test_session_prepared_in_parallel_held_on_its_day_and_reported(exchange, clock):
    instance_id = propose(exchange)
    complete_named(exchange, instance_id, "approve_session", {"exchange_decision": "approve"}, "social.head")
    assert sorted(t["element_id"] for t in open_tasks(exchange, instance_id)) == ["invite", "prepare_venue"]
    assert visible_to(exchange, "region12.manager", instance_id) == ["prepare_venue"]
    assert visible_to(exchange, "region01.manager", instance_id) == []
    assert visible_to(exchange, "social.expert", instance_id) == ["invite"]
    complete_named(exchange, instance_id, "prepare_venue", VENUE, "region12.manager")
    complete_named(exchange, instance_id, "invite", INVITED, "social.expert")

    assert open_tasks(exchange, instance_id) == []
    move_clock(exchange, clock, 5)
    assert open_tasks(exchange, instance_id) == []
    move_clock(exchange, clock, 6)
    complete_named(exchange, instance_id, "hold_session", REPORT, "social.expert")
    complete_named(exchange, instance_id, "approve_report", {"publish_report": True}, "social.head")
    shown = show.show(exchange, instance_id)
    assert shown["status"] == "completed"
    assert shown["data"]["outcome"] == "held" and shown["data"]["publish_report"] is True
    assert (shown["data"]["confirmed_count"], shown["data"]["venue_ready"]) == (25, "yes")


def test_unready_session_goes_to_the_head_who_may_cancel(exchange):
    instance_id = propose(exchange)
    complete_named(exchange, instance_id, "approve_session", {"exchange_decision": "approve"}, "social.head")
    complete_named(exchange, instance_id, "prepare_venue", dict(VENUE, venue_ready="no"), "region12.manager")
    complete_named(exchange, instance_id, "invite", INVITED, "social.expert")
    assert visible_to(exchange, "social.head", instance_id) == ["decide_readiness"]
    complete_named(exchange, instance_id, "decide_readiness", {"readiness_decision": "cancel"}, "social.head")
    shown = show.show(exchange, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "cancelled"


def test_few_confirmations_held_anyway_on_the_head_s_word(exchange, clock):
    instance_id = propose(exchange, session_date=tehran_today().isoformat())
    complete_named(exchange, instance_id, "approve_session", {"exchange_decision": "approve"}, "social.head")
    complete_named(exchange, instance_id, "prepare_venue", VENUE, "region12.manager")
    complete_named(exchange, instance_id, "invite", dict(INVITED, confirmed_count=3), "social.expert")
    complete_named(exchange, instance_id, "decide_readiness", {"readiness_decision": "hold"}, "social.head")
    move_clock(exchange, clock, 1)
    assert visible_to(exchange, "social.expert", instance_id) == ["hold_session"]


def test_rejected_proposal_ends_and_bad_counts_are_refused(exchange):
    instance_id = propose(exchange)
    with pytest.raises(InvalidData):
        complete_named(
            exchange, instance_id, "approve_session", {"exchange_decision": "later"}, "social.head"
        )
    complete_named(exchange, instance_id, "approve_session", {"exchange_decision": "reject"}, "social.head")
    assert show.show(exchange, instance_id)["data"]["outcome"] == "cancelled"

    other_id = propose(exchange)
    complete_named(exchange, other_id, "approve_session", {"exchange_decision": "approve"}, "social.head")
    with pytest.raises(InvalidData) as refused:
        complete_named(exchange, other_id, "invite", dict(INVITED, confirmed_count=-4), "social.expert")
    assert set(refused.value.field_errors) == {"confirmed_count"}
    assert "confirmed_count" not in show.show(exchange, other_id)["data"]


def test_late_preparation_reminds_the_host_region_and_the_expert(exchange, clock):
    instance_id = propose(exchange, days_ahead=30)
    complete_named(exchange, instance_id, "approve_session", {"exchange_decision": "approve"}, "social.head")
    move_clock(exchange, clock, 10)
    assert overdue_notices(exchange, "region12.manager") == ["آماده‌سازی محل نشست"]
    assert overdue_notices(exchange, "social.expert") == ["دعوت از شرکت‌کنندگان"]
    assert overdue_notices(exchange, "region01.manager") == []
