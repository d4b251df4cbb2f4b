"""Every number the dashboard shows equals the count of the list its link opens, for the deputy, a
department head and a region's PR manager (whose tasks are their region's, whose cases include the
central rollout that gave the region a task)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import pytest

from engine.clock import SimulatedClock
from engine.definitions.catalog import CATALOG_PATH
from engine.demo.history import simulate_month
from engine.reporting.dashboard import dashboard
from tests.integration.support import client_of, text, token_for

LISTS = {"instances": "/monitor/instances", "tasks": "/monitor/tasks", "jobs": "/monitor/jobs"}


def figures_with_links(figures: dict):
    """(what it is, its number, its link) for every linked number of the dashboard's read model."""
    for card in figures["cards"]:
        yield f"card {card['key']}", card["count"], card["link"]
    for row in figures["instances"]:
        for status, target in row["links"].items():
            yield f"{row['process_key']} {status}", row[status], target
    for group in ("tasks_by_department", "tasks_by_unit", "tasks_by_person"):
        for row in figures[group]:
            for kind, target in row["links"].items():
                yield f"{group} {row['key']} {kind}", row[kind], target


def listed(api, headers, target: dict) -> int:
    args = dict(target["args"]) | {"limit": 1}
    if target["list"] == "jobs":
        args.pop("limit")
    answer = api.get(f"/api/v1/monitor/{target['list']}?{urlencode(args)}", headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json["total"]


WORKED_UNTIL = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # a Wednesday, 10:30 in Tehran


@pytest.fixture
def worked(make_app):
    """Two weeks of the demo's work on the whole catalog: rollouts to the regions, citizens' meetings."""
    app = make_app(catalog=CATALOG_PATH)
    # On a fixed clock: which weekday the ten days start on decides who has work left at the end.
    app.extensions["ravand"].clock = SimulatedClock(WORKED_UNTIL)
    simulate_month(app.extensions["ravand"], days=10)
    return app


@pytest.mark.parametrize("username", ["deputy", "coord.head", "region05.manager"])
def test_each_figure_equals_the_count_of_the_list_it_opens(worked, username):
    app, ctx = worked, worked.extensions["ravand"]
    today = ctx.calendar.today()
    page = dashboard(ctx, username, today - timedelta(weeks=8), today)
    figures = list(figures_with_links(page["figures"]))
    assert sum(1 for _, count, _ in figures if count) >= 3, "the demo gives each something to see"
    api, headers = app.test_client(), token_for(app, username)
    wrong = [
        (what, count, found)
        for what, count, target in figures
        if (found := listed(api, headers, target)) != count
    ]
    assert wrong == []
    shown = text(client_of(app, username).get("/monitor/"))
    for card in page["figures"]["cards"]:
        href = LISTS[card["link"]["list"]] + "?" + urlencode(card["link"]["args"])
        assert f'href="{href}"' in shown, card


def test_the_overdue_card_counts_tasks_and_opens_them(worked):
    app, ctx = worked, worked.extensions["ravand"]
    figures = dashboard(ctx, "region05.manager", date(2026, 1, 1), ctx.calendar.today())["figures"]
    (card,) = [c for c in figures["cards"] if c["key"] == "overdue"]
    assert card["link"] == {"list": "tasks", "args": {"overdue": 1}}
    client = client_of(app, "region05.manager")
    page = text(client.get("/monitor/tasks?overdue=1"))
    assert f'<span id="task-total">{card["count"]}' in page.translate(
        str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    )
    rows = client.get("/api/v1/monitor/tasks?overdue=1&limit=500", headers=token_for(app, "region05.manager"))
    assert {row["unit"] for row in rows.json["items"]} <= {"منطقه ۵"}, "a region's tasks only"
