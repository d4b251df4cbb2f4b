"""The monitor in a real browser: a supervisor follows an overdue figure to the instance, reassigns its
task, and the new assignee finds it in their inbox; the heat map on the diagram.

The data are those of tests/integration/test_monitor_pages.py (``region_report`` run in three regions
with a moved clock): region-03's report is overdue.
"""

from __future__ import annotations

import re

import pytest

from engine.models import HumanTask
from tests.e2e.waiting import wait_until
from tests.integration.test_monitor_pages import make_history, open_task_id

pytestmark = pytest.mark.browser


@pytest.fixture
def live_bundles():
    return []  # make_history deploys region_report itself


@pytest.fixture
def history(live_server):
    return make_history(live_server.ctx)


def test_a_supervisor_follows_an_overdue_figure_and_reassigns_the_task(
    live_server, history, browser, page, login, screenshot
):
    login(page, "deputy")
    page.goto(f"{live_server.url}/monitor/?from=1405/08/16&to=1405/09/05")
    page.wait_for_selector("#throughput-chart")
    wait_until(page, "document.querySelector('#throughput-chart').width > 0")
    assert page.locator("#overdue-figure .fs-3").inner_text() == "۲"
    screenshot(page, "monitor-dashboard")

    page.click("#overdue-figure")
    page.wait_for_url(re.compile(r"/monitor/tasks\?overdue=1"))
    page.click("text=گزارش region-03")
    page.wait_for_url(re.compile(r"/monitor/instances/\d+$"))
    page.wait_for_selector("#instance-diagram[data-ready='1']")
    assert page.locator("#instance-diagram .ravand-active").count() == 1
    assert page.locator("#instance-diagram .ravand-done").count() >= 1
    screenshot(page, "monitor-instance")

    task = page.locator("[data-task]", has_text="ارسال گزارش")
    task.get_by_role("button", name="واگذاری به دیگری").click()
    # only the holders of the task's position (region 3's PR manager) are offered
    options = task.locator("select[name=assignee] option").all_inner_texts()
    assert [o for o in options if o != "—"] == ["مدیر روابط عمومی منطقه ۳ (region03.manager)"]
    task.locator("select[name=assignee]").select_option("region03.manager")
    task.locator("form[action$='/reassign'] input[name=reason]").fill("مدیر منطقه در مرخصی است")
    task.locator("form[action$='/reassign'] button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert "مدیر روابط عمومی منطقه ۳" in page.locator("[data-task] .task-assignee").inner_text()

    task_id = open_task_id(live_server.ctx, history["ids"]["region-03"], "report")
    with live_server.ctx.db.transaction() as session:
        assert session.get(HumanTask, task_id).assignee == "region03.manager"
    other = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fa-IR")
    inbox = other.new_page()
    login(inbox, "region03.manager")
    inbox.goto(f"{live_server.url}/inbox/")
    assert inbox.locator(f"a[href*='{task_id}']").count() >= 1
    other.close()


def test_the_heat_map_and_the_phone_width_dashboard(live_server, history, page, phone, login, screenshot):
    login(page, "deputy")
    page.goto(f"{live_server.url}/monitor/processes/{history['definition_id']}")
    page.wait_for_selector("#heat-diagram[data-ready='1']")
    badges = page.locator(".ravand-heat-badge")
    assert badges.count() >= 3
    report = page.locator(".ravand-heat-badge[data-element='report']").inner_text()
    assert report.startswith("عبور ۲")
    assert page.locator("#heat-diagram .ravand-heat-5").count() >= 1  # the longest wait is darkest
    screenshot(page, "monitor-heatmap")

    login(phone, "region03.manager")
    phone.goto(f"{live_server.url}/monitor/?from=1405/08/16&to=1405/09/05")
    phone.wait_for_selector("#throughput-chart")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    assert "گزارش region-02" not in phone.content()
    screenshot(phone, "monitor-dashboard-phone")
