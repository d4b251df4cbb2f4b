"""``next`` goes only to a path on this site, whatever a browser would make of it, and never 500s."""

from __future__ import annotations

import pytest

from tests.integration.support import PASSWORD, client_of
from tests.integration.test_inbox_pages import new_case
from web.redirects import local_target

HOSTILE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\nSet-Cookie: x=1",
    "\\\\evil.example",
    "javascript:alert(1)",
    " /inbox/",
    "/%0d%0a",  # encoded, so a plain local path: kept as it is
    "",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_only_plain_local_paths_are_kept(target):
    kept = local_target(target, "/inbox/")
    assert kept == "/inbox/" or (kept == target and target.startswith("/") and "\\" not in target)
    assert not kept.startswith("//") and all(ord(c) >= 0x20 for c in kept)


@pytest.mark.parametrize("target", HOSTILE[:8])
def test_login_and_a_task_action_refuse_a_hostile_next(app, target):
    client = app.test_client()
    response = client.post(
        "/login", data={"username": "coord.expert", "password": PASSWORD}, query_string={"next": target}
    )
    assert response.status_code == 302 and response.location == "/inbox/"
    _, task_id = new_case(app)
    response = client_of(app, "coord.expert").post(f"/inbox/tasks/{task_id}/claim", data={"next": target})
    assert response.status_code == 302 and response.location == f"/inbox/tasks/{task_id}"
