"""The case at hand in the browser: the region manager told to call the citizen sees the phone number
first, in Persian, right to left, with Jalali dates; the completed step shows what was submitted."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine.calendar.jalali import tehran_today, to_jalali_str
from engine.definitions import deployment as definitions
from engine.definitions.bundle import collect_bundles
from engine.definitions.forms import validate_submission
from engine.models import HumanTask, utcnow
from engine.runtime.jobs import run_due_jobs
from engine.runtime.starting import start
from engine.work.tasks import complete
from tests.e2e.conftest import ROOT
from tests.processes.test_citizen_meeting import REQUEST

pytestmark = pytest.mark.browser


@pytest.fixture
def live_bundles():
    return [b for b in collect_bundles([ROOT / "processes"], ROOT / "forms") if b.key == "citizen_meeting"]


@pytest.fixture
def live_config():
    return {}


def open_task(ctx, instance_id: int, element_id: str) -> str:
    with ctx.db.read() as session:
        return session.scalar(
            select(HumanTask.id).where(
                HumanTask.instance_id == instance_id,
                HumanTask.element_id == element_id,
                HumanTask.state == "open",
            )
        )


def test_the_region_manager_sees_the_citizen_to_call(live_server, page, login, screenshot):
    ctx = live_server.ctx
    with ctx.db.read() as session:
        form = ctx.form(
            session, definitions.latest(session, "citizen_meeting").id, "citizen_meeting_request.json"
        )
    instance = start(ctx, "citizen_meeting", validate_submission(form, REQUEST), public=True)
    review = open_task(ctx, instance.id, "review_request")
    complete(ctx, review, {"intake": "refer", "intake_note": "ارجاع به منطقه ۵"}, user="coord.expert")

    login(page, "region05.manager")
    page.goto(f"{live_server.url}/inbox/tasks/{open_task(ctx, instance.id, 'schedule_unit')}")
    box = page.locator("#case-at-hand")
    assert page.locator("html").get_attribute("dir") == "rtl"
    first = box.locator(".list-group-item").first
    assert "برای این مرحله" in first.inner_text()
    labels = first.locator("dt").all_inner_texts()
    assert labels[:2] == ["نام و نام خانوادگی", "تلفن همراه"]
    assert first.locator('dd[data-key="phone"]').inner_text() == "۰۹۱۲۱۲۳۴۵۶۷"
    assert re.search(r"۱۴۰\d", first.inner_text())  # when it was submitted, as a Jalali date
    assert box.evaluate("e => getComputedStyle(e).direction") == "rtl"
    screenshot(page, "case-at-hand-schedule")

    page.context.clear_cookies()
    login(page, "coord.expert")
    page.goto(f"{live_server.url}/inbox/tasks/{review}")
    submitted = page.locator("#submitted")
    assert "آنچه ثبت شد" in submitted.inner_text() and "ارجاع به منطقه ۵" in submitted.inner_text()
    screenshot(page, "case-at-hand-completed")


def test_a_bad_value_in_a_repeating_row_is_marked_on_its_field(live_server, page, login, screenshot):
    ctx = live_server.ctx
    with ctx.db.read() as session:
        form = ctx.form(
            session, definitions.latest(session, "citizen_meeting").id, "citizen_meeting_request.json"
        )
    instance = start(ctx, "citizen_meeting", validate_submission(form, REQUEST), public=True)
    with time_machine.travel(utcnow(), tick=True) as clock:
        complete(ctx, open_task(ctx, instance.id, "review_request"), {"intake": "refer"}, user="coord.expert")
        schedule = {
            "meeting_date": to_jalali_str(tehran_today() + timedelta(days=3)),
            "meeting_time": "۱۰:۳۰",
            "meeting_place": "شهرداری منطقه ۵",
            "meeting_official": "معاون منطقه",
        }
        complete(ctx, open_task(ctx, instance.id, "schedule_unit"), schedule, user="region05.manager")
        clock.shift(timedelta(days=4))
        run_due_jobs(ctx)

        login(page, "region05.manager")
        page.goto(f"{live_server.url}/inbox/tasks/{open_task(ctx, instance.id, 'minutes_unit')}")
        page.locator(".fjs-form").wait_for()
        page.locator("input[type=radio]").first.check()
        rows = page.locator(".fjs-repeat-row-container")
        if rows.count() == 0:
            page.locator(".fjs-repeat-render-add").click()
        # form-js's own words of the repeating rows are Persian on a Persian page
        assert page.locator(".fjs-repeat-render-add").inner_text().strip() == "افزودن ردیف"
        assert "Add new" not in page.locator(".fjs-form").inner_text()
        row = page.locator(".fjs-repeat-row-container").first
        row.locator("input").first.fill("ترمیم آسفالت")
        row.locator("input").last.fill("۹۹")  # at most 60 working days
        page.click("button[data-primary]")
        marked = row.locator(".fjs-has-errors")
        marked.first.wait_for()
        assert "۶۰" in row.inner_text()  # the message beside the field, in the row
        assert marked.count() == 2  # the unit left empty and the days; not the title, which is good
        screenshot(page, "case-at-hand-repeat-errors")
