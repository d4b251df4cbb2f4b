"""A citizen's whole meeting in the browser: request on the public page, staff steps through the engine,
the survey link by SMS (in the fake gateway's log), the meeting on the status page, the answer from
the link, the outcome to read; a used link and a wrong one are refused."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine.calendar.jalali import tehran_today, to_jalali_str
from engine.definitions.bundle import collect_bundles
from engine.models import ProcessInstance, utcnow
from engine.notify.fake_gateway import FakeGateway
from engine.runtime.jobs import run_due_jobs
from engine.work.inbox import TaskQuery, list_tasks
from engine.work.tasks import complete
from tests.e2e.conftest import ROOT
from tests.e2e.test_public_browser import TO_ASCII, fill_request, solve_challenge

pytestmark = pytest.mark.browser


@pytest.fixture
def live_bundles():
    return [b for b in collect_bundles([ROOT / "processes"], ROOT / "forms") if b.key == "citizen_meeting"]


@pytest.fixture
def live_config():
    return {}


@pytest.fixture
def gateway(monkeypatch, tmp_path, live_server):
    server = FakeGateway(key="demo", log_path=tmp_path / "sms.jsonl").start()
    monkeypatch.setenv("RAVAND_SMS_SENDER", "kavenegar")
    monkeypatch.setenv("RAVAND_SMS_API_KEY", "demo")
    monkeypatch.setenv("RAVAND_SMS_URL", server.url)
    monkeypatch.setenv("RAVAND_PUBLIC_URL", live_server.url)
    yield server
    server.shutdown()
    server.server_close()


def staff(ctx, iid: int, element_id: str, data: dict, user: str) -> None:
    (task,) = [t for t in list_tasks(ctx, TaskQuery(instance_id=iid)) if t["element_id"] == element_id]
    complete(ctx, task["id"], data, user=user)


def test_the_citizen_answers_the_survey_from_the_sms_link(live_server, gateway, page, screenshot):
    ctx = live_server.ctx
    page.goto(f"{live_server.url}/public/citizen_meeting")
    fill_request(page, "پیاده‌روی خیابان محله ما ماه‌هاست خراب است و می‌خواهم با مدیر منطقه دیدار کنم.")
    solve_challenge(page)
    page.click("button:has-text('ثبت درخواست')")
    page.wait_for_url(re.compile(r"/public/received$"))
    code = page.locator("#tracking-code").inner_text().strip().translate(TO_ASCII)
    with ctx.db.read() as session:
        iid = session.scalar(select(ProcessInstance.id).where(ProcessInstance.tracking_code == code))

    with time_machine.travel(utcnow(), tick=True) as clock:
        staff(ctx, iid, "review_request", {"intake": "refer"}, "coord.expert")
        meeting_day = tehran_today() + timedelta(days=3)
        staff(
            ctx,
            iid,
            "schedule_unit",
            {
                "meeting_date": to_jalali_str(meeting_day),
                "meeting_time": "۱۰:۳۰",
                "meeting_place": "ساختمان شهرداری منطقه ۵، طبقه دوم",
                "meeting_official": "معاون خدمات شهری منطقه",
            },
            "region05.manager",
        )
        page.goto(f"{live_server.url}/public/status?code={code}")
        facts = page.locator("#case-facts").inner_text()
        assert to_jalali_str(meeting_day) in facts and "نتیجه" not in facts
        assert "۱۰:۳۰" in facts and "ساختمان شهرداری منطقه ۵" in facts
        screenshot(page, "door-status-scheduled")

        clock.shift(timedelta(days=4))
        run_due_jobs(ctx)
        staff(
            ctx,
            iid,
            "minutes_unit",
            {
                "meeting_held": "held",
                "minutes": "درخواست شهروند بررسی و ترمیم پیاده‌رو پذیرفته شد.",
                "commitments": [],
            },
            "region05.manager",
        )
        clock.shift(timedelta(seconds=5))
        run_due_jobs(ctx)

    (sms,) = gateway.messages
    assert sms["receptor"] == "09121234567"
    assert sms in [json.loads(line) for line in gateway.log_path.read_text(encoding="utf-8").splitlines()]
    link = re.search(r"http://\S+/public/door/\d{10}/\S+", sms["message"]).group(0)

    page.goto(f"{live_server.url}/public/status?code={code}")
    assert "رضایت شما از ملاقات" in page.locator("#door-asked").inner_text()
    screenshot(page, "door-status-waiting")

    page.goto(link)
    page.locator("#door-form").wait_for()
    screenshot(page, "door-survey")
    page.click("button:has-text('ارسال پاسخ')")
    page.locator(".invalid-feedback").first.wait_for()  # the score is required
    page.locator("input[name=score][value='4']").check()
    page.locator("textarea[name=comment]").fill("برخورد خوبی داشتند.")
    page.click("button:has-text('ارسال پاسخ')")
    page.locator("#answer-received").wait_for()
    assert "به پایان رسیده" in page.locator("#status-message").inner_text()
    outcome = page.locator("#case-facts").inner_text()
    assert "ملاقات برگزار شد و پرونده با ثبت نظر شما بسته شد." in outcome
    screenshot(page, "door-status-done")

    replay = page.goto(link)
    assert replay.status == 409 and "قبلاً" in page.locator("#door-notice").inner_text()
    screenshot(page, "door-used")
    wrong = page.goto(link[:-3] + "xyz")
    assert wrong.status == 404


def test_a_clerk_registers_a_walk_in_citizen_and_sees_the_code_to_print(live_server, page, login, screenshot):
    login(page, "coord.expert")
    page.goto(f"{live_server.url}/start/")
    page.locator("#walk-in").get_by_text("ملاقات مردمی").click()
    page.locator("#walk-in-note").wait_for()
    page.get_by_label("نام و نام خانوادگی").wait_for()
    screenshot(page, "walk-in-form")
    # The start form posts its data as JSON (form-js); the same request, from the logged-in page.
    token = page.evaluate("document.querySelector('meta[name=csrf-token]')?.content || ''")
    answer = page.request.post(
        f"{live_server.url}/start/citizen_meeting/walk-in",
        data=json.dumps({"data": WALK_IN}),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert answer.ok, answer.text()
    page.goto(live_server.url + answer.json()["redirect"])
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[۰-۹]{10}", code)
    screenshot(page, "walk-in-receipt")
    page.goto(f"{live_server.url}/public/status?code={code}")
    assert "در حال رسیدگی" in page.locator("#status-message").inner_text()


WALK_IN = {
    "full_name": "حسن کریمی",
    "national_id": "0012345679",
    "phone": "09121234567",
    "region": "region-05",
    "topic": "urban_services",
    "urgency": "normal",
    "description": "شهروند حضوری مراجعه کرد: چراغ‌های کوچه ما یک ماه است خاموش است.",
}
