"""Over HTTP: a clerk registers a walk-in citizen's meeting request and prints the tracking code; a door
link with a wrong token is not found."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.definitions.bundle import collect_bundles
from engine.definitions.deployment import deploy
from tests.integration.support import client_of
from tests.processes.test_citizen_meeting import REQUEST

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(make_app):
    app = make_app(catalog=ROOT / "processes")
    (bundle,) = [
        b for b in collect_bundles([ROOT / "processes"], ROOT / "forms") if b.key == "citizen_meeting"
    ]
    deploy(app.extensions["ravand"], bundle)
    return app


def test_a_clerk_registers_a_walk_in_citizen_and_hands_over_the_code(app):
    clerk = client_of(app, "coord.expert")
    start_page = clerk.get("/start/").get_data(as_text=True)
    assert "/start/citizen_meeting/walk-in" in start_page
    assert clerk.get("/start/citizen_meeting/walk-in").status_code == 200
    bad = clerk.post("/start/citizen_meeting/walk-in", json={"data": {**REQUEST, "phone": "12"}})
    assert bad.status_code == 422
    answer = clerk.post("/start/citizen_meeting/walk-in", json={"data": REQUEST})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    receipt = clerk.get(answer.get_json()["redirect"])
    page = receipt.get_data(as_text=True)
    code = answer.get_json()["redirect"].rsplit("=", 1)[1]
    assert receipt.status_code == 200 and code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in page
    assert "در حال رسیدگی" in app.test_client().get(f"/public/status?code={code}").get_data(as_text=True)

    other = client_of(app, "region05.manager")
    assert other.get("/start/citizen_meeting/walk-in").status_code == 404
    assert other.post("/start/citizen_meeting/walk-in", json={"data": REQUEST}).status_code == 404

    wrong = app.test_client().get(f"/public/door/{code}/not-a-token")
    assert wrong.status_code == 404 and "این پیوند معتبر نیست" in wrong.get_data(as_text=True)
