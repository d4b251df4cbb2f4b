"""Starting, completing, claiming and ending instances through the engine services, on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.cases import show
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.models import AuditEvent, Delegation, HumanTask, Position, ProcessInstance, User, utcnow
from engine.runtime import lifecycle, starting
from engine.work import tasks
from engine.work.inbox import TaskQuery, list_tasks


def _open(ctx, instance_id):
    return list_tasks(ctx, TaskQuery(instance_id=instance_id))


def test_start_creates_the_first_human_task_with_lane_role_unit_form_and_due(ctx, approval):
    instance = starting.start(ctx, "approval", {"title": "خرید تجهیزات"}, user="alice", unit="region-01")
    (task,) = _open(ctx, instance.id)
    assert task["element_id"] == "submit" and task["name"] == "ثبت درخواست"
    assert (task["lane"], task["role"], task["form_key"]) == ("expert", "expert", "request.json")
    assert task["due_at"] is not None
    with ctx.db.transaction() as session:
        row = session.get(HumanTask, task["id"])
        assert row.instructions.startswith("مبلغ")
        assert row.unit_id == session.get(ProcessInstance, instance.id).unit_id
        assert session.get(ProcessInstance, instance.id).title == "خرید تجهیزات"


def test_happy_path_through_the_gateway(ctx, approval):
    instance = starting.start(ctx, "approval", {}, user="alice", unit="region-01")
    (submit,) = _open(ctx, instance.id)
    tasks.complete(ctx, submit["id"], {"amount": "۲۰۰", "description": "لپ‌تاپ"}, user="alice")
    (approve,) = _open(ctx, instance.id)
    assert approve["element_id"] == "approve" and approve["role"] == "head"
    tasks.complete(ctx, approve["id"], {"approved": "yes"}, user="carol")
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed"
    assert shown["data"]["total"] == 400 and shown["data"]["approved"] == "yes"
    assert shown["open_tasks"] == []
    kinds = [e["kind"] for e in shown["history"]]
    assert kinds[0] == "started" and kinds[-1] == "completed"
    assert [e["actor"] for e in shown["history"] if e["kind"] == "task_completed"] == ["alice", "carol"]
    completed = next(e for e in shown["history"] if e["kind"] == "task_completed")
    assert completed["data"] == {"amount": 200, "description": "لپ‌تاپ"}


def test_completion_hands_back_the_next_steps_that_are_the_users_own(ctx, approval):
    """Own positions and positions delegated now both count; another role's step is not handed back."""
    first = starting.start(ctx, "approval", {}, user="alice", unit="region-01")
    (submit,) = _open(ctx, first.id)
    done = tasks.complete(ctx, submit["id"], {"amount": 200, "description": "x"}, user="alice")
    assert done["state"] == "completed" and done["completed_by"] == "alice"
    assert done["next_tasks"] == []  # the approval is the head's

    now = utcnow()
    with ctx.db.transaction() as session:
        carol_head = session.scalar(select(Position).join(User).where(User.username == "carol"))
        bob = session.scalar(select(User).where(User.username == "bob"))
        session.add(
            Delegation(
                position=carol_head,
                substitute_id=bob.id,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(days=1),
            )
        )
    second = starting.start(ctx, "approval", {}, user="bob", unit="region-01")
    (submit,) = _open(ctx, second.id)
    done = tasks.complete(ctx, submit["id"], {"amount": 200, "description": "x"}, user="bob")
    (approve,) = done["next_tasks"]
    assert approve["element_id"] == "approve" and approve == _open(ctx, second.id)[0]
    tasks.complete(ctx, approve["id"], {"approved": "yes"}, user="bob")
    assert show.show(ctx, second.id)["status"] == "completed"


def test_default_flow_skips_the_approval(ctx, approval):
    instance = starting.start(ctx, "approval", {}, unit="region-01")
    (submit,) = _open(ctx, instance.id)
    tasks.complete(ctx, submit["id"], {"amount": 10, "description": "x"}, user="bob")
    assert show.show(ctx, instance.id)["status"] == "completed"


def test_bad_submission_is_refused_and_nothing_is_saved(ctx, approval):
    instance = starting.start(ctx, "approval", {}, unit="region-01")
    (submit,) = _open(ctx, instance.id)
    with pytest.raises(InvalidData) as caught:
        tasks.complete(ctx, submit["id"], {"amount": "abc"}, user="alice")
    assert caught.value.to_dict()["fields"] == {
        "amount": "must be a number",
        "description": "this field is required",
    }
    with pytest.raises(InvalidData) as caught:
        tasks.complete(ctx, submit["id"], {"amount": 10**9, "description": "x"}, user="alice")
    assert caught.value.to_dict()["fields"] == {"amount": "must be at most 100000"}
    assert _open(ctx, instance.id)[0]["id"] == submit["id"]
    with ctx.db.transaction() as session:
        assert session.get(ProcessInstance, instance.id).state_version == 1
        assert not session.scalars(select(AuditEvent).where(AuditEvent.kind == "task_completed")).all()


def test_second_completion_is_refused_and_says_by_whom(ctx, approval):
    instance = starting.start(ctx, "approval", {}, unit="region-01")
    (submit,) = _open(ctx, instance.id)
    tasks.complete(ctx, submit["id"], {"amount": 10, "description": "x"}, user="alice")
    with pytest.raises(Conflict) as caught:
        tasks.complete(ctx, submit["id"], {"amount": 20, "description": "y"}, user="bob")
    assert "already completed by Alice" in caught.value.message  # by her full name


def test_only_holders_of_the_role_in_the_unit_may_act(ctx, approval):
    instance = starting.start(ctx, "approval", {}, unit="region-01")
    (submit,) = _open(ctx, instance.id)
    # another region's expert and a head of another role may not even learn that the task exists
    with pytest.raises(NotFound):
        tasks.complete(ctx, submit["id"], {"amount": 10, "description": "x"}, user="dave")
    with pytest.raises(NotFound):
        tasks.claim(ctx, submit["id"], "carol")
    tasks.claim(ctx, submit["id"], "alice")
    with pytest.raises(Forbidden):  # bob holds the role but alice has the task now
        tasks.save_draft(ctx, submit["id"], {"amount": 5}, "bob")
    assert [t["id"] for t in list_tasks(ctx, TaskQuery(user="alice"))] == [submit["id"]]
    assert list_tasks(ctx, TaskQuery(user="dave")) == []


def test_claim_unclaim_and_assign(ctx, approval):
    instance = starting.start(ctx, "approval", {}, unit="region-01")
    (submit,) = _open(ctx, instance.id)
    tasks.claim(ctx, submit["id"], "alice")
    assert list_tasks(ctx, TaskQuery(user="bob")) == []
    with pytest.raises(Conflict):
        tasks.claim(ctx, submit["id"], "bob")
    with pytest.raises(Forbidden):
        tasks.complete(ctx, submit["id"], {"amount": 1, "description": "x"}, user="bob")
    tasks.unclaim(ctx, submit["id"], "alice")
    assert [t["id"] for t in list_tasks(ctx, TaskQuery(user="bob"))] == [submit["id"]]
    with pytest.raises(InvalidData):  # dave is an expert of region 2, not of the task's region 1
        tasks.assign(ctx, submit["id"], "dave", user="root", reason="مرخصی")
    with pytest.raises(NotFound):  # carol is no holder and no supervisor: she may not even see it
        tasks.assign(ctx, submit["id"], "bob", user="carol", reason="مرخصی")
    with pytest.raises(InvalidData):  # a reassignment says why
        tasks.assign(ctx, submit["id"], "bob", user="root", reason=" ")
    tasks.assign(ctx, submit["id"], "bob", user="root", reason="مرخصی")
    assert [t["id"] for t in list_tasks(ctx, TaskQuery(user="bob"))] == [submit["id"]]
    assert list_tasks(ctx, TaskQuery(user="alice")) == []
    tasks.complete(ctx, submit["id"], {"amount": 1, "description": "x"}, user="bob")


def test_suspend_resume_terminate(ctx, approval):
    instance = starting.start(ctx, "approval", {}, unit="region-01")
    (submit,) = _open(ctx, instance.id)
    lifecycle.suspend(ctx, instance.id, "sara", "بررسی")
    with pytest.raises(Conflict) as caught:
        tasks.complete(ctx, submit["id"], {"amount": 1, "description": "x"}, user="alice")
    assert "suspended" in caught.value.message
    lifecycle.resume(ctx, instance.id, "sara", "ادامه")
    lifecycle.terminate(ctx, instance.id, "sara", "لغو")
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "terminated" and shown["open_tasks"] == []
    with pytest.raises(Conflict) as caught:
        tasks.complete(ctx, submit["id"], {"amount": 1, "description": "x"}, user="alice")
    assert "cancelled" in caught.value.message


def test_state_survives_a_fresh_context(ctx, approval):
    """The saved state alone (no cache) carries the instance on."""
    from engine.context import Context

    instance = starting.start(ctx, "approval", {"keep": {"nested": [1, 2]}}, unit="region-01")
    (submit,) = _open(ctx, instance.id)
    fresh = Context(ctx.db)
    tasks.complete(fresh, submit["id"], {"amount": 500, "description": "x"}, user="alice")
    shown = show.show(Context(ctx.db), instance.id)
    assert shown["data"]["keep"] == {"nested": [1, 2]} and shown["data"]["total"] == 1000
    assert shown["open_tasks"][0]["element_id"] == "approve"
