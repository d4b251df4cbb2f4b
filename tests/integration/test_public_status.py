"""The status page and its API twin: a tracking code shows where the request stands, in plain words only."""

from __future__ import annotations

import pytest

from engine.cases.public_status import public_state
from engine.work import tasks
from tests.integration.support import token_for
from tests.integration.test_public_forms import GOOD, instances, submit

TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def submitted(app) -> str:
    assert submit(app.test_client(), GOOD).status_code == 302
    (instance,) = instances(app)
    return instance.tracking_code


def test_the_status_page_tells_where_the_request_stands_without_internal_details(app):
    code = submitted(app)
    client = app.test_client()
    response = client.get("/public/status", query_string={"code": code.translate(TO_PERSIAN)})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "درخواست شما دریافت شده و در حال رسیدگی است" in page and "بررسی درخواست" in page
    assert code.translate(TO_PERSIAN) in page and "۱۴۰" in page  # a Jalali date in Persian digits
    for internal in ("coord_expert", "coord.expert", "مینا رستمی", "۰۹۱۲۱۲۳۴۵۶۷", "پیاده‌رو"):
        assert internal not in page

    expert = token_for(app, "coord.expert")
    (task,) = app.test_client().get("/api/v1/tasks?view=group", headers=expert).get_json()["items"]
    tasks.complete(app.extensions["ravand"], task["id"], {"decision": "accept"}, "coord.expert")
    done = client.get(f"/public/status?code={code}").get_data(as_text=True)
    assert "رسیدگی به درخواست شما به پایان رسیده است" in done and "بررسی درخواست" not in done


def test_an_unknown_or_malformed_code_is_not_found(app):
    client = app.test_client()
    unknown = client.get("/public/status?code=0000000000")
    assert unknown.status_code == 404 and "درخواستی با این کد رهگیری پیدا نشد" in unknown.get_data(
        as_text=True
    )
    assert client.get("/public/status?code=12ab").status_code == 404
    assert client.get("/public/status").status_code == 200  # the empty lookup form


def test_lookups_are_rate_limited_per_address(make_app):
    app = make_app(RAVAND_PUBLIC_STATUS_LIMIT=3)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/public/status?code=1234567890").status_code == 404
    assert client.get("/public/status?code=1234567890").status_code == 429
    assert client.get("/api/v1/public/status/1234567890").status_code == 429


def test_the_api_gives_the_same_status_as_json_in_either_language(app):
    code = submitted(app)
    client = app.test_client()
    body = client.get(f"/api/v1/public/status/{code}").get_json()
    assert body["state"] == "in_progress" and body["steps"] == ["بررسی درخواست"]
    assert body["process"] == "درخواست شهروند (آزمون)" and body["ended_at"] is None
    assert set(body) == {
        "tracking_code",
        "process",
        "state",
        "message",
        "steps",
        "received_at",
        "updated_at",
        "ended_at",
    }
    english = client.get(f"/api/v1/public/status/{code}", headers={"Accept-Language": "en"}).get_json()
    assert english["message"] == "Your request has been received and is being handled."
    assert english["process"] == "Citizen request (test)"
    missing = client.get("/api/v1/public/status/0000000000?lang=en")
    assert missing.status_code == 404
    assert missing.get_json() == {
        "code": "unknown_tracking_code",
        "message": "No request has this tracking code.",
    }


@pytest.mark.parametrize(
    ("status", "waits", "expected"),
    [
        ("running", False, "in_progress"),
        ("incident", False, "in_progress"),
        ("running", True, "waiting_for_you"),
        ("suspended", False, "on_hold"),
        ("completed", False, "done"),
        ("terminated", False, "closed"),
    ],
)
def test_internal_statuses_map_to_plain_public_states(status, waits, expected):
    assert public_state(status, waits) == expected
