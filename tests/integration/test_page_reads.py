"""What a staff page costs the database: transactions and statements per request, counted with
SQLAlchemy's events on the app's engine (the request's sign-in included).

Each page reads once through its engine read model (``ctx.db.read()``), after the one read that loads
the signed-in user: at most two transactions (the start page reads the menu's notification badge on
its own: three). Run with ``-s`` to see the counts.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import event, select

from engine.models import HumanTask
from engine.runtime.starting import start
from engine.work import tasks
from tests.integration.support import LEAVE_CATALOG, client_of

MAX_TRANSACTIONS = 2


@dataclass
class Cost:
    transactions: int = 0
    statements: int = 0


@contextmanager
def counting(app):
    """Count the transactions begun and the statements run on the app's engine inside the block."""
    engine = app.extensions["ravand"].db.engine
    cost = Cost()

    def begun(_conn):
        cost.transactions += 1

    def ran(*_args):
        cost.statements += 1

    event.listen(engine, "begin", begun)
    event.listen(engine, "before_cursor_execute", ran)
    try:
        yield cost
    finally:
        event.remove(engine, "begin", begun)
        event.remove(engine, "before_cursor_execute", ran)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, make_app):
    if request.param == "postgres":
        return request.getfixturevalue("postgres_app")
    return make_app(LEAVE_CATALOG)


@pytest.fixture
def cases(app):
    """Three leave requests in the coordination experts' group; the first one claimed by coord.expert."""
    ctx = app.extensions["ravand"]
    ids = []
    for n in range(3):
        instance = start(ctx, "leave_request", {"title": f"مرخصی {n}"}, user="coord.expert")
        with ctx.db.read() as session:
            ids.append(session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id)))
    tasks.claim(ctx, ids[0], "coord.expert")
    tasks.add_comment(ctx, ids[0], "یادداشت", "coord.expert")
    return ids


def cost_of(app, client, url: str) -> Cost:
    client.get(url)  # once to warm what is cached for the process's life (specs, forms, catalog)
    with counting(app) as cost:
        response = client.get(url)
    assert response.status_code == 200, url
    print(f"{url}: {cost.transactions} transaction(s), {cost.statements} statement(s)")
    return cost


@pytest.mark.parametrize(
    ("user", "url", "max_statements"),
    [
        ("coord.expert", "/inbox/", 8),
        ("coord.expert", "/inbox/?view=group&department=coord&due=week&sort=priority&q=مرخصی", 8),
        ("coord.expert", "/inbox/?view=completed&page=2", 8),
        ("coord.expert", "/inbox/tasks/{mine}", 9),  # its form and data (the workflow from the cache)
        ("coord.expert2", "/inbox/tasks/{mine}", 9),  # a colleague: no form, who has it
        ("coord.head", "/inbox/tasks/{group}", 11),  # a supervisor: his scope, whom it may be given to
        ("coord.expert", "/my-requests/", 5),
        ("coord.expert", "/inbox/notifications/", 3),
    ],
)
def test_a_staff_page_is_one_read_after_the_sign_in(app, cases, user, url, max_statements):
    client = client_of(app, user)
    cost = cost_of(app, client, url.format(mine=cases[0], group=cases[1]))
    assert cost.transactions <= MAX_TRANSACTIONS
    assert cost.statements <= max_statements


def test_the_start_page_reads_the_processes_and_the_badge(app):
    cost = cost_of(app, client_of(app, "coord.expert"), "/start/")
    assert cost.transactions <= MAX_TRANSACTIONS + 1 and cost.statements <= 5


def test_the_api_reads_once_too(app, cases):
    client = client_of(app, "coord.expert")
    instance_id = client.get(f"/api/v1/tasks/{cases[0]}").get_json()["instance_id"]
    for url in ("/api/v1/tasks?view=group", f"/api/v1/tasks/{cases[0]}", f"/api/v1/instances/{instance_id}"):
        assert cost_of(app, client, url).transactions <= MAX_TRANSACTIONS
