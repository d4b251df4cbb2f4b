"""The monitor's REST API: figures computed by hand (see test_monitor_pages), scope, actions, OpenAPI."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import HumanTask, User
from engine.org.accounts import new_api_token
from tests.integration.test_monitor_pages import WEEK, build_app, client_of, events, open_task_id, status_of


@pytest.fixture
def app(tmp_path):
    return build_app(tmp_path)


def token_for(app, username: str) -> dict:
    token, hashed = new_api_token()
    with app.extensions["ravand"].db.transaction() as session:
        session.scalar(select(User).where(User.username == username)).api_token_hash = hashed
    return {"Authorization": f"Bearer {token}"}


def test_staff_get_403_and_strangers_401(app):
    assert app.test_client().get("/api/v1/monitor/dashboard").status_code == 401
    response = client_of(app, "coord.expert").get("/api/v1/monitor/dashboard")
    assert response.status_code == 403 and response.json["code"] == "forbidden"


def test_the_figures_of_the_week(app):
    client = client_of(app, "deputy")
    (row,) = client.get("/api/v1/monitor/instances-per-process").json
    assert (row["process_key"], row["running"], row["completed"], row["waiting"]) == (
        "region_report",
        2,
        1,
        0,
    )
    (sla,) = client.get("/api/v1/monitor/sla", query_string={"by": "process", **WEEK}).json
    assert (sla["completed"], sla["on_time"], sla["late"], sla["percent"]) == (3, 2, 1, 66.7)
    by_unit = {
        r["label"]: r["percent"]
        for r in client.get("/api/v1/monitor/sla", query_string={"by": "unit", **WEEK}).json
    }
    assert by_unit == {"منطقه ۱": 100.0, "منطقه ۲": 0.0}
    tasks = {
        r["label"]: (r["open"], r["overdue"]) for r in client.get("/api/v1/monitor/open-tasks?by=unit").json
    }
    assert tasks == {"منطقه ۲": (1, 1), "منطقه ۳": (1, 1)}
    (week,) = client.get("/api/v1/monitor/weeks", query_string=WEEK).json
    assert week == {
        "week": "2026-11-14",
        "label": "۱۴۰۵/۰۸/۲۳",
        "started": 3,
        "completed": 1,
        "cycle_days": 2.0,
        "cycle_working_days": 2.0,
    }
    overdue = client.get("/api/v1/monitor/overdue-tasks").json
    assert sorted(t["name"] for t in overdue) == ["ارسال گزارش", "بررسی گزارش"]
    units = client.get("/api/v1/monitor/units", query_string={"process": "region_report", **WEEK}).json
    assert [u["code"] for u in units["units"][:3]] == ["region-02", "region-03", "region-01"]
    assert units["units"][0]["elements"]["report"] == {
        "done": 1,
        "late": 1,
        "open": 0,
        "overdue": 0,
        "missed": 0,
    }
    dashboard = client.get("/api/v1/monitor/dashboard", query_string=WEEK).json
    assert dashboard["totals"]["running"] == 2 and len(dashboard["overdue_tasks"]) == 2


def test_the_heat_map_figures(app):
    client = client_of(app, "deputy")
    answer = client.get(f"/api/v1/monitor/definitions/{app.history['definition_id']}/elements").json
    stats = {e["element_id"]: e for e in answer["elements"]}
    # report: region-01 waited Sat→Sun (1 working day), region-02 Sat→Tue (3); region-03 still waits
    assert (stats["report"]["passed"], stats["report"]["waiting_now"]) == (2, 1)
    assert stats["review"]["passed"] == 1 and stats["review"]["waiting_now"] == 1
    assert client.get("/api/v1/monitor/definitions/999/elements").status_code == 404


def test_a_regions_manager_sees_only_their_region_in_the_api(app):
    headers = token_for(app, "region03.manager")
    client = app.test_client()
    listed = client.get("/api/v1/monitor/instances", headers=headers).json
    assert [i["unit"] for i in listed["items"]] == ["منطقه ۳"] and listed["total"] == 1
    tasks = client.get("/api/v1/monitor/open-tasks?by=unit", headers=headers).json
    assert [t["label"] for t in tasks] == ["منطقه ۳"]
    other = app.history["ids"]["region-02"]
    response = client.post(
        f"/api/v1/monitor/instances/{other}/suspend", json={"reason": "x"}, headers=headers
    )
    assert response.status_code == 404
    preview = client.post("/api/v1/monitor/bulk/preview", json={"action": "terminate"}, headers=headers).json
    assert preview["ids"] == [app.history["ids"]["region-03"]]


def test_instance_list_with_filters(app):
    client = client_of(app, "deputy")
    answer = client.get("/api/v1/monitor/instances", query_string={"status": "running", "limit": 1}).json
    assert answer["total"] == 2 and len(answer["items"]) == 1
    overdue = client.get("/api/v1/monitor/instances", query_string={"overdue": "1", "unit": "region-03"}).json
    assert [i["id"] for i in overdue["items"]] == [app.history["ids"]["region-03"]]
    assert client.get("/api/v1/monitor/instances", query_string={"status": "lost"}).status_code == 422


def test_actions_with_reasons(app):
    ctx = app.extensions["ravand"]
    instance_id = app.history["ids"]["region-03"]
    client = client_of(app, "deputy")
    response = client.post(f"/api/v1/monitor/instances/{instance_id}/suspend", json={"reason": " "})
    assert response.status_code == 422 and response.json["fields"] == {"reason": "الزامی است."}
    response = client.post(f"/api/v1/monitor/instances/{instance_id}/suspend", json={"reason": "audit"})
    assert response.status_code == 200 and response.json["status"] == "suspended"
    assert (
        client.post(f"/api/v1/monitor/instances/{instance_id}/suspend", json={"reason": "again"}).status_code
        == 409
    )
    client.post(f"/api/v1/monitor/instances/{instance_id}/resume", json={"reason": "back"})
    task_id = open_task_id(ctx, instance_id, "report")
    url = f"/api/v1/monitor/tasks/{task_id}/reassign"
    response = client.post(url, json={"assignee": "region01.expert", "reason": "leave"})
    assert response.status_code == 422 and set(response.json["fields"]) == {"assignee"}  # not a holder
    response = client.post(url, json={"assignee": "region03.manager", "reason": "leave"})
    assert response.status_code == 204
    with ctx.db.transaction() as session:
        assert session.get(HumanTask, task_id).assignee == "region03.manager"
    response = client.post(
        f"/api/v1/monitor/tasks/{task_id}/due", json={"due": "1405/10/01", "reason": "more time"}
    )
    assert response.status_code == 200 and response.json["to"] == "2026-12-22T16:00:00+03:30"
    bad = client.post(f"/api/v1/monitor/tasks/{task_id}/due", json={"due": "1405/13/01", "reason": "x"})
    assert bad.status_code == 422 and "due" in bad.json["fields"]
    response = client.post(
        f"/api/v1/monitor/instances/{instance_id}/data",
        json={"field": "summary", "value": "x", "reason": "y"},
    )
    assert response.status_code == 403
    admin = client_of(app, "admin")
    response = admin.post(
        f"/api/v1/monitor/instances/{instance_id}/data",
        json={"field": "priority", "value": 3, "reason": "fix"},
    )
    assert response.json == {"field": "priority", "old": None, "new": 3}
    assert events(app, instance_id, "data_edited")[0].data["reason"] == "fix"


@pytest.mark.parametrize("action, expected", [("suspend", "suspended"), ("terminate", "terminated")])
def test_bulk(app, action, expected):
    client = client_of(app, "deputy")
    body = {"action": action, "filters": {"status": "running", "process": "region_report"}}
    preview = client.post("/api/v1/monitor/bulk/preview", json=body).json
    assert (preview["selected"], preview["affected"]) == (2, 2)
    assert client.post("/api/v1/monitor/bulk", json=body).status_code == 422
    report = client.post("/api/v1/monitor/bulk", json={**body, "reason": "policy withdrawn"}).json["report"]
    assert [line["outcome"] for line in report] == ["done", "done"]
    assert {status_of(app, line["instance_id"]) for line in report} == {expected}


def test_the_api_is_in_the_openapi_document(app):
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/monitor/dashboard",
        "/api/v1/monitor/sla",
        "/api/v1/monitor/instances",
        "/api/v1/monitor/bulk",
        "/api/v1/monitor/tasks/{task_id}/reassign",
    ):
        assert path in paths, path


def test_retrying_an_incident_that_does_not_exist_is_404(app):
    # The view named ``lifecycle`` once hid the engine's lifecycle module here: a 500 the fuzz run found.
    response = client_of(app, "deputy").post("/api/v1/monitor/incidents/999/retry", json={"reason": "fixed"})
    assert response.status_code == 404 and response.json["code"] == "not_found"
    # Authority comes before input: what does not exist is 404 whatever reason was sent.
    blank = client_of(app, "deputy").post("/api/v1/monitor/incidents/999/retry", json={"reason": "  "})
    assert blank.status_code == 404
