"""Who reaches a task and its case, route by route (pages and API): one rule, in the engine.

A task claimed by coord.expert in a leave request of the coordination department. Whoever may not
see it — another department's head and expert, a region's manager, the designer — gets 404 on every
route and method, whether the task exists or not. Whoever sees it never gets 404; of them, only its
assignee works on it, only those with authority over it (the deputy, the department's head) give it
to someone else, and everyone who sees it may comment.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from engine.models import HumanTask
from engine.runtime.starting import start
from engine.work import tasks
from tests.integration.support import LEAVE_CATALOG, client_of, token_for

PDF = b"%PDF-1.4\n%%EOF\n"
STRANGERS = ["social.head", "social.expert", "region05.manager", "designer"]
ONLOOKERS = ["coord.expert2", "coord.head", "deputy"]  # see it; do not work on it
MANAGERS = {"coord.head", "deputy"}


@pytest.fixture
def app(make_app):
    return make_app(LEAVE_CATALOG)


@pytest.fixture
def case(app) -> dict:
    ctx = app.extensions["ravand"]
    instance = start(ctx, "leave_request", {"title": "مرخصی"}, user="coord.head")
    with ctx.db.read() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id))
    tasks.claim(ctx, task_id, "coord.expert")
    client = app.test_client()
    upload = client.post(
        f"/api/v1/instances/{instance.id}/attachments",
        data={"file": (io.BytesIO(PDF), "a.pdf")},
        headers=token_for(app, "coord.expert"),
    )
    return {"task": task_id, "instance": instance.id, "attachment": upload.get_json()["id"]}


def page_routes(case: dict) -> list[tuple[str, str, dict]]:
    task = case["task"]
    return [
        ("get", f"/inbox/tasks/{task}", {}),
        ("get", f"/inbox/tasks/{task}/diagram.bpmn", {}),
        ("post", f"/inbox/tasks/{task}/claim", {}),
        ("post", f"/inbox/tasks/{task}/unclaim", {}),
        ("post", f"/inbox/tasks/{task}/comments", {"data": {"body": "x"}}),
        ("post", f"/inbox/tasks/{task}/assign", {"data": {"assignee": "coord.expert2", "reason": "r"}}),
        ("post", f"/inbox/tasks/{task}/draft", {"json": {"data": {}}}),
        ("post", f"/inbox/tasks/{task}/complete", {"json": {"data": {}}}),
        (
            "post",
            f"/inbox/tasks/{task}/attachments",
            {"data": {"file": (io.BytesIO(PDF), "b.pdf")}, "content_type": "multipart/form-data"},
        ),
    ]


def api_routes(case: dict) -> list[tuple[str, str, dict]]:
    task, instance = case["task"], case["instance"]
    return [
        ("get", f"/api/v1/tasks/{task}", {}),
        ("post", f"/api/v1/tasks/{task}/claim", {}),
        ("post", f"/api/v1/tasks/{task}/unclaim", {}),
        ("put", f"/api/v1/tasks/{task}/draft", {"json": {"data": {}}}),
        ("post", f"/api/v1/tasks/{task}/complete", {"json": {"data": {}}}),
        ("post", f"/api/v1/tasks/{task}/comments", {"json": {"body": "x"}}),
        ("post", f"/api/v1/tasks/{task}/assign", {"json": {"assignee": "coord.expert2", "reason": "r"}}),
        ("get", f"/api/v1/instances/{instance}", {}),
        ("get", f"/api/v1/instances/{instance}/attachments", {}),
        ("post", f"/api/v1/instances/{instance}/attachments", {"data": {"file": (io.BytesIO(PDF), "c.pdf")}}),
        ("get", f"/api/v1/attachments/{case['attachment']}", {}),
    ]


def answer(client, method: str, url: str, options: dict, headers: dict | None = None) -> int:
    return getattr(client, method)(url, headers=headers or {}, **options).status_code


@pytest.mark.parametrize("user", STRANGERS)
def test_whoever_may_not_see_the_task_is_told_it_does_not_exist(app, case, user):
    pages, headers = client_of(app, user), token_for(app, user)
    unknown = {"task": "00000000-0000-4000-8000-000000000000", "instance": 999_999, "attachment": 999_999}
    for routes in (page_routes(case), page_routes(unknown)):
        for method, url, options in routes:
            assert answer(pages, method, url, options) == 404, (user, method, url)
    for routes in (api_routes(case), api_routes(unknown)):
        for method, url, options in routes:
            assert answer(app.test_client(), method, url, options, headers) == 404, (user, method, url)
    for view in ("mine", "group", "completed"):
        assert case["task"] not in pages.get(f"/inbox/?view={view}").get_data(as_text=True)


@pytest.mark.parametrize("user", ONLOOKERS)
def test_whoever_sees_it_reads_it_comments_and_acts_only_as_far_as_their_authority(app, case, user):
    pages, headers, api = client_of(app, user), token_for(app, user), app.test_client()
    task = case["task"]
    assert answer(pages, "get", f"/inbox/tasks/{task}", {}) == 200
    assert answer(pages, "get", f"/inbox/tasks/{task}/diagram.bpmn", {}) == 200
    for method, url, options in api_routes(case):
        if method == "get":
            assert answer(api, method, url, options, headers) == 200, (user, url)
    # Someone else's task: not theirs to claim, draft or complete.
    assert answer(api, "post", f"/api/v1/tasks/{task}/claim", {}, headers) == 409
    assert answer(api, "put", f"/api/v1/tasks/{task}/draft", {"json": {"data": {}}}, headers) == 403
    assert answer(api, "post", f"/api/v1/tasks/{task}/complete", {"json": {"data": {}}}, headers) == 403
    assert answer(pages, "post", f"/inbox/tasks/{task}/complete", {"json": {"data": {}}}) == 403
    assert answer(api, "post", f"/api/v1/tasks/{task}/comments", {"json": {"body": "دیدم"}}, headers) == 204
    assign = {"json": {"assignee": "coord.expert2", "reason": "پیگیری"}}
    expected = 200 if user in MANAGERS else 403
    assert answer(api, "post", f"/api/v1/tasks/{task}/assign", assign, headers) == expected
    page = pages.get(f"/inbox/tasks/{task}").get_data(as_text=True)
    assert ("سپردن کار به" in page) == (user in MANAGERS) and "data-ravand-form" not in page
