"""A citizen, without logging in, requests a public meeting (the catalog's citizen_meeting), gets a tracking
code, and later looks the request up with it; the same pages on a phone."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.definitions.bundle import collect_bundles
from engine.models import HumanTask, ProcessInstance
from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.browser

TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")


@pytest.fixture
def live_bundles():
    return [b for b in collect_bundles([ROOT / "processes"], ROOT / "forms") if b.key == "citizen_meeting"]


@pytest.fixture
def live_config():
    """No RAVAND_CATALOG: the public pages read the repository's catalog (merged file or fragments)."""
    return {}


def solve_challenge(page) -> None:
    question = page.locator("label[for=challenge]").inner_text()
    a, b = re.search(r"([۰-۹]+) \+ ([۰-۹]+)", question).groups()
    page.fill("#challenge", str(int(a.translate(TO_ASCII)) + int(b.translate(TO_ASCII))))


def fill_request(page, description: str) -> None:
    page.get_by_label("نام و نام خانوادگی").fill("مینا رستمی")
    page.get_by_label("کد ملی").fill("۰۰۱۲۳۴۵۶۷۹")
    page.get_by_label("تلفن همراه").fill("۰۹۱۲۱۲۳۴۵۶۷")
    page.get_by_label("منطقه محل سکونت").select_option("region-05")
    page.locator("#f-topic").select_option("urban_services")
    page.locator("input[name=urgency][value=normal]").check()
    page.locator("#f-description").fill(description)


def test_a_citizen_requests_a_meeting_and_follows_it_by_tracking_code(live_server, page, screenshot):
    page.goto(f"{live_server.url}/public/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.click("text=ملاقات مردمی")
    page.wait_for_url(re.compile(r"/public/citizen_meeting$"))
    screenshot(page, "public-form")

    fill_request(page, "کوتاه")
    solve_challenge(page)
    page.click("button:has-text('ثبت درخواست')")
    error = page.locator("#f-description-error")
    error.wait_for()
    assert error.inner_text() == "باید دست‌کم ۲۰ نویسه باشد"  # beside the field, in Persian
    assert page.get_by_label("نام و نام خانوادگی").input_value() == "مینا رستمی"  # what was typed is kept
    screenshot(page, "public-form-error")

    page.locator("#f-description").fill(
        "پیاده‌روی خیابان محله ما ماه‌هاست خراب است و می‌خواهم با مدیر منطقه دیدار کنم."
    )
    solve_challenge(page)
    page.click("button:has-text('ثبت درخواست')")
    page.wait_for_url(re.compile(r"/public/received$"))
    shown = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[۰-۹]{10}", shown)
    code = shown.translate(TO_ASCII)
    screenshot(page, "public-received")
    with live_server.ctx.db.transaction() as session:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.tracking_code == code))
        assert instance.process_key == "citizen_meeting" and instance.started_by is None
        task = session.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))
        step = task.name

    later = page.context.browser.new_context(locale="fa-IR").new_page()  # another day, a fresh browser
    later.goto(f"{live_server.url}/public/")
    later.get_by_label("کد رهگیری").fill(shown)
    later.click("button:has-text('جست‌وجو')")
    later.locator("#request-status").wait_for()
    assert "درخواست شما دریافت شده و در حال رسیدگی است" in later.locator("#status-message").inner_text()
    status = later.locator("#request-status").inner_text()
    assert step in status and "ملاقات مردمی" in status
    assert re.search(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}", status)  # received on a Jalali date, Persian digits
    assert "مینا رستمی" not in status and "coord" not in status
    screenshot(later, "public-status")
    later.context.close()


def test_the_public_pages_fit_a_phone(live_server, phone, screenshot):
    phone.goto(f"{live_server.url}/public/citizen_meeting")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form is {width}px wide on a 390px screen"
    screenshot(phone, "phone-public-form")
    phone.goto(f"{live_server.url}/public/status?code=0000000000")
    assert "درخواستی با این کد رهگیری پیدا نشد" in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "phone-public-status")
