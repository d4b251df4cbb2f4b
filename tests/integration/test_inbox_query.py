"""engine.work.inbox.inbox and its neighbours (may_see, add_comment), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from engine.errors import NotFound
from engine.models import Comment, Delegation, HumanTask, OrgUnit, Position, User, utcnow
from engine.org.access import load_viewer
from engine.runtime.starting import start
from engine.work.inbox import InboxQuery, inbox
from engine.work.tasks import add_comment, claim, complete


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
