"""The departments' tools in a real browser: the mayor's calendar shows a clash (and the protocol expert
sees it on the task before acceptance), a poll is published, answered by three people and shown with
its results, a unit's scorecard matches its cases, and a case prints as a Persian PDF."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
import time_machine
from pypdf import PdfReader

from engine.calendar.jalali import tehran_today, to_jalali_str, to_persian_digits
from engine.cases.show import show
from engine.definitions.bundle import collect_bundles
from engine.models import utcnow
from engine.polls import results
from engine.runtime.starting import start
from engine.scorecards.periods import current_period
from engine.work.inbox import TaskQuery, list_tasks
from tests.e2e.conftest import ROOT, SCREENSHOTS
from tests.e2e.waiting import wait_until
from tests.processes import test_mayor_calendar as invitations
from tests.processes import test_opinion_poll as polls
from tests.processes import test_scorecards as cards

pytestmark = pytest.mark.browser
KEYS = ("mayor_calendar", "opinion_poll", "policy_rollout", "citizen_meeting", "manager_evaluation")


@pytest.fixture
def live_bundles():
    return [b for b in collect_bundles([ROOT / "processes"], ROOT / "forms") if b.key in KEYS]


@pytest.fixture
def live_config():
    return {}


def open_task(ctx, instance_id: int, element_id: str) -> str:
    (task,) = [
        t for t in list_tasks(ctx, TaskQuery(instance_id=instance_id)) if t["element_id"] == element_id
    ]
    return task["id"]


def test_the_mayors_calendar_shows_a_clash_flagged_before_acceptance(live_server, page, login, screenshot):
    ctx = live_server.ctx
    accepted = invitations.accept(ctx)
    clashing = invitations.start_invitation(
        ctx, title="همایش روز شهر", event_time="10:30", venue="تالار وحدت"
    )
    invitations.complete_named(ctx, clashing.id, "assess", invitations.COMPLETE, "protocol.expert")
    invitations.complete_named(
        ctx, clashing.id, "propose", {"proposed_action": "accept", "proposal_note": "-"}, "protocol.head"
    )
    invitations.complete_named(ctx, clashing.id, "office_decision", {"mayor_decision": "accept"}, "deputy")

    login(page, "protocol.expert")
    page.goto(f"{live_server.url}/inbox/tasks/{open_task(ctx, clashing.id, 'calendar_entry')}")
    warning = page.locator(".fjs-form", has_text="تداخل با برنامه‌های قطعی شهردار")
    warning.wait_for()
    assert "افتتاح هفته فرهنگی استانبول در تهران" in warning.inner_text()
    assert "هم‌زمان با این مراسم" in warning.inner_text()
    screenshot(page, "calendar-clash-on-task")

    page.goto(f"{live_server.url}/calendar/?year=1405&month=10")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "دی ۱۴۰۵" in page.locator("h1").inner_text()
    day = page.locator("td[data-date='1405/10/12']")
    assert day.locator(".ravand-occasion").count() == 2
    assert day.locator(".badge", has_text="هم‌زمانی").count() == 2
    assert day.locator(".ravand-daynum").inner_text() == "۱۲"
    clash = page.locator("#clash-list li")
    assert clash.count() == 1 and "همایش روز شهر" in clash.inner_text()
    screenshot(page, "calendar-month")

    page.click("text=نمای هفته")
    page.goto(f"{live_server.url}/calendar/week?date=2027-01-02")
    assert page.locator(".card[data-date='1405/10/12'] .ravand-occasion").count() == 2
    screenshot(page, "calendar-week")
    ics = page.request.get(f"{live_server.url}/calendar/mayor.ics?from=2027-01-01&to=2027-01-31")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.text().count("BEGIN:VEVENT") == 2 and f"mayor-calendar-{accepted.id}@ravand" in ics.text()


def test_a_poll_is_published_answered_by_three_people_and_shown_with_its_results(
    live_server, page, browser, login, screenshot
):
    ctx = live_server.ctx
    instance_id = start(ctx, "opinion_poll", dict(polls.DESIGN), user="opinion.expert").id
    code = polls.publish(ctx, instance_id)

    people = [
        ("۰۹۱۲۱۲۳۴۵۶۷", "5", "1", "قطارهای بیشتر در ساعت شلوغی"),
        ("09351112233", "3", "1", ""),
        ("09011112233", "4", "3", ""),
    ]
    for n, (phone, scale, choice, text) in enumerate(people):
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fa-IR")
        citizen = context.new_page()
        citizen.goto(f"{live_server.url}/polls/{code}")
        if n == 0:
            assert citizen.locator("html").get_attribute("dir") == "rtl"
            screenshot(citizen, "poll-questionnaire")
        citizen.click(f"label[for=q1-{scale}]")
        citizen.check(f"#q2-{choice}")
        if text:
            citizen.fill("#q3", text)
        citizen.fill("#phone", phone)
        citizen.click("button[type=submit]")
        citizen.locator("#poll-thanks").wait_for()
        if n == 0:  # the same person again is refused, in Persian
            citizen.goto(f"{live_server.url}/polls/{code}")
            citizen.click("label[for=q1-2]")
            citizen.check("#q2-2")
            citizen.fill("#phone", "0912 123 4567")
            citizen.click("button[type=submit]")
            assert "پیش‌تر پاسخ داده شده" in citizen.locator("#poll-error").inner_text()
        context.close()

    login(page, "opinion.expert")
    page.goto(f"{live_server.url}/polls/{code}/results")
    assert page.locator("#answer-count").inner_text() == "۳"
    assert page.locator("#satisfaction-index").inner_text() == "۷۵"
    assert page.locator("canvas.ravand-chart").count() == 2
    wait_until(page, "() => document.querySelectorAll('canvas.ravand-chart')[0].width > 0")
    assert "قطارهای بیشتر در ساعت شلوغی" in page.locator("[data-question=q3]").inner_text()
    assert page.locator(".ravand-qr svg").count() == 1
    screenshot(page, "poll-results")
    xlsx = page.request.get(f"{live_server.url}/polls/{code}/answers.xlsx")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    csv = page.request.get(f"{live_server.url}/polls/{code}/answers.csv").text()
    assert csv.count("\n") == 4 and "صبح" in csv

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-poll")
    page.wait_for_url(re.compile(r"/results$"))
    assert page.locator("#poll-state").inner_text() == "بسته"
    assert [t["element_id"] for t in list_tasks(ctx, TaskQuery(instance_id=instance_id))] == ["analyse"]
    assert results.results(ctx, "opinion.head", code)["answers"] == 3


def test_a_units_scorecard_matches_its_cases(live_server, page, login, screenshot):
    ctx = live_server.ctx
    with time_machine.travel(utcnow(), tick=True) as clock:
        policy, meeting = cards.policy_case(ctx, clock), cards.meeting_case(ctx, clock)
    login(page, "coord.head")
    year, half = current_period(ctx.clock.now())
    page.goto(f"{live_server.url}/scorecards/?year={year}&period={half}")
    row = page.locator("tr[data-unit='region-04'] td")
    assert [row.nth(i).inner_text().strip() for i in range(1, 7)] == [
        "۱ / ۱",
        "۸۵",
        "۱ / ۱",
        "۴",
        "۱۰۰٪",
        "۱۰۰٪",
    ]
    assert "۱ اجرانشده" in page.locator("tr[data-unit='region-02']").inner_text()
    screenshot(page, "scorecards")
    page.click("tr[data-unit='region-04'] a")
    page.wait_for_url(re.compile(r"/scorecards/region-04"))
    assert page.locator("#indicators").inner_text().split() == [
        "اجرای",
        "سیاست‌ها",
        "۸۵",
        "پاسخگویی",
        "به",
        "شهروندان",
        "۸۷٫۵",
        "گزارش‌دهی",
        "به‌موقع",
        "۱۰۰",
    ]
    assert page.locator("a", has_text=to_persian_digits(policy)).count() >= 1
    assert page.locator("a", has_text=to_persian_digits(meeting)).count() >= 1
    screenshot(page, "scorecard-report")
    pdf = page.request.get(f"{live_server.url}/scorecards/region-04.pdf?year={year}&period={half}")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "کارنامه" in PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()


def test_a_case_prints_as_a_persian_pdf(live_server, page, login, screenshot):
    ctx = live_server.ctx
    case = invitations.accept(ctx)
    letter = show(ctx, case.id)["letters"][0]["number"]
    login(page, "protocol.head")
    page.goto(f"{live_server.url}/cases/{case.id}/print")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("td.registry-number").inner_text() == letter
    screenshot(page, "case-print")
    response = page.request.get(f"{live_server.url}/cases/{case.id}/print.pdf")
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    for words in (
        "پرونده",
        "افتتاح هفته فرهنگی استانبول در تهران",
        "نام دستگاه یا نهاد دعوت‌کننده",
        "سفارت جمهوری ترکیه",
        "سابقه",
        "نامه‌ها",
    ):
        assert words.replace("\u200c", "") in text.replace("\u200c", ""), words
    assert (
        to_jalali_str(tehran_today() + timedelta(days=0)).split("/")[0] in text
    )  # Jalali year, Persian digits
    fonts = {f for p in reader.pages for f in (p["/Resources"]["/Font"].get_object() or {}).values()}
    assert any("Vazirmatn" in str(f.get_object()["/BaseFont"]) for f in fonts)
    if shutil.which("pdftoppm") and SCREENSHOTS.exists():
        (SCREENSHOTS / "case-print.pdf").write_bytes(response.body())
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                str(SCREENSHOTS / "case-print.pdf"),
                str(SCREENSHOTS / "case-pdf"),
            ],
            check=True,
        )
