"""Two people completing the same task at the same moment: exactly one wins, the other is told why."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from engine.cases import show
from engine.errors import Conflict
from engine.models import AuditEvent
from engine.runtime import starting
from engine.work import tasks
from engine.work.inbox import TaskQuery, list_tasks


def test_simultaneous_completions_one_wins(ctx, approval):
    instance = starting.start(ctx, "approval", {}, unit="region-01")
    (submit,) = list_tasks(ctx, TaskQuery(instance_id=instance.id))
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def attempt(user: str, amount: int) -> None:
        barrier.wait()
        try:
            outcomes[user] = tasks.complete(
                ctx, submit["id"], {"amount": amount, "description": user}, user=user
            )
        except Conflict as exc:
            outcomes[user] = exc

    threads = [threading.Thread(target=attempt, args=a) for a in (("alice", 500), ("bob", 600))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [u for u, o in outcomes.items() if isinstance(o, dict)]
    losers = [o for o in outcomes.values() if isinstance(o, Conflict)]
    assert len(winners) == 1 and len(losers) == 1
    assert f"already completed by {winners[0].title()}" in losers[0].message  # by their full name
    shown = show.show(ctx, instance.id)
    assert shown["data"]["description"] == winners[0]
    assert [t["element_id"] for t in shown["open_tasks"]] == ["approve"]
    with ctx.db.transaction() as session:
        completions = select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "task_completed")
        assert session.scalar(completions) == 1
