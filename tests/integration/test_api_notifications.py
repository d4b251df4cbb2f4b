"""Notifications through the API: a task arrives, the badge counts it, the list shows it."""

from __future__ import annotations

from engine.work import tasks
from tests.integration.support import token_for
from tests.integration.test_api_tasks import start_request


def test_a_new_task_notifies_its_role_and_the_badge_counts_it(app):
    client, expert = app.test_client(), token_for(app, "coord.expert")
    start_request(client, token_for(app, "admin"))
    assert client.get("/api/v1/notifications/unread-count", headers=expert).get_json() == {"unread": 1}
    (notice,) = client.get("/api/v1/notifications", headers=expert).get_json()
    assert notice["kind"] == "task_arrived" and notice["task_name"] == "بررسی درخواست"
    assert notice["message"] == "کار تازه‌ای رسیده است: «بررسی درخواست»." and notice["task_open"]
    assert notice["url"] == f"/inbox/tasks/{notice['task_id']}"
    english = client.get("/api/v1/notifications?lang=en", headers=expert).get_json()
    assert english[0]["message"] == "A new task has arrived: 'بررسی درخواست'."
    assert client.get(
        "/api/v1/notifications/unread-count", headers=token_for(app, "social.expert")
    ).get_json() == {"unread": 0}

    outsider = client.post(
        f"/api/v1/notifications/{notice['id']}/read", headers=token_for(app, "social.expert")
    )
    assert outsider.status_code == 404
    assert client.post(f"/api/v1/notifications/{notice['id']}/read", headers=expert).get_json() == {
        "changed": 1
    }
    assert client.get("/api/v1/notifications?unread=true", headers=expert).get_json() == []
    assert client.get("/api/v1/notifications/unread-count", headers=expert).get_json() == {"unread": 0}


def test_a_reassigned_task_notifies_the_new_assignee(app):
    client = app.test_client()
    task_id = start_request(client, token_for(app, "coord.expert")).get_json()["next_task"]["id"]
    expert = token_for(app, "coord.expert")
    client.post("/api/v1/notifications/read", headers=expert)
    tasks.assign(app.extensions["ravand"], task_id, "coord.expert", user="admin", reason="the expert is back")
    (notice,) = client.get("/api/v1/notifications?unread=true", headers=expert).get_json()
    assert notice["kind"] == "task_reassigned" and notice["task_id"] == task_id
    assert client.post("/api/v1/notifications/read", headers=expert).get_json() == {"changed": 1}
