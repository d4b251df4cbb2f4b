"""Notifications people can use: by case, paged, mark all read, settings, the daily digest, and a
group task that does not message each of its holders."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.models import HumanTask, Job, Notification, User
from engine.notify import digest
from engine.runtime.jobs import run_due_jobs
from engine.runtime.starting import start
from engine.work import referral, tasks
from tests.integration.support import LEAVE_CATALOG, client_of, text, token_for


@pytest.fixture
def app(make_app):
    return make_app(LEAVE_CATALOG)


def new_cases(app, n: int) -> list[str]:
    """``n`` leave requests: each a group task of the coordination experts. Returns their task ids."""
    ctx = app.extensions["ravand"]
    ids = []
    for i in range(n):
        instance = start(ctx, "leave_request", {"title": f"مرخصی {i:02d}"}, user="coord.expert")
        with ctx.db.read() as session:
            ids.append(session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id)))
    return ids


def jobs(app, kind: str) -> list[Job]:
    with app.extensions["ravand"].db.read() as session:
        return list(session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))


def test_the_page_lists_cases_paged_and_the_badge_counts_them(app):
    ids = new_cases(app, 23)
    ctx = app.extensions["ravand"]
    tasks.assign(ctx, ids[0], "coord.expert2", user="admin", reason="turn")  # a second notice, same case
    colleague = client_of(app, "coord.expert2")
    first = text(colleague.get("/inbox/notifications/"))
    assert first.count('name="instance_id"') == 20  # a page of cases, not one line per notice
    assert "۲۳ پرونده با خبر تازه، ۲۳ خوانده‌نشده" in first
    assert "مرخصی 00" in first and "۲ اعلان" in first  # the reassigned case, on top, with its two notices
    second = text(colleague.get("/inbox/notifications/?page=2"))
    assert second.count('name="instance_id"') == 3 and "مرخصی 00" not in second
    badge = app.test_client().get(
        "/api/v1/notifications/unread-count", headers=token_for(app, "coord.expert2")
    )
    assert badge.json == {"unread": 23}
    grouped = (
        app.test_client()
        .get("/api/v1/notifications/cases?per_page=5&page=1", headers=token_for(app, "coord.expert2"))
        .json
    )
    assert (grouped["total"], grouped["pages"], grouped["unread"]) == (23, 5, 23)
    assert grouped["items"][0]["count"] == 2 and grouped["items"][0]["kind"] == "task_reassigned"
    # Opening a case's line reads all its notices; "mark all read" the rest.
    top = re.search(r'action="/inbox/notifications/(\d+)"', first).group(1)
    colleague.post(
        f"/inbox/notifications/{top}",
        data={"task_id": ids[0], "instance_id": grouped["items"][0]["instance_id"]},
    )
    assert "۲۲ خوانده‌نشده" in text(colleague.get("/inbox/notifications/"))
    done = colleague.post("/inbox/notifications/read", follow_redirects=True)
    assert "۲۲ اعلان خوانده‌شده علامت خورد" in text(done)
    assert 'name="instance_id"' not in text(colleague.get("/inbox/notifications/?unread=1"))
    assert app.test_client().get(
        "/api/v1/notifications/unread-count", headers=token_for(app, "coord.expert2")
    ).json == {"unread": 0}


def test_settings_are_validated_and_saved(app):
    api = app.test_client()
    headers = token_for(app, "coord.expert")
    bad = api.put(
        "/api/v1/notification-settings",
        json={"mode": "daily", "channel": "sms", "mobile": "12345"},
        headers=headers,
    )
    assert bad.status_code == 422 and "mobile" in bad.json["fields"]
    assert "۰۹xxxxxxxxx" in bad.json["fields"]["mobile"]
    missing = api.put(
        "/api/v1/notification-settings", json={"mode": "daily", "channel": "sms"}, headers=headers
    )
    assert missing.status_code == 422
    unknown = api.put(
        "/api/v1/notification-settings", json={"mode": "hourly", "channel": "pigeon"}, headers=headers
    )
    assert unknown.status_code == 422 and {"mode", "channel"} <= set(unknown.json["fields"])
    saved = api.put(
        "/api/v1/notification-settings",
        json={"mode": "daily", "channel": "sms", "mobile": "۰۹۱۲ ۳۴۵ ۶۷۸۹"},
        headers=headers,
    )
    assert saved.status_code == 200 and saved.json["mobile"] == "09123456789"
    assert api.get("/api/v1/notification-settings", headers=headers).json["mode"] == "daily"
    page = client_of(app, "coord.expert")
    response = page.post(
        "/inbox/notifications/settings", data={"mode": "off", "channel": "email"}, follow_redirects=True
    )
    assert "تنظیمات اعلان شما ذخیره شد" in text(response)
    assert api.get("/api/v1/notification-settings", headers=headers).json["mode"] == "off"


def _sms(app, username: str, mode: str, mobile: str) -> None:
    response = app.test_client().put(
        "/api/v1/notification-settings",
        json={"mode": mode, "channel": "sms", "mobile": mobile},
        headers=token_for(app, username),
    )
    assert response.status_code == 200, response.json


def test_a_group_task_is_not_texted_to_each_holder_but_a_referral_is_sent_at_once(app):
    _sms(app, "coord.expert2", "immediate", "09120000002")
    _sms(app, "coord.head", "daily", "09120000003")
    (task_id,) = new_cases(app, 1)
    assert jobs(app, "sms") == []  # a group task: in the app for both experts, nothing sent
    ctx = app.extensions["ravand"]
    referral.refer(ctx, task_id, "coord.expert", "لطفاً رسیدگی شود", to="coord.expert2")
    (sms,) = jobs(app, "sms")
    assert sms.payload["receptor"] == "09120000002"
    assert "ارجاع شد" in sms.payload["message"] and "لطفاً رسیدگی شود" in sms.payload["message"]
    referral.refer(ctx, task_id, "coord.expert2", "برای تأیید", to="coord.head")
    assert len(jobs(app, "sms")) == 1  # the head chose the daily digest: nothing at once


def test_the_daily_digest_sends_one_message_per_user_and_schedules_the_next(app, clock):
    _sms(app, "coord.expert2", "daily", "09120000002")
    ctx = app.extensions["ravand"]
    with ctx.db.transaction() as session:
        session.scalar(select(User).where(User.username == "coord.expert")).email = "coord@tehran.ir"
    new_cases(app, 3)
    digest.schedule_digest(ctx)
    digest.schedule_digest(ctx)  # once is enough
    (waiting,) = jobs(app, "digest")
    assert waiting.due_at == digest.next_digest_at(clock.now()) and waiting.due_at > clock.now()
    clock.advance(timedelta(days=1))
    run_due_jobs(ctx)  # the digest queues its messages ...
    assert [j.payload["receptor"] for j in jobs(app, "sms")] == ["09120000002"]
    assert [j.payload["to"] for j in jobs(app, "email")] == ["coord@tehran.ir"]
    clock.advance(timedelta(seconds=1))
    run_due_jobs(ctx)  # ... and the queue sends them (to the log: no gateway is configured)
    # One text for coord.expert2 (three cases), one e-mail for coord.expert; both sent by the queue.
    with ctx.db.read() as session:
        assert session.scalar(select(Job.id).where(Job.kind.in_(["sms", "email"]))) is None
        unsent = session.scalar(select(Notification.id).where(Notification.sent_at.is_(None)))
        assert unsent is None
    (following,) = jobs(app, "digest")
    assert following.due_at > clock.now()


def test_the_digest_message_lists_the_cases(app, clock):
    _sms(app, "coord.expert2", "daily", "09120000002")
    ctx = app.extensions["ravand"]
    with ctx.db.transaction() as session:
        session.scalar(select(User).where(User.username == "coord.expert")).email = "coord@tehran.ir"
        session.scalar(select(User).where(User.username == "coord.head")).email = "head@tehran.ir"
    new_cases(app, 2)
    with ctx.db.transaction() as session:
        assert digest.send_digests(session, clock.now()) == 2  # the two experts; the head was told nothing
    (sms,) = jobs(app, "sms")
    assert sms.payload == {"receptor": "09120000002", "message": "روند: ۲ پرونده در کارتابل شما"}
    (mail,) = jobs(app, "email")
    assert (
        mail.payload["to"] == "coord@tehran.ir" and mail.payload["subject"] == "روند: ۲ پرونده در کارتابل شما"
    )
    assert "مرخصی ۰۰ (۱ اعلان)" in mail.payload["body"] and "مرخصی ۰۱" in mail.payload["body"]
    with ctx.db.transaction() as session:
        assert digest.send_digests(session, clock.now()) == 0  # nothing new since
