"""Fifty threads at once on PostgreSQL, completing the same tasks and answering the same instances.

Each of 25 instances waits for a review (a user task) and, in parallel, a citizen's answer (a message
catch). Two threads race to complete every review, two to deliver every answer. Nothing may be lost
(each instance ends with the review's note and the answer's payload both in its data), nothing may
happen twice, no thread may hang on a deadlock, and every losing thread gets an engine refusal with a
4xx status, never an unexpected exception.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from engine.cases import show
from engine.context import Context
from engine.definitions.deployment import deploy
from engine.errors import RavandError
from engine.models import AuditEvent
from engine.runtime import starting
from engine.runtime.consistency import projection_differences
from engine.runtime.messages import send_message
from engine.work import tasks
from engine.work.inbox import TaskQuery, list_tasks
from tests.conftest import _truncate, add_org, bundle_of

INSTANCES = 25
THREADS_PER_ACTION = 2


@pytest.mark.postgres
def test_fifty_threads_lose_nothing_and_deadlock_nowhere(postgres_database):
    _truncate(postgres_database)
    add_org(postgres_database)
    ctx = Context(postgres_database)
    deploy(ctx, bundle_of("race"))
    cases = []
    for n in range(INSTANCES):
        instance = starting.start(ctx, "race", {"tracking_code": f"code-{n}"}, unit="region-01")
        (review,) = list_tasks(ctx, TaskQuery(instance_id=instance.id))
        cases.append((instance.id, review["id"], f"code-{n}"))

    barrier = threading.Barrier(INSTANCES * THREADS_PER_ACTION * 2)
    won: list[tuple[str, int]] = []
    refused: list[RavandError] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def attempt(kind: str, instance_id: int, action) -> None:
        barrier.wait(timeout=60)
        try:
            action()
            outcome = (kind, instance_id)
        except RavandError as exc:
            outcome = exc
        except BaseException as exc:  # anything else is the failure this test looks for
            with lock:
                unexpected.append(exc)
            return
        with lock:
            (won.append if isinstance(outcome, tuple) else refused.append)(outcome)

    threads = []
    for instance_id, task_id, code in cases:
        for who in ("alice", "bob")[:THREADS_PER_ACTION]:
            complete = lambda t=task_id, w=who: tasks.complete(ctx, t, {"note": f"by {w}"}, user=w)  # noqa: E731
            answer = lambda c=code, w=who: send_message(  # noqa: E731
                ctx, "citizen_confirmed", {"tracking_code": c, "from": w}
            )
            threads.append(threading.Thread(target=attempt, args=("review", instance_id, complete)))
            threads.append(threading.Thread(target=attempt, args=("answer", instance_id, answer)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock or lock wait)"
    assert unexpected == []
    assert sorted(won) == sorted((kind, i) for i, _, _ in cases for kind in ("review", "answer"))
    assert len(refused) == INSTANCES * 2
    assert all(400 <= exc.http_status < 500 for exc in refused), {type(e).__name__ for e in refused}

    for instance_id, _, code in cases:
        shown = show.show(ctx, instance_id)
        assert shown["status"] == "completed"
        assert shown["data"]["note"] in ("by alice", "by bob")  # the review's submission
        assert shown["data"]["confirmation"]["tracking_code"] == code  # and the answer, both kept
        assert projection_differences(ctx, instance_id) == []
    with postgres_database.transaction() as session:
        completions = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "task_completed")
        )
    assert completions == INSTANCES
