"""The front door: staff land in their inbox; visitors see sign-in and the public requests, nothing else."""

from __future__ import annotations

from tests.integration.support import login


def test_visitors_get_the_two_doors_and_staff_their_inbox(app, clock):
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert 'dir="rtl"' in page and "ورود" in page and "/public/" in page
    assert "۱۴۰۵/۰۲/۰۵" in page  # today, by the engine's clock, in Jalali with Persian digits
    assert "process_key" not in page and "citizen_meeting" not in page
    login(client, "coord.expert")
    assert client.get("/").headers["Location"].endswith("/inbox/")
