"""With ``script-src 'self'`` the pages that used inline handlers still work, and chromium reports no
Content-Security-Policy violation on them: the monitor's dashboard (its charts, the rollout choice),
an instance with its diagram, a task with its form, the printable case file and a poll's results
(its charts, the confirmation before closing)."""

from __future__ import annotations

import pytest

from engine.definitions.bundle import collect_bundles
from engine.runtime.starting import start
from engine.work.inbox import TaskQuery, list_tasks
from tests.e2e.conftest import ROOT
from tests.e2e.waiting import wait_until
from tests.processes import test_opinion_poll as polls

pytestmark = pytest.mark.browser

#: Collects every violation the page reports, from before its first script runs.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.lineNumber));
"""


@pytest.fixture
def live_bundles():
    keys = ("opinion_poll", "policy_rollout", "citizen_meeting")
    return [b for b in collect_bundles([ROOT / "processes"], ROOT / "forms") if b.key in keys]


@pytest.fixture
def live_config():
    return {}


def watched(page) -> list[str]:
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH)
    return console


def violations(page, console: list[str]) -> list[str]:
    return console + page.evaluate("window.__csp")


def test_no_page_breaks_the_script_policy(live_server, browser, page, login):
    ctx = live_server.ctx
    poll = start(ctx, "opinion_poll", dict(polls.DESIGN), user="opinion.expert").id
    code = polls.publish(ctx, poll)
    polls.answer_three(ctx, code)
    waiting = start(ctx, "opinion_poll", dict(polls.DESIGN), user="opinion.expert").id
    console = watched(page)
    login(page, "deputy")
    response = page.goto(f"{live_server.url}/monitor/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    wait_until(page, "document.querySelector('#throughput-chart').width > 0")
    assert violations(page, console) == []
    with page.expect_navigation():
        page.select_option("#rollout", index=page.locator("#rollout option").count() - 1)
    assert "rollout=" in page.url, "the rollout choice submits its form without an inline handler"
    assert violations(page, console) == []

    page.goto(f"{live_server.url}/monitor/instances/{poll}")
    page.wait_for_selector("#instance-diagram[data-ready='1']")
    assert violations(page, console) == []

    page.goto(f"{live_server.url}/cases/{poll}/print")
    page.locator("[data-print]").wait_for()
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click("[data-print]")
    assert page.evaluate("window.__printed === true"), "the print button prints"
    assert violations(page, console) == []

    page.goto(f"{live_server.url}/polls/{code}/results")
    wait_until(page, "() => document.querySelectorAll('canvas.ravand-chart')[0].width > 0")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("form[data-confirm] button[type=submit]")
    page.wait_for_timeout(300)
    assert asked and page.url.endswith("/results"), "closing asks first; dismissed, nothing is posted"
    assert violations(page, console) == []

    context = browser.new_context(locale="fa-IR")
    expert = context.new_page()
    console = watched(expert)
    login(expert, "opinion.head")
    (task,) = list_tasks(ctx, TaskQuery(instance_id=waiting))
    expert.goto(f"{live_server.url}/inbox/tasks/{task['id']}")
    expert.wait_for_selector(".fjs-form")
    assert violations(expert, console) == []
    context.close()
