"""OPINION-3: a think-tank session: topic, experts invited, session held, recommendations to the deputy."""

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


def topic(days_ahead: int = 8) -> dict:
    return {
        "session_topic": "کاهش نارضایتی از طرح ترافیک",
        "problem_statement": "افکارسنجی اخیر نارضایتی ساکنان محدوده طرح ترافیک را نشان می‌دهد.",
        "expertise_fields": ["transport", "sociology", "media"],
        "session_date": (tehran_today() + timedelta(days=days_ahead)).isoformat(),
        "session_format": "in_person",
    }


MINUTES = {
    "attendees": 7,
    "session_minutes": "صاحب‌نظران درباره اطلاع‌رسانی پیش از اجرای طرح‌ها بحث کردند.",
    "recommendations": "۱. اطلاع‌رسانی یک ماه پیش از اجرا ۲. نشست با کسبه",
    "recommendation_count": 2,
}


@pytest.fixture
def think_tank(catalog):
    catalog.deploy("think_tank")
    return catalog.context


def propose(ctx, days_ahead: int = 8) -> int:
    return starting.start(ctx, "think_tank", topic(days_ahead), user="opinion.expert").id


def test_session_held_on_its_day_and_recommendations_go_to_the_deputy(think_tank, clock):
    instance_id = propose(think_tank)
    assert visible_to(think_tank, "opinion.head", instance_id) == ["review_topic"]
    complete_named(think_tank, instance_id, "review_topic", {"topic_decision": "approve"}, "opinion.head")
    complete_named(
        think_tank,
        instance_id,
        "invite_experts",
        {"invited_experts": "دکتر الف، دکتر ب", "confirmed_experts": 2},
        "opinion.expert",
    )
    assert visible_to(think_tank, "opinion.expert", instance_id) == ["invite_experts"]
    complete_named(
        think_tank,
        instance_id,
        "invite_experts",
        {"invited_experts": "دکتر ج، دکتر د", "confirmed_experts": 5},
        "opinion.expert",
    )

    assert open_tasks(think_tank, instance_id) == []
    move_clock(think_tank, clock, 9)
    complete_named(think_tank, instance_id, "hold_session", MINUTES, "opinion.expert")
    review = {"recommendations_final": "اطلاع‌رسانی پیشگیرانه و نشست با کسبه", "send_to_deputy": True}
    complete_named(think_tank, instance_id, "review_recommendations", review, "opinion.head")
    assert visible_to(think_tank, "deputy", instance_id) == ["deputy_decision"]
    assert visible_to(think_tank, "opinion.head", instance_id) == []
    complete_named(
        think_tank,
        instance_id,
        "deputy_decision",
        {"adoption": "some", "deputy_referral": "معاونت حمل‌ونقل"},
        "deputy",
    )
    shown = show.show(think_tank, instance_id)
    assert shown["status"] == "completed"
    assert (shown["data"]["outcome"], shown["data"]["adoption"], shown["data"]["invite_rounds"]) == (
        "held",
        "some",
        2,
    )


def test_recommendations_archived_without_the_deputy(think_tank, clock):
    instance_id = propose(think_tank, days_ahead=0)
    complete_named(think_tank, instance_id, "review_topic", {"topic_decision": "approve"}, "opinion.head")
    complete_named(
        think_tank,
        instance_id,
        "invite_experts",
        {"invited_experts": "پنج استاد دانشگاه", "confirmed_experts": 5},
        "opinion.expert",
    )
    move_clock(think_tank, clock, 1)
    complete_named(think_tank, instance_id, "hold_session", MINUTES, "opinion.expert")
    complete_named(
        think_tank,
        instance_id,
        "review_recommendations",
        {"recommendations_final": "بایگانی برای برنامه سال آینده"},
        "opinion.head",
    )
    shown = show.show(think_tank, instance_id)
    assert shown["status"] == "completed" and "adoption" not in shown["data"]


def test_no_quorum_after_two_rounds_cancels_and_rejected_topic_ends(think_tank):
    instance_id = propose(think_tank)
    complete_named(think_tank, instance_id, "review_topic", {"topic_decision": "approve"}, "opinion.head")
    for _ in range(2):
        complete_named(
            think_tank,
            instance_id,
            "invite_experts",
            {"invited_experts": "یک نفر", "confirmed_experts": 1},
            "opinion.expert",
        )
    shown = show.show(think_tank, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "cancelled"

    other_id = propose(think_tank)
    complete_named(think_tank, other_id, "review_topic", {"topic_decision": "reject"}, "opinion.head")
    assert show.show(think_tank, other_id)["data"]["outcome"] == "cancelled"


def test_minutes_need_at_least_one_recommendation(think_tank, clock):
    instance_id = propose(think_tank, days_ahead=0)
    complete_named(think_tank, instance_id, "review_topic", {"topic_decision": "approve"}, "opinion.head")
    complete_named(
        think_tank,
        instance_id,
        "invite_experts",
        {"invited_experts": "سه استاد", "confirmed_experts": 3},
        "opinion.expert",
    )
    move_clock(think_tank, clock, 1)
    with pytest.raises(InvalidData) as refused:
        complete_named(
            think_tank, instance_id, "hold_session", dict(MINUTES, recommendation_count=0), "opinion.expert"
        )
    assert set(refused.value.field_errors) == {"recommendation_count"}
    assert [t["element_id"] for t in open_tasks(think_tank, instance_id)] == ["hold_session"]


def test_late_invitations_remind_the_expert(think_tank, clock):
    instance_id = propose(think_tank)
    complete_named(think_tank, instance_id, "review_topic", {"topic_decision": "approve"}, "opinion.head")
    move_clock(think_tank, clock, 3)
    assert overdue_notices(think_tank, "opinion.expert") == []
    move_clock(think_tank, clock, 7)
    assert overdue_notices(think_tank, "opinion.expert") == ["دعوت از صاحب‌نظران"]
    assert overdue_notices(think_tank, "social.expert") == []
