"""The public forms: no login, server-side validation, a spam guard, a tracking code, files as attachments."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from engine.cases.show import show
from engine.models import Attachment, HumanTask, ProcessInstance
from tests.integration.support import PUBLIC_PROCESS
from tests.integration.test_api_attachments import PDF

URL = f"/public/{PUBLIC_PROCESS}"
PERSIAN = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
GOOD = {
    "full_name": "مینا رستمی",
    "phone": "۰۹۱۲۱۲۳۴۵۶۷",
    "topic": "urban",
    "description": "درخواست دیدار برای پیگیری وضعیت پیاده‌رو محله",
    "preferred_date": "۱۴۰۵/۰۲/۱۰",
}


def challenge(page: str) -> dict:
    """The challenge token and its right answer, read from the page as a person would."""
    token = re.search(r'name="challenge_token" value="([^"]+)"', page).group(1)
    a, b = re.search(r"([۰-۹0-9]+) \+ ([۰-۹0-9]+)", page).groups()
    return {"challenge_token": token, "challenge": str(int(a.translate(PERSIAN)) + int(b.translate(PERSIAN)))}


def submit(client, data: dict, solve: bool = True, address: str = "127.0.0.1"):
    environ = {"REMOTE_ADDR": address}
    page = client.get(URL, environ_base=environ).get_data(as_text=True)
    answer = challenge(page) if solve else {**challenge(page), "challenge": "999"}
    return client.post(URL, data={**data, **answer}, content_type="multipart/form-data", environ_base=environ)


def instances(app) -> list[ProcessInstance]:
    with app.extensions["ravand"].db.transaction() as session:
        return session.scalars(select(ProcessInstance)).all()


def test_the_index_lists_the_public_processes_and_the_lookup(app):
    page = app.test_client().get("/public/").get_data(as_text=True)
    assert "درخواست شهروند (آزمون)" in page and f'href="{URL}"' in page
    assert 'action="/public/status"' in page and 'dir="rtl"' in page
    english = app.test_client().get("/public/?lang=en").get_data(as_text=True)
    assert "Citizen request (test)" in english and "Requests from citizens" in english


def test_the_form_is_plain_html_inputs_from_the_start_form(app):
    response = app.test_client().get(URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("full_name", "phone", "description", "preferred_date", "challenge"):
        assert f'name="{name}"' in page, name
    assert '<select class="form-select" id="f-topic" name="topic" required>' in page
    assert '<option value="traffic" >ترافیک</option>' in page
    assert 'type="file" id="f-documents" name="documents"' in page
    assert "۱۴۰۵/۰۱/۱۲" in page  # the Jalali date hint, in Persian digits
    assert re.search(r"حاصل [۰-۹] \+ [۰-۹] چند است", page)


def test_a_valid_request_starts_the_process_and_shows_the_tracking_code(app, tmp_path):
    client = app.test_client()
    response = submit(client, {**GOOD, "documents": (io.BytesIO(PDF), "نامه.pdf")})
    assert response.status_code == 302 and response.location == "/public/received"
    page = client.get("/public/received").get_data(as_text=True)
    (instance,) = instances(app)
    assert re.fullmatch(r"[0-9]{10}", instance.tracking_code) and instance.started_by is None
    assert instance.tracking_code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in page
    assert "کد رهگیری شما" in page
    with app.extensions["ravand"].db.transaction() as session:
        task = session.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))
        assert task.role_code == "coord_expert"
        (attachment,) = session.scalars(select(Attachment)).all()
        assert attachment.field == "documents" and attachment.uploaded_by is None
    shown = show(app.extensions["ravand"], instance.id)
    # typed in Persian digits, stored in Latin digits
    assert shown["data"]["preferred_date"] == "2026-04-30" and shown["data"]["phone"] == "09121234567"
    assert shown["data"]["documents"] == ["نامه.pdf"]


def test_invalid_fields_come_back_beside_the_fields_and_nothing_starts(app):
    client = app.test_client()
    response = submit(client, {"full_name": "مینا", "phone": "تلفن", "preferred_date": "1405/13/40"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("invalid-feedback d-block") == 4  # phone, topic, description, preferred date
    assert 'value="مینا"' in page and "الزامی" in page
    assert instances(app) == []


def test_a_file_that_is_not_a_document_is_refused_at_its_field(app):
    response = submit(app.test_client(), {**GOOD, "documents": (io.BytesIO(b"MZ\x90\x00"), "form.pdf")})
    assert response.status_code == 422
    assert "form.pdf" in response.get_data(as_text=True)
    assert instances(app) == []


def test_the_spam_guard_wants_the_sum_refuses_the_honeypot_and_limits_each_address(make_app):
    app = make_app(RAVAND_PUBLIC_SUBMIT_LIMIT=2)
    client = app.test_client()
    wrong = submit(client, GOOD, solve=False)
    assert wrong.status_code == 422 and "پاسخ جمع درست نیست" in wrong.get_data(as_text=True)
    assert submit(client, {**GOOD, "website": "http://spam.example"}).status_code == 400
    assert submit(client, GOOD).status_code == 302
    limited = submit(client, GOOD)
    assert limited.status_code == 429 and "چند دقیقهٔ دیگر" in limited.get_data(as_text=True)
    assert submit(app.test_client(), GOOD, address="10.0.0.9").status_code == 302
    with app.extensions["ravand"].db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 2


def test_only_deployed_public_processes_have_a_form(app):
    assert app.test_client().get("/public/policy_rollout").status_code == 404
    assert app.test_client().get("/public/received").location == "/public/"


def test_the_form_works_with_csrf_protection_on(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get(URL).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(URL, data={**GOOD, **challenge(page)}).status_code == 400
    response = client.post(URL, data={**GOOD, **challenge(page), "csrf_token": token})
    assert response.status_code == 302
