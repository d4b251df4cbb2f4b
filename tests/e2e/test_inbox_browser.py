"""A staff member logs in, finds a task, fills its form with a Jalali date, sees a validation error,
fixes it and completes the task; the start page and "my requests" on a phone."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.cases.show import show
from engine.models import HumanTask, OrgUnit, Position, Role, User
from engine.runtime.starting import start

pytestmark = pytest.mark.browser


def test_a_staff_member_completes_a_task_with_a_jalali_date(live_server, page, login, screenshot):
    instance = start(live_server.ctx, "leave_request", {"title": "مرخصی استحقاقی"}, user="coord.head")
    login(page, "coord.expert")
    assert page.url.endswith("/inbox/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.click("text=کارهای گروه من")
    row = page.locator(".inbox-row", has_text="مرخصی استحقاقی")
    assert re.search(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}", row.inner_text())  # Jalali, Persian digits
    screenshot(page, "inbox-group")
    row.get_by_role("button", name="برداشتن").click()
    page.wait_for_url(re.compile(r"/inbox/tasks/"))
    assert page.locator(".alert-success").inner_text().strip().startswith("اکنون این کار با شماست")
    page.wait_for_selector(".ravand-diagram[data-marked=fill_request]")  # the current step on the diagram

    page.get_by_label("تاریخ شروع مرخصی *").fill("۱۴۰۵/۱۳/۰۱")
    page.get_by_label("تعداد روز *").fill("۳")  # Persian digits, as a Persian keyboard types them
    page.click("button:has-text('انجام شد، ارسال')")
    error = page.locator(".fjs-form-field-error", has_text="باید تاریخی مانند ۱۴۰۵/۰۱/۱۲ باشد")
    error.wait_for()
    assert page.locator(".ravand-form-status").inner_text() == "اطلاعات ارسال‌شده معتبر نیست."
    screenshot(page, "task-validation-error")

    page.get_by_label("تاریخ شروع مرخصی *").fill("۱۴۰۵/۰۱/۱۲")
    page.click("button:has-text('انجام شد، ارسال')")
    page.wait_for_url(re.compile(r"/inbox/$"))
    assert "کار «تکمیل درخواست مرخصی» انجام شد." in page.locator(".alert-success").inner_text()
    screenshot(page, "inbox-after-completion")
    with live_server.ctx.db.transaction() as session:
        done = session.scalar(
            select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.element_id == "fill_request"
            )
        )
        assert (done.state, done.completed_by) == ("completed", "coord.expert")
    data = show(live_server.ctx, instance.id)["data"]
    assert (data["start_date"], data["days"]) == ("2026-04-01", 3)


def test_when_the_next_step_is_also_the_users_the_browser_goes_straight_to_it(
    live_server, page, login, screenshot
):
    with live_server.ctx.db.transaction() as session:  # the head also works as a coordination expert
        head = session.scalar(select(User).where(User.username == "coord.head"))
        role = session.scalar(select(Role).where(Role.code == "coord_expert"))
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "dept_coord"))
        session.add(Position(user=head, role=role, unit=unit))
    instance = start(live_server.ctx, "leave_request", {"title": "مرخصی رئیس"}, user="coord.head")
    with live_server.ctx.db.transaction() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id))
    login(page, "coord.head")
    page.goto(f"{live_server.url}/inbox/tasks/{task_id}")
    page.get_by_label("تاریخ شروع مرخصی *").fill("۱۴۰۵/۰۱/۱۲")
    page.get_by_label("تعداد روز *").fill("۲")
    page.click("button:has-text('انجام شد، ارسال')")
    page.wait_for_selector(".ravand-diagram[data-marked=approve]")  # the approval's own page
    assert "گام بعدی، «تأیید مرخصی»، هم با شماست." in page.locator(".alert-info").inner_text()
    screenshot(page, "next-step-is-yours")


def test_starting_a_process_on_a_phone(live_server, phone, login, screenshot):
    phone.goto(f"{live_server.url}/login")
    screenshot(phone, "phone-login")
    login(phone, "coord.expert")
    screenshot(phone, "phone-inbox-empty")
    phone.goto(f"{live_server.url}/start/")
    screenshot(phone, "phone-start")
    phone.click("text=درخواست مرخصی")
    phone.click("button:has-text('شروع')")
    phone.locator(".fjs-form-field-error", has_text="پر کردن این فیلد الزامی است").wait_for()
    phone.get_by_label("عنوان درخواست *").fill("مرخصی نوروز")
    phone.click("button:has-text('شروع')")
    phone.wait_for_url(re.compile(r"/inbox/tasks/"))  # the first task is the starter's
    assert "مرخصی نوروز" in phone.locator("main").inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the task page is {width}px wide on a 390px screen"
    screenshot(phone, "phone-task")
    phone.goto(f"{live_server.url}/my-requests/")
    assert "مرخصی نوروز" in phone.locator("main").inner_text()
    screenshot(phone, "phone-my-requests")


def test_a_date_is_picked_from_the_jalali_calendar_on_a_phone(live_server, phone, login, screenshot):
    instance = start(live_server.ctx, "leave_request", {"title": "مرخصی با تقویم"}, user="coord.head")
    login(phone, "coord.expert")
    with live_server.ctx.db.transaction() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id))
    phone.goto(f"{live_server.url}/inbox/tasks/{task_id}")
    phone.click("button:has-text('برداشتن')")
    field = phone.get_by_label("تاریخ شروع مرخصی *")
    field.click()
    picker = phone.locator("jdp-container")
    picker.wait_for(state="visible")
    picker.locator(".jdp-year select").select_option("1405")
    picker.locator(".jdp-month select").select_option("1")
    assert "فروردین" in picker.inner_text() and "۱۴۰۵" in picker.inner_text()  # Persian digits
    box = picker.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"the picker is cut off: {box}"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "phone-date-picker")
    picker.locator(".jdp-day:not(.not-in-month)", has_text=re.compile("^۱۲$")).click()
    picker.wait_for(state="hidden")
    phone.locator("input[data-date-picker=settled]").wait_for()  # the opening is over: a quick pick
    assert not picker.is_visible()  # must have stayed closed
    assert field.input_value() == "۱۴۰۵/۰۱/۱۲"

    phone.get_by_label("تعداد روز *").fill("۲")  # typing by hand still works beside the picker
    phone.click("button:has-text('انجام شد، ارسال')")
    phone.wait_for_url(re.compile(r"/inbox/$"))
    data = show(live_server.ctx, instance.id)["data"]
    assert (data["start_date"], data["days"]) == ("2026-04-01", 2)


def test_a_file_is_attached_on_the_task_page(live_server, page, login, screenshot, tmp_path):
    live_server.app.config["RAVAND_ATTACHMENTS_DIR"] = str(tmp_path / "files")
    instance = start(live_server.ctx, "leave_request", {"title": "مرخصی با پیوست"}, user="coord.head")
    with live_server.ctx.db.transaction() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id))
    login(page, "coord.expert")
    page.goto(f"{live_server.url}/inbox/tasks/{task_id}")
    page.set_input_files(
        "#attachment-file",
        files=[{"name": "گواهی.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}],
    )
    page.click("button:has-text('بارگذاری')")
    assert "فایل «گواهی.pdf» پیوست شد." in page.locator(".alert-success").inner_text()
    link = page.locator("#attachments a", has_text="گواهی.pdf")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "گواهی.pdf"
    screenshot(page, "task-attachments")


def test_a_day_picked_while_the_picker_opens_stays_picked_and_closed(live_server, page, login):
    instance = start(live_server.ctx, "leave_request", {"title": "مرخصی فوری"}, user="coord.head")
    with live_server.ctx.db.transaction() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id))
    login(page, "coord.expert")
    page.goto(f"{live_server.url}/inbox/tasks/{task_id}")
    page.click("button:has-text('برداشتن')")
    field = page.get_by_label("تاریخ شروع مرخصی *")
    picked_while_opening = page.evaluate(
        """(input) => {
            input.focus();  // opens the picker, which finishes opening 300 ms later
            const day = [...document.querySelectorAll("jdp-container .jdp-day:not(.not-in-month)")]
                .find((d) => d.textContent.trim() === "۱۰");
            day.click();
            return input.dataset.datePicker;
        }""",
        field.element_handle(),
    )
    assert picked_while_opening == "opening"
    page.locator("input[data-date-picker=settled]").wait_for()
    assert not page.locator("jdp-container").is_visible()
    assert re.fullmatch(r"[۰-۹]{4}/[۰-۹]{2}/۱۰", field.input_value())
