"""OPINION-1: weekly monitoring; the severity table files, follows up or escalates to crisis communication."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.cases import show
from engine.errors import InvalidData
from engine.models import Job, ProcessInstance
from engine.work import tasks
from engine.work.inbox import TaskQuery, list_tasks
from tests.processes.conftest import move_clock, open_tasks, overdue_notices, task_named

REPORT = {
    "monitoring_sources": ["social_media", "call_center_137"],
    "monitored_group": "public",
    "top_issue": "گلایه از قطع درختان خیابان ولیعصر",
    "issue_summary": "کاربران شبکه‌های اجتماعی تصاویر قطع درختان را دست‌به‌دست می‌کنند.",
    "sentiment": "negative",
    "reach": 20000,
    "trend": "stable",
}


@pytest.fixture
def monitoring(catalog):
    catalog.deploy("opinion_monitoring")
    return catalog.context


def weekly_rounds(ctx) -> list[int]:
    with ctx.db.transaction() as session:
        return list(
            session.scalars(
                select(ProcessInstance.id)
                .where(ProcessInstance.process_key == "opinion_monitoring")
                .order_by(ProcessInstance.id)
            )
        )


def first_round(ctx, clock) -> int:
    move_clock(ctx, clock, 7.1)
    (instance_id,) = weekly_rounds(ctx)
    return instance_id


def report(ctx, instance_id: int, **changes) -> dict:
    monitor = task_named(ctx, instance_id, "monitor")
    tasks.complete(ctx, monitor["id"], dict(REPORT, **changes), user="opinion.expert")
    return show.show(ctx, instance_id)


def test_a_round_starts_every_week(monitoring, clock):
    with monitoring.db.transaction() as session:
        (job,) = session.scalars(select(Job).where(Job.kind == "timer_start")).all()
        assert job.element_id == "weekly"
    move_clock(monitoring, clock, 3)
    assert weekly_rounds(monitoring) == []
    instance_id = first_round(monitoring, clock)
    monitor = task_named(monitoring, instance_id, "monitor")
    assert monitor["role"] == "opinion_expert"
    mine = [t["instance_id"] for t in list_tasks(monitoring, TaskQuery(user="opinion.expert"))]
    assert mine == [instance_id]
    assert list_tasks(monitoring, TaskQuery(user="social.expert")) == []
    move_clock(monitoring, clock, 7)
    assert len(weekly_rounds(monitoring)) == 2


def test_quiet_week_is_filed(monitoring, clock):
    instance_id = first_round(monitoring, clock)
    shown = report(monitoring, instance_id, sentiment="positive", reach=500000, trend="rising")
    assert (shown["status"], shown["data"]["severity"], shown["data"]["outcome"]) == (
        "completed",
        "low",
        "filed",
    )


def test_medium_issue_goes_to_the_head(monitoring, clock):
    instance_id = first_round(monitoring, clock)
    shown = report(monitoring, instance_id)
    assert shown["data"]["severity"] == "medium"
    follow_up = task_named(monitoring, instance_id, "follow_up")
    assert follow_up["role"] == "opinion_head"
    assert [t["element_id"] for t in list_tasks(monitoring, TaskQuery(user="opinion.head"))] == ["follow_up"]
    tasks.complete(monitoring, follow_up["id"], {"followup_action": "notify_unit"}, user="opinion.head")
    shown = show.show(monitoring, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "followed_up"


@pytest.mark.parametrize(
    ("reach", "trend", "severity"),
    [(200000, "stable", "high"), (200000, "rising", "critical"), (2000000, "falling", "critical")],
)
def test_severe_issue_is_handed_to_crisis_communication(monitoring, clock, reach, trend, severity):
    instance_id = first_round(monitoring, clock)
    shown = report(monitoring, instance_id, reach=reach, trend=trend)
    assert shown["status"] == "running"
    assert shown["data"]["severity"] == severity
    assert shown["data"]["crisis_topic"] == REPORT["top_issue"]
    assert shown["data"]["source"] == "opinion_monitoring"
    crisis_tasks = open_tasks(monitoring, instance_id)
    assert crisis_tasks and all(t["process_key"] == "opinion_monitoring" for t in crisis_tasks)
    assert "follow_up" not in [t["element_id"] for t in crisis_tasks]
    assert [(t["element_id"], t["role"]) for t in crisis_tasks] == [("activate_team", "deputy")]


def test_negative_reach_is_refused(monitoring, clock):
    instance_id = first_round(monitoring, clock)
    monitor = task_named(monitoring, instance_id, "monitor")
    with pytest.raises(InvalidData) as refused:
        tasks.complete(
            monitoring, monitor["id"], dict(REPORT, reach=-5, sentiment="angry"), user="opinion.expert"
        )
    assert set(refused.value.field_errors) == {"reach", "sentiment"}
    assert task_named(monitoring, instance_id, "monitor")["id"] == monitor["id"]
    assert "severity" not in show.show(monitoring, instance_id)["data"]


def test_weekly_report_not_written_in_two_working_days_reminds_the_expert(monitoring, clock):
    first_round(monitoring, clock)
    move_clock(monitoring, clock, 5)
    assert overdue_notices(monitoring, "opinion.expert") == ["رصد هفتگی و ثبت موضوع اصلی"]
    assert overdue_notices(monitoring, "opinion.head") == []
