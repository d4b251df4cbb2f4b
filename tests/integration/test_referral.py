"""Referral with a note (ارجاع با هامش) and copies (رونوشت), through the task page and the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, CaseCopy, HumanTask, Notification, User
from engine.runtime.starting import start
from tests.integration.support import LEAVE_CATALOG, client_of, text, token_for


@pytest.fixture
def app(make_app):
    return make_app(LEAVE_CATALOG)


def new_case(app, title="مرخصی ارجاعی") -> tuple[int, str]:
    ctx = app.extensions["ravand"]
    instance = start(ctx, "leave_request", {"title": title}, user="coord.expert")
    with ctx.db.read() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id))
    return instance.id, task_id


def task_row(app, task_id: str) -> HumanTask:
    with app.extensions["ravand"].db.read() as session:
        return session.get(HumanTask, task_id)


def notices_of(app, username: str) -> list[str]:
    with app.extensions["ravand"].db.read() as session:
        return list(
            session.scalars(
                select(Notification.kind)
                .join(User, User.id == Notification.user_id)
                .where(User.username == username)
            )
        )


def test_the_task_page_offers_colleagues_the_head_and_no_one_else(app):
    _, task_id = new_case(app)
    expert = client_of(app, "coord.expert")
    page = text(expert.get(f"/inbox/tasks/{task_id}"))
    assert 'id="referral"' in page
    choices = page[page.index('id="refer-to"') : page.index("</select>", page.index('id="refer-to"'))]
    assert 'value="coord.expert2"' in choices  # a colleague in the position
    assert 'value="coord.head"' in choices  # up: the head of the coordination department
    assert 'value="coord.expert"' not in choices  # never oneself
    assert 'value="social.head"' not in choices and 'value="deputy"' not in choices
    api = app.test_client()
    listed = api.get(
        f"/api/v1/tasks/{task_id}/referral-candidates", headers=token_for(app, "coord.expert")
    ).json
    assert {(c["username"], c["direction"]) for c in listed} == {
        ("coord.expert2", "colleague"),
        ("coord.head", "up"),
    }
    # A colleague from another department sees no such card: the task is not theirs.
    assert (
        app.test_client()
        .get(f"/api/v1/tasks/{task_id}/referral-candidates", headers=token_for(app, "social.expert"))
        .status_code
        == 404
    )


def test_referring_up_with_a_note_gives_the_head_the_task_and_keeps_the_note(app):
    instance_id, task_id = new_case(app)
    expert = client_of(app, "coord.expert")
    response = expert.post(
        f"/inbox/tasks/{task_id}/refer",
        data={"to": "coord.head", "note": "لطفاً پیش از تکمیل بررسی فرمایید", "copies": ["social.expert"]},
    )
    assert response.status_code == 302 and response.location.endswith("/inbox/")
    row = task_row(app, task_id)
    assert row.assignee == "coord.head" and row.state == "open"
    with app.extensions["ravand"].db.read() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "task_referred"))
    assert event.actor == "coord.expert" and event.instance_id == instance_id
    assert event.data == {
        "from": None,
        "to": "coord.head",
        "direction": "up",
        "note": "لطفاً پیش از تکمیل بررسی فرمایید",
        "copies": ["social.expert"],
    }
    assert "task_referred" in notices_of(app, "coord.head")
    assert "case_copied" in notices_of(app, "social.expert")
    head = client_of(app, "coord.head")
    page = text(head.get(f"/inbox/tasks/{task_id}"))
    assert "لطفاً پیش از تکمیل بررسی فرمایید" in page and "ارجاع شد" in page
    assert f"/inbox/tasks/{task_id}/complete" in page  # his form, to act on
    monitor = text(head.get(f"/monitor/instances/{instance_id}"))
    assert "لطفاً پیش از تکمیل بررسی فرمایید" in monitor
    # The expert handed it on: it is no longer theirs.
    assert expert.post(f"/inbox/tasks/{task_id}/draft", json={"data": {}}).status_code == 403
    # The head holds no expert position, yet the task referred to him by name is his to complete.
    done = head.post(
        f"/inbox/tasks/{task_id}/complete", json={"data": {"start_date": "۱۴۰۵/۱۰/۱۲", "days": "۳"}}
    )
    assert done.status_code == 200, text(done)
    assert task_row(app, task_id).completed_by == "coord.head"


def test_a_copy_reader_may_read_the_case_but_not_act(app):
    instance_id, task_id = new_case(app)
    client_of(app, "coord.expert").post(
        f"/inbox/tasks/{task_id}/refer", data={"note": "برای آگاهی", "copies": ["social.expert"]}
    )
    assert task_row(app, task_id).assignee is None  # only a copy: the task stays with its group
    with app.extensions["ravand"].db.read() as session:
        assert session.scalar(select(CaseCopy.task_id)) == task_id
    reader = client_of(app, "social.expert")
    page = text(reader.get(f"/inbox/tasks/{task_id}"))
    assert 'id="copy-reader"' in page and "برای آگاهی" in page
    assert 'id="referral"' not in page
    assert reader.post(f"/inbox/tasks/{task_id}/claim").status_code == 403
    assert reader.post(f"/inbox/tasks/{task_id}/complete", json={"data": {}}).status_code == 403
    assert reader.post(f"/inbox/tasks/{task_id}/draft", json={"data": {}}).status_code == 403
    assert reader.post(f"/inbox/tasks/{task_id}/comments", data={"body": "نظر"}).status_code == 403
    assert (
        reader.post(f"/inbox/tasks/{task_id}/refer", data={"note": "x", "to": "coord.head"}).status_code
        == 403
    )
    headers = token_for(app, "social.expert")
    api = app.test_client()
    assert api.get(f"/api/v1/tasks/{task_id}", headers=headers).status_code == 200
    assert api.get(f"/api/v1/instances/{instance_id}", headers=headers).status_code == 200
    assert (
        api.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {}}, headers=headers).status_code == 403
    )
    # Someone without a copy still finds nothing.
    stranger = token_for(app, "opinion.expert")
    assert api.get(f"/api/v1/tasks/{task_id}", headers=stranger).status_code == 404
    assert api.get(f"/api/v1/instances/{instance_id}", headers=stranger).status_code == 404


def test_the_api_refers_to_a_colleague_and_refuses_the_others(app):
    _, task_id = new_case(app)
    api = app.test_client()
    headers = token_for(app, "coord.expert")
    no_note = api.post(
        f"/api/v1/tasks/{task_id}/refer", json={"to": "coord.expert2", "note": " "}, headers=headers
    )
    assert no_note.status_code == 422 and "note" in no_note.json["fields"]
    outsider = api.post(
        f"/api/v1/tasks/{task_id}/refer", json={"to": "social.head", "note": "بررسی"}, headers=headers
    )
    assert outsider.status_code == 422 and "to" in outsider.json["fields"]
    unknown = api.post(
        f"/api/v1/tasks/{task_id}/refer", json={"note": "بررسی", "copies": ["nobody.here"]}, headers=headers
    )
    assert unknown.status_code == 422
    with app.extensions["ravand"].db.read() as session:
        assert session.scalar(select(CaseCopy.id)) is None  # nothing half-saved
        assert session.scalar(select(AuditEvent.id).where(AuditEvent.kind == "task_referred")) is None
    assert task_row(app, task_id).assignee is None
    done = api.post(
        f"/api/v1/tasks/{task_id}/refer", json={"to": "coord.expert2", "note": "نوبت شما"}, headers=headers
    )
    assert done.status_code == 200, done.json
    assert done.json["assignee"] == "coord.expert2" and done.json["assignee_name"] == "کارشناس دوم"
    # Only who works on the task may refer it: the expert no longer does.
    again = api.post(
        f"/api/v1/tasks/{task_id}/refer", json={"to": "coord.head", "note": "دوباره"}, headers=headers
    )
    assert again.status_code == 403
