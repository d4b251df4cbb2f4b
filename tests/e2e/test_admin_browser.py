"""The administrator in a browser: a new user with a position, a delegation typed in Jalali and ended."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import AuditEvent

pytestmark = pytest.mark.browser


def test_the_administrator_adds_a_user_and_a_delegation_and_ends_it(live_server, page, login, screenshot):
    login(page, "admin")
    page.goto(f"{live_server.url}/admin/users/")
    page.fill("#new-username", "new.expert")
    page.fill("#new-full-name", "مریم تازه‌کار")
    page.fill("#new-password", "short")
    page.click("button:has-text('ایجاد')")  # the browser's own check refuses a short password first
    assert page.url.endswith("/admin/users/")
    page.fill("#new-password", "long-enough")
    page.click("button:has-text('ایجاد')")
    page.wait_for_url(lambda url: "/admin/users/" in url and not url.endswith("/admin/users/"))
    assert "کاربر «new.expert» ایجاد شد." in page.locator(".alert-success").inner_text()
    page.select_option("#role", label="کارشناس ارتباطات اجتماعی")
    page.select_option("#unit", label="اداره ارتباطات اجتماعی")
    page.click("button:has-text('افزودن سمت')")
    assert "کارشناس ارتباطات اجتماعی — اداره ارتباطات اجتماعی" in page.locator("main").inner_text()
    screenshot(page, "admin-user")

    page.goto(f"{live_server.url}/admin/delegations/")
    page.select_option("#position", label="مریم تازه‌کار — کارشناس ارتباطات اجتماعی — اداره ارتباطات اجتماعی")
    page.select_option("#substitute", label="نرگس جعفری (opinion.expert)")
    page.fill("#starts", "۱۴۰۰/۰۱/۰۱")
    page.fill("#ends", "۱۴۰۰/۱۳/۰۱")  # no 13th month
    page.click("button:has-text('ذخیره')")
    assert "تاریخ‌ها را شمسی وارد کنید" in page.locator(".alert-danger").inner_text()
    assert (
        page.input_value("#starts") == "۱۴۰۰/۰۱/۰۱"
        and "opinion.expert" in page.locator("#substitute option:checked").inner_text()
    )  # the refused form comes back as it was sent
    page.fill("#ends", "۱۵۰۰/۱۲/۲۹")
    page.fill("#reason", "مأموریت")
    page.click("button:has-text('ذخیره')")
    row = page.locator("tr", has_text="مأموریت")
    assert "اکنون" in row.inner_text()
    screenshot(page, "admin-delegations")
    row.get_by_role("button", name="پایان اکنون").click()
    assert "جانشینی پایان یافت." in page.locator(".alert-success").inner_text()
    assert "اکنون" not in page.locator("tr", has_text="مأموریت").inner_text()
    with live_server.ctx.db.read() as session:
        kinds = session.scalars(select(AuditEvent.kind).where(AuditEvent.actor == "admin")).all()
    assert kinds == ["user_created", "position_added", "delegation_added", "delegation_ended"]
