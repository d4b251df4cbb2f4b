"""Integers from URLs and queries are bounded before they reach the database: an id past 2^31 - 1
(PostgreSQL's integer; SQLite's end at 2^63 - 1) names nothing (404), a page or offset past its bound
is invalid (422 in the API, the first page on a page), never a driver overflow answered with a 500."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from engine.models import HumanTask
from engine.runtime.starting import start
from tests.integration.support import LEAVE_CATALOG, client_of, token_for

HUGE = ["2147483648", "9223372036854775807", "9223372036854775808", "18446744073709551616", "1" + "0" * 40]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, make_app):
    if request.param == "postgres":
        return request.getfixturevalue("postgres_app")
    return make_app(LEAVE_CATALOG)


@pytest.fixture
def task_id(app) -> str:
    ctx = app.extensions["ravand"]
    instance = start(ctx, "leave_request", {"title": "مرخصی"}, user="coord.expert")
    with ctx.db.read() as session:
        return session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id))


@pytest.mark.parametrize("number", HUGE)
def test_api_ids_past_the_bound_are_not_found(app, number):
    client, headers = app.test_client(), token_for(app, "admin")
    pdf = {"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "a.pdf")}
    for method, url, body in [
        ("get", f"/api/v1/instances/{number}", None),
        ("get", f"/api/v1/instances/{number}/attachments", None),
        ("post", f"/api/v1/instances/{number}/attachments", pdf),
        ("get", f"/api/v1/attachments/{number}", None),
        ("post", f"/api/v1/notifications/{number}/read", None),
    ]:
        response = getattr(client, method)(url, headers=headers, data=body)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.get_json()["code"] == "not_found"


@pytest.mark.parametrize("number", HUGE)
def test_api_pages_offsets_and_units_past_the_bound_are_invalid(app, number):
    client, headers = app.test_client(), token_for(app, "coord.expert")
    for url, field in [
        (f"/api/v1/tasks?page={number}", "page"),
        (f"/api/v1/tasks?per_page={number}", "per_page"),
        (f"/api/v1/tasks?unit={number}", "unit"),
        (f"/api/v1/requests?offset={number}", "offset"),
        (f"/api/v1/requests?limit={number}", "limit"),
        (f"/api/v1/notifications?offset={number}", "offset"),
    ]:
        response = client.get(url, headers=headers)
        assert response.status_code == 422, (url, response.status_code)
        assert field in response.get_json()["fields"], url


def test_api_bounds_are_inclusive(app, task_id):
    client, headers = app.test_client(), token_for(app, "coord.expert")
    assert (
        client.get("/api/v1/tasks?view=group&page=100000&per_page=200", headers=headers).get_json()["items"]
        == []
    )
    assert client.get("/api/v1/tasks?unit=2147483647", headers=headers).get_json()["total"] == 0
    assert client.get("/api/v1/requests?offset=2147483647", headers=headers).get_json() == []
    assert client.get("/api/v1/instances/2147483647", headers=headers).status_code == 404
    assert client.get("/api/v1/instances/0", headers=headers).status_code == 404
    long_task = client.post("/api/v1/instances/1/attachments", data={"task_id": "x" * 37}, headers=headers)
    assert long_task.status_code == 422 and "task_id" in long_task.get_json()["fields"]


@pytest.mark.parametrize("number", [*HUGE, "-1", "۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹", "²"])
def test_pages_ignore_numbers_that_name_nothing(app, task_id, number):
    expert = client_of(app, "coord.expert")
    assert expert.get(f"/inbox/?view=group&unit={number}").status_code == 200
    listed = expert.get(f"/inbox/?view=group&page={number}")
    assert listed.status_code == 200
    assert expert.get(f"/my-requests/?page={number}").status_code == 200
    admin = client_of(app, "admin")
    for method, url in [
        ("post", f"/inbox/notifications/{number}"),
        ("get", f"/admin/users/{number}"),
        ("post", f"/admin/delegations/{number}/end"),
    ]:
        assert getattr(admin, method)(url).status_code == 404, url
    form = {"action": "add_position", "role_id": number, "unit_id": number}
    assert admin.post("/admin/users/1", data=form, follow_redirects=True).status_code == 200
