"""The REST API's task actions: list, read, claim, unclaim, complete; start; my requests; instance status."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.integration.support import NOW, PUBLIC_PROCESS, login, token_for

GOOD_REQUEST = {
    "full_name": "مینا رستمی",
    "phone": "۰۹۱۲۱۲۳۴۵۶۷",
    "topic": "urban",
    "description": "درخواست دیدار برای پیگیری وضعیت پیاده‌رو محله",
    "preferred_date": "۱۴۰۵/۰۲/۱۰",
}


def start_request(client, headers, data=None):
    return client.post(
        f"/api/v1/processes/{PUBLIC_PROCESS}/instances", json={"data": data or GOOD_REQUEST}, headers=headers
    )


def test_the_openapi_document_describes_every_action(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert spec["info"]["title"] == "Ravand"
    for path in (
        "/api/v1/tasks",
        "/api/v1/tasks/{task_id}/claim",
        "/api/v1/tasks/{task_id}/complete",
        "/api/v1/processes/{key}/instances",
        "/api/v1/requests",
        "/api/v1/instances/{instance_id}",
        "/api/v1/public/status/{code}",
        "/api/v1/token",
        "/api/v1/notifications",
    ):
        assert path in spec["paths"], path
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "422" in spec["paths"]["/api/v1/tasks/{task_id}/complete"]["post"]["responses"]
    assert spec["paths"]["/api/v1/public/status/{code}"]["get"]["security"] == []  # no login needed


def test_without_credentials_the_answer_is_401_in_the_callers_language(app):
    client = app.test_client()
    persian = client.get("/api/v1/tasks")
    assert persian.status_code == 401 and persian.get_json()["code"] == "unauthorized"
    assert "وارد شوید" in persian.get_json()["message"]
    english = client.get("/api/v1/tasks", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.get_json()["message"] == "Please log in, or send a valid API token."
    assert client.get("/api/v1/tasks?lang=en").get_json()["message"].startswith("Please log in")
    bad = client.get("/api/v1/tasks", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and bad.get_json()["code"] == "invalid_token"


def test_a_starter_starts_a_process_and_lands_on_its_first_task(app):
    client, headers = app.test_client(), token_for(app, "coord.expert")
    response = start_request(client, headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert re.fullmatch(r"[0-9]{10}", body["instance"]["tracking_code"])
    assert body["instance"]["started_by"] == "coord.expert" and body["instance"]["status"] == "running"
    assert body["next_task"]["element_id"] == "review"


def test_starting_needs_a_starter_role_and_valid_start_data(app):
    client = app.test_client()
    refused = start_request(client, token_for(app, "social.expert"))
    assert refused.status_code == 403 and refused.get_json()["code"] == "forbidden"
    invalid = start_request(client, token_for(app, "coord.expert"), {"full_name": "x", "phone": "abc"})
    assert invalid.status_code == 422
    body = invalid.get_json()
    assert body["code"] == "invalid_data"
    assert set(body["fields"]) >= {"phone", "topic", "description"}
    assert "الزامی" in body["fields"]["topic"]
    unknown = client.post("/api/v1/processes/nothing/instances", json={}, headers=token_for(app, "admin"))
    assert unknown.status_code == 404


def test_tasks_list_claim_complete_and_a_second_completion_is_a_conflict(app):
    client, expert = app.test_client(), token_for(app, "coord.expert")
    instance_id = start_request(client, expert).get_json()["instance"]["id"]
    tasks = client.get("/api/v1/tasks?view=group", headers=expert).get_json()["items"]
    (task,) = [t for t in tasks if t["instance_id"] == instance_id]
    outsider = token_for(app, "social.expert")
    assert client.get("/api/v1/tasks?view=group", headers=outsider).get_json()["items"] == []
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=outsider).status_code == 404
    # a task you may not see is not found, whatever you try to do with it
    assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=outsider).status_code == 404

    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=expert).get_json()
    assert detail["form"]["components"][0]["key"] == "decision" and detail["instructions"]
    claimed = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=expert).get_json()
    assert claimed["assignee"] == "coord.expert"
    assert client.post(f"/api/v1/tasks/{task['id']}/unclaim", headers=expert).get_json()["assignee"] is None

    url = f"/api/v1/tasks/{task['id']}/complete"
    invalid = client.post(url, json={"data": {"decision": "maybe"}}, headers=expert)
    assert invalid.status_code == 422
    assert invalid.get_json()["fields"] == {"decision": "از گزینه‌های مجاز نیست"}
    english = client.post(url + "?lang=en", json={"data": {}}, headers=expert)
    assert english.get_json()["fields"] == {"decision": "this field is required"}
    done = client.post(url, json={"data": {"decision": "accept", "note": "ok"}}, headers=expert)
    assert done.status_code == 200 and done.get_json()["task"]["completed_by"] == "coord.expert"
    again = client.post(url, json={"data": {"decision": "accept"}}, headers=expert)
    assert again.status_code == 409 and "زهرا محمدی" in again.get_json()["message"]  # by full name
    completed = client.get("/api/v1/tasks?view=completed", headers=expert).get_json()["items"]
    assert [t["id"] for t in completed] == [task["id"]]


def test_the_task_list_has_the_inbox_filters_and_pages(app, clock):
    client, expert = app.test_client(), token_for(app, "coord.expert")
    codes = [start_request(client, expert).get_json()["instance"]["tracking_code"] for _ in range(3)]

    def items(query: str) -> list[dict]:
        return client.get(f"/api/v1/tasks?{query}", headers=expert).get_json()["items"]

    page = client.get("/api/v1/tasks?view=group&per_page=2&page=2", headers=expert).get_json()
    assert (page["total"], page["pages"], page["page"], len(page["items"])) == (3, 2, 2, 1)
    assert items("view=mine") == []
    assert len(items("view=group&department=coord")) == 3 and items("view=group&department=social") == []
    assert len(items(f"view=group&process={PUBLIC_PROCESS}")) == 3 and items("view=group&process=other") == []
    (found,) = items(f"view=group&q={codes[1]}")
    assert found["process_name"] == "درخواست شهروند (آزمون)" and not found["overdue"]
    # Started on Saturday 1405/02/05 at 09:00: due two working days later, Monday 16:00 in Tehran.
    assert found["due_at"] == "2026-04-27T12:30:00+00:00" and found["created_at"] == NOW.isoformat()
    assert items("view=group&due=overdue") == [] and items("view=group&due=today") == []
    assert len(items("view=group&due=week")) == 3  # by Friday
    clock.advance(timedelta(days=2, hours=7))  # Monday 16:00
    assert items("view=group&due=overdue") == [] and len(items("view=group&due=today")) == 3
    clock.advance(timedelta(seconds=1))
    assert len(items("view=group&due=overdue")) == 3 and items("view=group")[0]["overdue"]
    assert len(items("view=group&sort=priority")) == 3


def test_comments_and_a_supervisors_reassignment(app):
    client, expert = app.test_client(), token_for(app, "coord.expert")
    task_id = start_request(client, expert).get_json()["next_task"]["id"]
    assert (
        client.post(
            f"/api/v1/tasks/{task_id}/comments", json={"body": "تماس گرفته شد"}, headers=expert
        ).status_code
        == 204
    )
    outsider = client.post(
        f"/api/v1/tasks/{task_id}/comments", json={"body": "x"}, headers=token_for(app, "social.expert")
    )
    assert outsider.status_code == 404
    url = f"/api/v1/tasks/{task_id}/assign"
    assert client.post(url, json={"assignee": "coord.expert"}, headers=expert).status_code == 403
    supervisor = token_for(app, "coord.head")
    wrong = client.post(url, json={"assignee": "social.expert", "reason": "x"}, headers=supervisor)
    assert wrong.status_code == 422 and set(wrong.get_json()["fields"]) == {"assignee"}
    unexplained = client.post(url, json={"assignee": "coord.expert"}, headers=supervisor)
    assert unexplained.status_code == 422 and set(unexplained.get_json()["fields"]) == {"reason"}
    other_department = token_for(app, "social.head")
    assert (
        client.post(
            url, json={"assignee": "coord.expert", "reason": "x"}, headers=other_department
        ).status_code
        == 404
    )
    given = client.post(url, json={"assignee": "coord.expert", "reason": "پیگیری"}, headers=supervisor)
    assert given.status_code == 200 and given.get_json()["assignee"] == "coord.expert"


def test_bad_parameters_and_bodies_are_422_with_the_fields_named(app):
    client, expert = app.test_client(), token_for(app, "coord.expert")
    response = client.get("/api/v1/tasks?per_page=0&view=lost", headers=expert)
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"per_page", "view"}
    start_request(client, expert)
    task_id = client.get("/api/v1/tasks?view=group", headers=expert).get_json()["items"][0]["id"]
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": "text"}, headers=expert)
    assert response.status_code == 422 and "data" in response.get_json()["fields"]
    assert client.get("/api/v1/no-such-thing", headers=expert).get_json()["code"] == "not_found"
    assert client.get("/api/v1/tasks/unknown", headers=expert).status_code == 404


def test_a_server_failure_is_a_json_500_too(make_app, monkeypatch):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def broken(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("engine.work.inbox.inbox", broken)
    response = app.test_client().get("/api/v1/tasks?lang=en", headers=token_for(app, "coord.expert"))
    assert response.status_code == 500
    assert response.get_json() == {
        "code": "internal_error",
        "message": "Something went wrong on the server; please try again later.",
    }


def test_my_requests_and_an_instances_status_are_for_those_who_may_see_it(app):
    client, expert = app.test_client(), token_for(app, "coord.expert")
    instance_id = start_request(client, expert).get_json()["instance"]["id"]
    mine = client.get("/api/v1/requests", headers=expert).get_json()
    assert [r["id"] for r in mine] == [instance_id] and mine[0]["open_tasks"] == ["بررسی درخواست"]
    assert client.get("/api/v1/requests", headers=token_for(app, "deputy")).get_json() == []
    status = client.get(f"/api/v1/instances/{instance_id}", headers=expert).get_json()
    assert status["status"] == "running" and status["tasks"][0]["element_id"] == "review"
    assert next(e["kind"] for e in status["history"]) == "started"
    assert client.get(f"/api/v1/instances/{instance_id}", headers=token_for(app, "deputy")).status_code == 200
    hidden = client.get(f"/api/v1/instances/{instance_id}", headers=token_for(app, "region05.manager"))
    assert hidden.status_code == 404 and hidden.get_json()["code"] == "not_found"


def test_the_processes_a_user_may_start_come_from_the_catalog(app):
    client = app.test_client()
    listed = client.get("/api/v1/processes", headers=token_for(app, "coord.expert")).get_json()
    assert [p["key"] for p in listed] == [PUBLIC_PROCESS] and listed[0]["public"] is True
    assert listed[0]["start_form"]["components"][0]["key"] == "full_name"
    assert client.get("/api/v1/processes", headers=token_for(app, "social.expert")).get_json() == []


def _csrf_token(client) -> str:
    page = client.get("/public/").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_session_requests_need_the_csrf_token_and_token_requests_do_not(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post(
        "/login",
        data={"username": "coord.expert", "password": "secret-pass", "csrf_token": _csrf_token(client)},
    )
    assert response.status_code == 302
    refused = start_request(client, {})
    assert refused.status_code == 400 and refused.get_json()["code"] == "csrf"
    assert start_request(client, {"X-CSRFToken": _csrf_token(client)}).status_code == 201
    assert start_request(app.test_client(), token_for(app, "coord.expert")).status_code == 201
    assert client.get("/api/v1/tasks").status_code == 200


def test_a_logged_in_user_makes_a_personal_token_shown_once_and_can_revoke_it(app):
    client = app.test_client()
    login(client, "coord.expert")
    response = client.post("/api/v1/token")
    assert response.status_code == 201
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    fresh = app.test_client()
    assert fresh.get("/api/v1/tasks", headers=headers).status_code == 200
    assert fresh.delete("/api/v1/token", headers=headers).status_code == 204
    assert fresh.get("/api/v1/tasks", headers=headers).status_code == 401
    assert app.test_client().post("/api/v1/token").status_code == 401
