"""Referral with a note in a browser: an expert refers a leave request up to the head with a copy to a
colleague of another department, who reads the case and the note but has nothing to act with."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import HumanTask
from engine.runtime.starting import start

pytestmark = pytest.mark.browser


def test_an_expert_refers_a_task_up_with_a_note_and_a_copy(live_server, page, login, screenshot):
    ctx = live_server.ctx
    instance = start(ctx, "leave_request", {"title": "مرخصی برای ارجاع"}, user="coord.expert")
    with ctx.db.read() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id))
    login(page, "coord.expert")
    page.goto(f"{live_server.url}/inbox/tasks/{task_id}")
    card = page.locator("#referral")
    assert "ارجاع با هامش" in card.inner_text()
    assert page.locator("#refer-to optgroup[label='بالا: رئیس واحد'] option").all_inner_texts() == [
        "علی رضایی"
    ]
    page.select_option("#refer-to", "coord.head")
    page.fill("#refer-note", "لطفاً پیش از تأیید، مانده مرخصی ایشان بررسی شود.")
    page.select_option("#refer-copies", ["social.expert"])
    screenshot(page, "referral-form")
    card.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/inbox/")
    assert "کار به علی رضایی ارجاع شد" in page.locator(".alert-success").first.inner_text()

    page.context.clear_cookies()
    login(page, "social.expert")
    page.goto(f"{live_server.url}/inbox/notifications/")
    assert "مرخصی برای ارجاع" in page.locator("#notice-groups").inner_text()
    page.locator("#notice-groups button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/inbox/tasks/{task_id}")
    assert page.locator("#copy-reader").is_visible()
    history = page.locator("#history").inner_text()
    assert "به علی رضایی ارجاع شد" in history and "مانده مرخصی ایشان" in history
    assert page.locator("#referral").count() == 0 and page.locator("button:has-text('تکمیل')").count() == 0
    assert page.locator("#comment-body").count() == 0 and page.locator("#attachment-file").count() == 0
    screenshot(page, "referral-copy-reader")
