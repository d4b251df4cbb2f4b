"""Over HTTP: a walk-in request with a wrong national id check digit or a mobile in the wrong form comes
back with the expected form in Persian and starts nothing; good values in Persian digits are stored in
Latin digits; a meeting set in the past is refused at its field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.cases.show import show
from engine.definitions.bundle import collect_bundles
from engine.definitions.deployment import deploy
from engine.models import ProcessInstance
from engine.work import tasks
from tests.integration.support import client_of
from tests.processes.conftest import task_named
from tests.processes.test_citizen_meeting import REQUEST

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(make_app):
    app = make_app(catalog=ROOT / "processes")
    bundles = collect_bundles([ROOT / "processes"], ROOT / "forms")
    deploy(app.extensions["ravand"], next(b for b in bundles if b.key == "citizen_meeting"))
    return app


def instances(app) -> int:
    with app.extensions["ravand"].db.read() as session:
        return session.scalar(select(func.count()).select_from(ProcessInstance))


def test_a_walk_in_request_gets_the_expected_form_of_each_bad_field(app):
    clerk = client_of(app, "coord.expert")
    before = instances(app)
    bad = {**REQUEST, "national_id": "۰۰۱۲۳۴۵۶۷۸", "phone": "۹۱۲۱۲۳"}
    answer = clerk.post("/start/citizen_meeting/walk-in", json={"data": bad})
    assert answer.status_code == 422
    fields = answer.get_json()["fields"]
    assert fields["national_id"] == "کد ملی معتبر نیست: رقم کنترل آن درست نیست"
    assert fields["phone"] == "باید شماره همراه ۱۱ رقمی باشد که با ۰۹ آغاز می‌شود، مانند ۰۹۱۲۱۲۳۴۵۶۷"
    english = clerk.post(
        "/start/citizen_meeting/walk-in?lang=en", json={"data": bad}, headers={"Accept-Language": "en"}
    )
    assert instances(app) == before

    good = {**REQUEST, "national_id": "۰۰۱۲۳۴۵۶۷۹", "phone": "+98 912 123 4567"}
    assert clerk.post("/start/citizen_meeting/walk-in", json={"data": good}).status_code == 200
    with app.extensions["ravand"].db.read() as session:
        newest = session.scalar(select(func.max(ProcessInstance.id)))
    data = show(app.extensions["ravand"], newest)["data"]
    assert (data["national_id"], data["phone"], data["national_id_valid"]) == (
        "0012345679",
        "09121234567",
        True,
    )
    assert english.status_code == 422


def test_a_meeting_in_the_past_is_refused_at_its_field(app):
    ctx = app.extensions["ravand"]
    clerk = client_of(app, "coord.expert")
    assert clerk.post("/start/citizen_meeting/walk-in", json={"data": REQUEST}).status_code == 200
    with ctx.db.read() as session:
        case = session.scalar(select(func.max(ProcessInstance.id)))
    tasks.complete(ctx, task_named(ctx, case, "review_request")["id"], {"intake": "refer"}, "coord.expert")
    slot = task_named(ctx, case, "schedule_unit")
    manager = client_of(app, "region05.manager")
    page = manager.get(f"/inbox/tasks/{slot['id']}").get_data(as_text=True)
    schema = json.loads(re.search(r'id="form-schema">(.*?)</script>', page, re.S).group(1))
    (time_field,) = [c for c in schema["components"] if c.get("key") == "meeting_time"]
    assert time_field["type"] == "textfield"  # not form-js's 12-hour input
    assert time_field["description"] == "ساعت ۲۴ساعته، مانند ۱۴:۳۰"
    meeting = {"meeting_time": "۱۰:۳۰", "meeting_place": "شهرداری منطقه ۵", "meeting_official": "معاون منطقه"}
    past = manager.post(
        f"/inbox/tasks/{slot['id']}/complete", json={"data": {**meeting, "meeting_date": "۱۴۰۰/۰۱/۰۱"}}
    )
    assert past.status_code == 422
    assert past.get_json()["fields"] == {"meeting_date": "باید امروز یا روزی پس از آن باشد"}
    assert task_named(ctx, case, "schedule_unit")["id"] == slot["id"]  # still open, nothing saved
    later = manager.post(
        f"/inbox/tasks/{slot['id']}/complete", json={"data": {**meeting, "meeting_date": "۱۴۹۹/۰۱/۰۱"}}
    )
    assert later.status_code == 200


def test_the_public_form_shows_the_expected_form_of_each_identifier(app):
    page = app.test_client().get("/public/citizen_meeting").get_data(as_text=True)
    national = page[page.index('id="f-national_id"') - 200 : page.index('id="f-national_id"') + 400]
    assert (
        'placeholder="۰۰۱۲۳۴۵۶۷۹"' in national
        and 'inputmode="numeric"' in national
        and 'dir="ltr"' in national
    )
    mobile = page[page.index('id="f-phone"') : page.index('id="f-phone"') + 400]
    assert 'placeholder="۰۹۱۲۱۲۳۴۵۶۷"' in mobile and 'autocomplete="tel"' in mobile


def test_the_staff_form_says_under_each_identifier_what_it_looks_like(app):
    page = client_of(app, "coord.expert").get("/start/citizen_meeting/walk-in").get_data(as_text=True)
    schema = json.loads(re.search(r'id="form-schema">(.*?)</script>', page, re.S).group(1))
    hints = {c["key"]: c.get("description") for c in schema["components"] if c.get("key")}
    assert hints["national_id"] == "مانند ۰۰۱۲۳۴۵۶۷۹" and hints["phone"] == "مانند ۰۹۱۲۱۲۳۴۵۶۷"
    assert hints["full_name"] is None
