"""A delegation that ends cleanly: what the substitute took through it goes back to the holder's group."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import NotFound
from engine.models import AuditEvent, Delegation, HumanTask, Job, Notification, Position, Role, User
from engine.org import administration
from engine.runtime.jobs import run_due_jobs
from engine.runtime.starting import start
from engine.work import tasks
from tests.integration.support import LEAVE_CATALOG, NOW, client_of, text, token_for


@pytest.fixture
def app(make_app):
    return make_app(LEAVE_CATALOG)


@pytest.fixture
def approval(app, clock):
    """The head's approval of a leave request, and the head's position delegated to coord.expert2
    from an hour ago to a day from now."""
    ctx = app.extensions["ravand"]
    instance = start(ctx, "leave_request", {"title": "مرخصی در تفویض"}, user="coord.expert")
    with ctx.db.transaction() as session:
        fill = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id))
        head = session.scalar(select(User).where(User.username == "coord.head"))
        position = session.scalar(
            select(Position).join(Role).where(Position.user_id == head.id, Role.code == "coord_head")
        )
        substitute = session.scalar(select(User.id).where(User.username == "coord.expert2"))
        delegation = Delegation(
            position_id=position.id,
            substitute_id=substitute,
            starts_at=NOW - timedelta(hours=1),
            ends_at=NOW + timedelta(days=1),
        )
        session.add(delegation)
        session.flush()
        delegation_id = delegation.id
    tasks.complete(ctx, fill, {"start_date": "۱۴۰۵/۱۰/۱۲", "days": "۳"}, user="coord.expert")
    with ctx.db.read() as session:
        task_id = session.scalar(
            select(HumanTask.id).where(HumanTask.instance_id == instance.id, HumanTask.state == "open")
        )
    return task_id, delegation_id


def row(app, task_id: str) -> HumanTask:
    with app.extensions["ravand"].db.read() as session:
        return session.get(HumanTask, task_id)


def test_a_claim_through_a_delegation_lapses_when_it_ends(app, clock, approval):
    task_id, delegation_id = approval
    ctx = app.extensions["ravand"]
    substitute = client_of(app, "coord.expert2")
    assert substitute.post(f"/inbox/tasks/{task_id}/claim").status_code == 302
    claimed = row(app, task_id)
    assert claimed.assignee == "coord.expert2" and claimed.delegation_id == delegation_id
    with ctx.db.read() as session:
        (job,) = session.scalars(select(Job).where(Job.kind == "delegation_end")).all()
        assert job.due_at == NOW + timedelta(days=1) and job.payload == {"delegation": delegation_id}
    assert substitute.post(f"/inbox/tasks/{task_id}/draft", json={"data": {}}).status_code == 200
    assert task_id in text(substitute.get("/inbox/"))

    clock.advance(timedelta(days=1, minutes=1))
    # At once, before any job ran: the substitute may no longer act on it, the holder may take it.
    assert substitute.post(f"/inbox/tasks/{task_id}/draft", json={"data": {}}).status_code == 403
    headers = token_for(app, "coord.expert2")
    refused = app.test_client().post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": {"decision": "approved"}}, headers=headers
    )
    assert refused.status_code == 403
    assert task_id not in text(substitute.get("/inbox/"))  # no longer among "my tasks"

    run_due_jobs(ctx)
    released = row(app, task_id)
    assert released.assignee is None and released.delegation_id is None and released.state == "open"
    with ctx.db.read() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "task_released"))
        assert event.data == {"from": "coord.expert2", "delegation": delegation_id}
        returned = session.scalars(
            select(User.username)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.kind == "task_returned")
        ).all()
        assert returned == ["coord.head"]
        assert session.scalar(select(Job.id).where(Job.kind == "delegation_end")) is None
    # The substitute finds nothing any more; the holder sees it in his group's tasks and takes it.
    assert substitute.get(f"/inbox/tasks/{task_id}").status_code == 404
    assert (
        app.test_client()
        .post(f"/api/v1/tasks/{task_id}/complete", json={"data": {}}, headers=headers)
        .status_code
        == 404
    )
    head = client_of(app, "coord.head")
    assert task_id in text(head.get("/inbox/?view=group"))
    assert head.post(f"/inbox/tasks/{task_id}/claim").status_code == 302
    assert row(app, task_id).assignee == "coord.head" and row(app, task_id).delegation_id is None


def test_the_holder_may_take_back_a_lapsed_claim_before_the_job_runs(app, clock, approval):
    task_id, _ = approval
    ctx = app.extensions["ravand"]
    tasks.claim(ctx, task_id, "coord.expert2")
    clock.advance(timedelta(days=2))
    taken = tasks.claim(ctx, task_id, "coord.head")
    assert taken["assignee"] == "coord.head"
    assert row(app, task_id).delegation_id is None
    run_due_jobs(ctx)  # the end job finds nothing left to release
    assert row(app, task_id).assignee == "coord.head"


def test_revoking_a_delegation_gives_its_tasks_back_at_once(app, clock, approval):
    task_id, delegation_id = approval
    ctx = app.extensions["ravand"]
    tasks.claim(ctx, task_id, "coord.expert2")
    ended = administration.end_delegation(ctx, "admin", delegation_id)
    assert ended["tasks_released"] == 1
    assert row(app, task_id).assignee is None
    with pytest.raises(NotFound):
        tasks.complete(ctx, task_id, {"decision": "approved"}, user="coord.expert2")


def test_a_task_given_to_the_holder_himself_is_untouched(app, clock, approval):
    """Only claims made through the delegation lapse: the holder's own claim stays his."""
    task_id, _ = approval
    ctx = app.extensions["ravand"]
    tasks.claim(ctx, task_id, "coord.head")
    assert row(app, task_id).delegation_id is None
    clock.advance(timedelta(days=2))
    run_due_jobs(ctx)
    assert row(app, task_id).assignee == "coord.head"
    assert (
        client_of(app, "coord.head").post(f"/inbox/tasks/{task_id}/draft", json={"data": {}}).status_code
        == 200
    )
