"""SOCIAL-3: an experience-exchange session between citizens, social centres and trade groups."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine import instances, notifications, tasks
from engine.errors import InvalidData
from engine.tasks import TaskQuery, list_tasks
from tests.processes.conftest import move_clock, open_tasks, task_named


def proposal(days_ahead: int = 10) -> dict:
    return {
        "exchange_topic": "تجربه سراهای محله در آموزش شهروندی",
        "exchange_goal": "گفت‌وگوی مدیران سراها، اصناف و شهروندان فعال درباره آموزش شهروندی",
        "participant_groups": ["citizens", "social_centres", "trade_groups"],
        "host_unit": "region-12",
        "session_date": (date.today() + timedelta(days=days_ahead)).isoformat(),
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
    return instances.start(ctx, "experience_exchange", {**proposal(), **changes}, user="social.expert").id


def do(ctx, instance_id: int, element: str, data: dict, user: str) -> dict:
    return tasks.complete(ctx, task_named(ctx, instance_id, element)["id"], data, user=user)


def visible_to(ctx, user: str, instance_id: int) -> list[str]:
    return [t["element_id"] for t in list_tasks(ctx, TaskQuery(user=user)) if t["instance_id"] == instance_id]


def overdue_notices(ctx, user: str) -> list[str]:
    return [n["task_name"] for n in notifications.list_for(ctx, user) if n["kind"] == "task_overdue"]


def test_session_prepared_in_parallel_held_on_its_day_and_reported(exchange, clock):
    instance_id = propose(exchange)
    do(exchange, instance_id, "approve_session", {"exchange_decision": "approve"}, "social.head")
    assert sorted(t["element_id"] for t in open_tasks(exchange, instance_id)) == ["invite", "prepare_venue"]
    assert visible_to(exchange, "region12.manager", instance_id) == ["prepare_venue"]
    assert visible_to(exchange, "region01.manager", instance_id) == []
    assert visible_to(exchange, "social.expert", instance_id) == ["invite"]
    do(exchange, instance_id, "prepare_venue", VENUE, "region12.manager")
    do(exchange, instance_id, "invite", INVITED, "social.expert")

    assert open_tasks(exchange, instance_id) == []
    move_clock(exchange, clock, 5)
    assert open_tasks(exchange, instance_id) == []
    move_clock(exchange, clock, 6)
    do(exchange, instance_id, "hold_session", REPORT, "social.expert")
    do(exchange, instance_id, "approve_report", {"publish_report": True}, "social.head")
    shown = instances.show(exchange, instance_id)
    assert shown["status"] == "completed"
    assert shown["data"]["outcome"] == "held" and shown["data"]["publish_report"] is True
    assert (shown["data"]["confirmed_count"], shown["data"]["venue_ready"]) == (25, "yes")


def test_unready_session_goes_to_the_head_who_may_cancel(exchange):
    instance_id = propose(exchange)
    do(exchange, instance_id, "approve_session", {"exchange_decision": "approve"}, "social.head")
    do(exchange, instance_id, "prepare_venue", dict(VENUE, venue_ready="no"), "region12.manager")
    do(exchange, instance_id, "invite", INVITED, "social.expert")
    assert visible_to(exchange, "social.head", instance_id) == ["decide_readiness"]
    do(exchange, instance_id, "decide_readiness", {"readiness_decision": "cancel"}, "social.head")
    shown = instances.show(exchange, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "cancelled"


def test_few_confirmations_held_anyway_on_the_head_s_word(exchange, clock):
    instance_id = propose(exchange, session_date=date.today().isoformat())
    do(exchange, instance_id, "approve_session", {"exchange_decision": "approve"}, "social.head")
    do(exchange, instance_id, "prepare_venue", VENUE, "region12.manager")
    do(exchange, instance_id, "invite", dict(INVITED, confirmed_count=3), "social.expert")
    do(exchange, instance_id, "decide_readiness", {"readiness_decision": "hold"}, "social.head")
    move_clock(exchange, clock, 1)
    assert visible_to(exchange, "social.expert", instance_id) == ["hold_session"]


def test_rejected_proposal_ends_and_bad_counts_are_refused(exchange):
    instance_id = propose(exchange)
    with pytest.raises(InvalidData):
        do(exchange, instance_id, "approve_session", {"exchange_decision": "later"}, "social.head")
    do(exchange, instance_id, "approve_session", {"exchange_decision": "reject"}, "social.head")
    assert instances.show(exchange, instance_id)["data"]["outcome"] == "cancelled"

    other_id = propose(exchange)
    do(exchange, other_id, "approve_session", {"exchange_decision": "approve"}, "social.head")
    with pytest.raises(InvalidData) as refused:
        do(exchange, other_id, "invite", dict(INVITED, confirmed_count=-4), "social.expert")
    assert set(refused.value.field_errors) == {"confirmed_count"}
    assert "confirmed_count" not in instances.show(exchange, other_id)["data"]


def test_late_preparation_reminds_the_host_region_and_the_expert(exchange, clock):
    instance_id = propose(exchange, days_ahead=30)
    do(exchange, instance_id, "approve_session", {"exchange_decision": "approve"}, "social.head")
    move_clock(exchange, clock, 10)
    assert overdue_notices(exchange, "region12.manager") == ["آماده‌سازی محل نشست"]
    assert overdue_notices(exchange, "social.expert") == ["دعوت از شرکت‌کنندگان"]
    assert overdue_notices(exchange, "region01.manager") == []
