"""Notifications: who is told when a task arrives, is reassigned or falls overdue; reading them by
case. (Their e-mail: tests/unit/test_mail.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import NotFound
from engine.models import Delegation, Notification, Position, User, utcnow
from engine.notify import reading
from engine.runtime.jobs import run_due_jobs
from engine.runtime.starting import start
from engine.work import inbox, tasks


def notified(ctx, kind: str | None = None) -> list[tuple[str, str]]:
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(User.username, Notification.kind)
            .join(User, User.id == Notification.user_id)
            .order_by(User.username)
        ).all()
    return [tuple(r) for r in rows if kind is None or r[1] == kind]


def open_task(ctx, instance_id: int) -> dict:
    (task,) = inbox.list_tasks(ctx, inbox.TaskQuery(instance_id=instance_id))
    return task


def test_a_new_task_notifies_the_holders_of_its_role_in_its_unit(ctx, approval):
    start(ctx, "approval", {}, user="root", unit="region-01")
    assert notified(ctx) == [("alice", "task_arrived"), ("bob", "task_arrived")]


def test_a_substitute_is_notified_while_the_delegation_lasts(ctx, approval):
    with ctx.db.transaction() as session:
        dave = session.scalar(select(User).where(User.username == "dave"))
        carol = session.scalar(select(User).where(User.username == "carol"))
        position = session.scalar(select(Position).where(Position.user_id == dave.id))
        session.add(
            Delegation(
                position_id=position.id,
                substitute_id=carol.id,
                starts_at=utcnow() - timedelta(days=1),
                ends_at=utcnow() + timedelta(days=1),
            )
        )
    start(ctx, "approval", {}, user="root", unit="region-02")
    assert notified(ctx) == [("carol", "task_arrived"), ("dave", "task_arrived")]


def test_reassigning_and_falling_overdue_notify_the_assignee(ctx, approval):
    instance = start(ctx, "approval", {}, user="root", unit="region-01")
    task = open_task(ctx, instance.id)
    tasks.assign(ctx, task["id"], "bob", user="root", reason="alice is on leave")
    assert notified(ctx, "task_reassigned") == [("bob", "task_reassigned")]
    assert task["due_at"] is not None
    run_due_jobs(ctx, now=utcnow() + timedelta(days=30))
    assert notified(ctx, "task_overdue") == [("bob", "task_overdue")]


def test_reading_counting_and_marking_notices(ctx, approval):
    one = start(ctx, "approval", {}, user="root", unit="region-01")
    start(ctx, "approval", {}, user="root", unit="region-01")
    assert reading.unread_count(ctx, "alice") == 2
    first, second = reading.list_for(ctx, "alice")
    assert first["task_name"] == "ثبت درخواست" and first["task_open"] and not first["read"]
    assert reading.mark_read(ctx, "alice", second["id"]) == 1
    assert [n["id"] for n in reading.list_for(ctx, "alice", unread_only=True)] == [first["id"]]
    assert reading.mark_read(ctx, "alice") == 1
    assert reading.unread_count(ctx, "alice") == 0 and reading.unread_count(ctx, "bob") == 2
    with pytest.raises(NotFound):
        reading.mark_read(ctx, "dave", first["id"])
    assert reading.mark_read(ctx, "bob", instance_id=one.id) == 1
    assert reading.unread_count(ctx, "bob") == 1
    with pytest.raises(NotFound):
        reading.mark_read(ctx, "dave", instance_id=one.id)


def test_the_badge_counts_cases_and_the_page_groups_them(ctx, approval):
    """Two notices about one case (arrived, then reassigned) are one line and one on the badge."""
    other = start(ctx, "approval", {}, user="root", unit="region-01")
    instance = start(ctx, "approval", {}, user="root", unit="region-01")
    tasks.assign(ctx, open_task(ctx, instance.id)["id"], "bob", user="root", reason="on leave")
    assert len(reading.list_for(ctx, "bob", limit=100)) == 3
    assert reading.unread_count(ctx, "bob") == 2
    page = reading.notices_page(ctx, "bob", per_page=1)
    assert (page.total, page.pages, page.unread) == (2, 2, 2)
    (latest,) = page.groups
    assert latest["instance_id"] == instance.id and (latest["count"], latest["unread"]) == (2, 2)
    assert latest["kind"] == "task_reassigned"
    (older,) = reading.notices_page(ctx, "bob", page=2, per_page=1).groups
    assert older["instance_id"] == other.id and older["count"] == 1
    reading.mark_read(ctx, "bob", instance_id=instance.id)
    assert [g["instance_id"] for g in reading.notices_page(ctx, "bob", unread_only=True).groups] == [other.id]
    assert reading.unread_count(ctx, "bob") == 1
