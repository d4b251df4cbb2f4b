"""engine.work.inbox.inbox and its neighbours (may_see, add_comment), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from engine.definitions.bundle import collect_bundles
from engine.definitions.deployment import deploy
from engine.errors import NotFound
from engine.models import Comment, Delegation, HumanTask, OrgUnit, Position, User, utcnow
from engine.org.access import load_viewer
from engine.runtime.starting import start
from engine.work.inbox import InboxQuery, inbox
from engine.work.task_page import task_diagram
from engine.work.tasks import add_comment, claim, complete
from tests.conftest import FIXTURES


def open_task(ctx, instance_id) -> str:
    with ctx.db.transaction() as session:
        return session.scalar(
            select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.state == "open")
        )


@pytest.fixture
def cases(ctx, approval):
    """Five approval requests in region 1, two in region 2 (the 'expert' role is per unit)."""
    made = {}
    for n in range(7):
        unit = "region-01" if n < 5 else "region-02"
        instance = start(
            ctx, "approval", {"title": f"درخواست {n}"}, user="carol", unit=unit, business_key=f"K-{n}"
        )
        made[n] = open_task(ctx, instance.id)
    return made


def ids(page) -> list[str]:
    return [row["id"] for row in page.rows]


def test_group_mine_and_completed_views(ctx, cases):
    assert inbox(ctx, InboxQuery(user="alice", view="group")).total == 5
    assert inbox(ctx, InboxQuery(user="dave", view="group")).total == 2
    assert inbox(ctx, InboxQuery(user="carol", view="group")).total == 0
    claim(ctx, cases[0], "alice")
    assert ids(inbox(ctx, InboxQuery(user="alice"))) == [cases[0]]
    assert inbox(ctx, InboxQuery(user="bob", view="group")).total == 4
    complete(ctx, cases[0], {"amount": 5, "description": "خرید"}, user="alice")
    done = inbox(ctx, InboxQuery(user="alice", view="completed"))
    assert ids(done) == [cases[0]] and done.rows[0]["completed_at"] is not None
    assert inbox(ctx, InboxQuery(user="alice")).total == 0
    row = inbox(ctx, InboxQuery(user="bob", view="group")).rows[0]
    assert row["process_name"] == "Approval request" and row["unit_fa"] == "منطقه ۱"
    assert row["instance_title"].startswith("درخواست") and row["business_key"].startswith("K-")


def test_a_delegation_brings_the_position_while_it_lasts(ctx, cases):
    with ctx.db.transaction() as session:
        alice = session.scalar(select(User).where(User.username == "alice"))
        dave = session.scalar(select(User).where(User.username == "dave"))
        session.add(
            Delegation(
                position_id=alice.positions[0].id,
                substitute_id=dave.id,
                starts_at=utcnow() - timedelta(days=1),
                ends_at=utcnow() + timedelta(days=1),
            )
        )
    assert inbox(ctx, InboxQuery(user="dave", view="group")).total == 7
    with ctx.db.transaction() as session:
        session.execute(update(Delegation).values(ends_at=utcnow() - timedelta(seconds=1)))
    assert inbox(ctx, InboxQuery(user="dave", view="group")).total == 2


def test_filters_sorting_and_pages(ctx, cases):
    with ctx.db.transaction() as session:
        session.execute(
            update(HumanTask).where(HumanTask.id == cases[3]).values(due_at=utcnow() - timedelta(hours=1))
        )
        session.execute(update(HumanTask).where(HumanTask.id == cases[4]).values(priority=99))
        session.execute(
            update(HumanTask).where(HumanTask.id == cases[2]).values(due_at=utcnow() + timedelta(days=30))
        )
        region = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "region-01"))
    group = InboxQuery(user="alice", view="group")
    overdue = inbox(ctx, InboxQuery(user="alice", view="group", due="overdue"))
    assert ids(overdue) == [cases[3]] and overdue.rows[0]["overdue"]
    assert cases[3] in ids(inbox(ctx, InboxQuery(user="alice", view="group", due="today")))
    assert cases[2] not in ids(inbox(ctx, InboxQuery(user="alice", view="group", due="week")))
    assert ids(inbox(ctx, InboxQuery(user="alice", view="group", sort="priority")))[0] == cases[4]
    assert ids(inbox(ctx, group))[0] == cases[3]  # by due date, the overdue one first
    assert ids(inbox(ctx, InboxQuery(user="alice", view="group", search="درخواست 1"))) == [cases[1]]
    assert ids(inbox(ctx, InboxQuery(user="alice", view="group", search="k-4"))) == [cases[4]]
    assert inbox(ctx, InboxQuery(user="alice", view="group", process_keys=["other"])).total == 0
    assert inbox(ctx, InboxQuery(user="alice", view="group", unit_id=region)).total == 5
    first = inbox(ctx, InboxQuery(user="alice", view="group", per_page=2))
    third = inbox(ctx, InboxQuery(user="alice", view="group", per_page=2, page=3))
    assert (first.total, first.pages, len(first.rows), len(third.rows)) == (5, 3, 2, 1)
    everything = [
        i
        for p in (1, 2, 3)
        for i in ids(inbox(ctx, InboxQuery(user="alice", view="group", per_page=2, page=p)))
    ]
    assert sorted(everything) == sorted(cases[n] for n in range(5))


def test_who_may_see_a_task_and_comment_on_it(ctx, cases):
    with ctx.db.read() as session:
        task = session.get(HumanTask, cases[0])
        seers = {
            name: load_viewer(ctx, session, name, utcnow()).may_see_task(task)
            for name in ("alice", "root", "sara", "rita", "dave", "carol")
        }
    # its region's experts, an administrator and the deputy; not another region's manager or expert
    assert seers == {"alice": True, "root": True, "sara": True, "rita": False, "dave": False, "carol": False}
    add_comment(ctx, cases[0], "  بررسی شود  ", "alice")
    with pytest.raises(NotFound):
        add_comment(ctx, cases[0], "x", "dave")
    with ctx.db.transaction() as session:
        assert session.scalars(select(Comment.body)).all() == ["بررسی شود"]
        assert session.scalar(select(Position.id)) is not None


def test_a_process_filter_keeps_the_tasks_of_the_processes_it_calls(ctx):
    ctx.catalog_path = FIXTURES / "called" / "catalog.yaml"
    for bundle in collect_bundles([FIXTURES / "called"]):
        deploy(ctx, bundle)
    instance = start(ctx, "caller", {}, user="alice", unit="region-01")

    def found(**query) -> list[str]:
        return [r["element_id"] for r in inbox(ctx, InboxQuery(user="alice", view="group", **query)).rows]

    assert found(process="caller") == ["open_case"] and found(process="unit_report") == []
    assert 'calledElement="unit_report"' in task_diagram(ctx, open_task(ctx, instance.id), "alice")
    complete(ctx, open_task(ctx, instance.id), {}, user="alice")
    # The called process's task is drawn by the called process's file of the caller's version.
    drawn = task_diagram(ctx, open_task(ctx, instance.id), "alice")
    assert '<bpmn:process id="unit_report"' in drawn and 'bpmnElement="write_report"' in drawn
    with pytest.raises(NotFound):
        task_diagram(ctx, open_task(ctx, instance.id), "dave")  # another region's expert
    # The called process's task runs in the caller's instance, under the caller's key.
    assert found(process="caller") == ["write_report"] and found(department="coord") == ["write_report"]
    assert found(process="unit_report") == ["write_report"] and found(department="social") == ["write_report"]
    assert found(process_keys=["unit_report"]) == [] and found(process="other") == []
    assert found(department="protocol") == []
