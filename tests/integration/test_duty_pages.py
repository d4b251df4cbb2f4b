"""The duty tools' pages over HTTP: who may open them, what a bad request gets (a precise message and a
4xx, never a traceback), and the files they give (iCalendar, CSV and Excel, PDF)."""

from __future__ import annotations

import io
import shutil

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from pypdf import PdfReader

from engine.context import Context
from engine.db import Database
from engine.definitions.bundle import collect_bundles
from engine.definitions.deployment import deploy
from engine.demo.seed import seed_demo
from engine.runtime.starting import start
from tests.integration.support import PASSWORD, login
from tests.processes import test_mayor_calendar as invitations
from tests.processes import test_opinion_poll as polls
from web import create_app

ROOT = invitations.ROOT


@pytest.fixture(scope="module")
def duty_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("duties") / "template.db"
    database = Database(f"sqlite:///{path}")
    database.create_all()
    ctx = Context(database)
    seed_demo(ctx, password=PASSWORD)
    for bundle in collect_bundles([ROOT / "processes"], ROOT / "forms"):
        if bundle.key in ("mayor_calendar", "opinion_poll"):
            deploy(ctx, bundle)
    database.dispose()
    return path


@pytest.fixture
def app(duty_template, tmp_path):
    shutil.copy(duty_template, tmp_path / "w.db")
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/w.db", "TESTING": True, "WTF_CSRF_ENABLED": False}
    )


def client_of(app, username: str | None = None):
    client = app.test_client()
    if username:
        login(client, username)
    return client


def test_the_calendar_is_for_protocol_and_refuses_a_bad_month(app):
    invitations.accept(app.extensions["ravand"])
    assert client_of(app).get("/calendar/").status_code == 302  # to the login page
    refused = client_of(app, "coord.expert").get("/calendar/")
    assert refused.status_code == 403 and "ویژه اداره تشریفات" in refused.get_data(as_text=True)
    protocol = client_of(app, "protocol.head")
    bad = protocol.get("/calendar/?year=1405&month=13")
    assert bad.status_code == 422 and "چنین ماه شمسی‌ای نیست" in bad.get_data(as_text=True)
    page = protocol.get("/calendar/?year=۱۴۰۵&month=۱۰").get_data(as_text=True)
    assert "افتتاح هفته فرهنگی استانبول در تهران" in page and "۱۰:۱۵" in page
    ics = protocol.get("/calendar/mayor.ics?from=2027-01-01&to=2027-01-31")
    assert ics.mimetype == "text/calendar"
    (event,) = Calendar.from_ical(ics.data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "افتتاح هفته فرهنگی استانبول در تهران"
    english = protocol.get("/calendar/week?date=2027-01-02&lang=en").get_data(as_text=True)
    assert "The mayor's week" in english
    assert "10:15" in english


def test_the_public_questionnaire_takes_one_answer_per_number_and_shows_errors(app):
    ctx = app.extensions["ravand"]
    code = polls.publish(ctx, start(ctx, "opinion_poll", dict(polls.DESIGN), user="opinion.expert").id)
    public = client_of(app)
    assert public.get("/polls/unknown-code").status_code == 404
    bad = public.post(f"/polls/{code}", data={"q1": "7", "phone": "12"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "شماره همراه را مانند ۰۹۱۲۱۲۳۴۵۶۷ وارد کنید." in page
    good = public.post(f"/polls/{code}", data={"q1": "4", "q2": "2", "phone": "۰۹۱۲۱۲۳۴۵۶۷"})
    assert good.status_code == 302 and good.location.endswith(f"/polls/{code}/thanks")
    again = public.post(f"/polls/{code}", data={"q1": "1", "q2": "1", "phone": "09121234567"})
    assert again.status_code == 409 and "پیش‌تر پاسخ داده شده" in again.get_data(as_text=True)

    assert client_of(app).get(f"/polls/{code}/results").status_code == 302
    assert client_of(app, "protocol.expert").get(f"/polls/{code}/results").status_code == 403
    staff = client_of(app, "opinion.head")
    assert staff.get(f"/polls/{code}/results.json").get_json()["answers"] == 1
    book = load_workbook(io.BytesIO(staff.get(f"/polls/{code}/answers.xlsx").data))
    assert [c.value for c in book.active[2]][1:] == [4, "ظهر", None]
    assert staff.get(f"/polls/{code}/qr.svg").mimetype == "image/svg+xml"
    assert staff.post(f"/polls/{code}/close").status_code == 302
    closed = public.get(f"/polls/{code}").get_data(as_text=True)
    assert "این افکارسنجی بسته شده است" in closed and "poll-form" not in closed


def test_a_case_file_is_for_those_who_may_see_the_case(app):
    case = invitations.accept(app.extensions["ravand"])
    assert client_of(app, "coord.expert").get(f"/cases/{case.id}/print").status_code == 404
    assert client_of(app, "protocol.expert").get("/cases/999999/print.pdf").status_code == 404
    pdf = client_of(app, "protocol.expert").get(f"/cases/{case.id}/print.pdf")
    assert pdf.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "سفارت جمهوری ترکیه" in text and "شهرداری تهران" in text
