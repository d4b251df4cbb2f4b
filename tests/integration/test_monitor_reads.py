"""What the monitor's pages cost the database, counted like the staff pages (``test_page_reads``):
the sign-in's read, then one engine read model (``ctx.db.read()``) per page. Run with ``-s`` to see
the counts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import HumanTask
from engine.runtime.starting import start
from engine.work import tasks
from tests.integration.support import LEAVE_CATALOG, client_of
from tests.integration.test_page_reads import MAX_TRANSACTIONS, cost_of


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, make_app):
    if request.param == "postgres":
        return request.getfixturevalue("postgres_app")
    return make_app(LEAVE_CATALOG)


@pytest.fixture
def case(app) -> int:
    """A leave request with a claimed task and a comment: the monitor's instance page has rows to show."""
    ctx = app.extensions["ravand"]
    instance = start(ctx, "leave_request", {"title": "مرخصی"}, user="coord.expert")
    with ctx.db.read() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id))
    tasks.claim(ctx, task_id, "coord.expert")
    tasks.add_comment(ctx, task_id, "یادداشت", "coord.expert")
    return instance.id


@pytest.mark.parametrize(
    ("url", "max_statements"),
    [
        ("/monitor/instances/{case}", 20),
        ("/monitor/", 30),  # eleven figures, each its own statements (the jobs: two)
        ("/monitor/instances", 11),
        ("/monitor/instances?unit=region-01&overdue=1", 11),
        ("/monitor/tasks?overdue=1", 8),
        ("/monitor/jobs", 12),
    ],
)
def test_a_monitor_page_is_one_read_after_the_sign_in(app, case, url, max_statements):
    cost = cost_of(app, client_of(app, "coord.head"), url.format(case=case))
    assert cost.transactions <= MAX_TRANSACTIONS
    assert cost.statements <= max_statements
