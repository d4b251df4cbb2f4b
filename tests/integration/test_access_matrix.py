"""The role × route access matrix: every URL rule of the app that names a task, an instance, an
attachment or an incident, for every method, as every kind of user (the world and the tables are in
tests/integration/access_world.py). The rules checked:

- a thing the user may not see is 404 on every route and method, pages and API alike, exactly as a
  thing that does not exist is, whatever was sent; nothing of it (its id, a private draft, what was
  submitted in it) appears in any answer or list;
- a thing they may see is never 404; what they may see but not do is 403 (or, for a task no longer
  open or claimed by someone else, the conflict they may read on it), before what they sent is read;
- what they may do is not refused.

A rule with an id that the tables do not classify fails the matrix: a new route must say what it is.
"""

from __future__ import annotations

import io

import pytest

from engine.models import HumanTask
from tests.integration.access_world import (
    ANONYMOUS,
    NAMES,
    PDF,
    SEES,
    UNKNOWN,
    USERS,
    Probe,
    World,
    build_world,
    hidden_text,
    permitted,
    probes,
    refusal_is_right,
    request_of,
    verdict,
)
from tests.integration.support import client_of, token_for


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    return build_world(tmp_path_factory.mktemp("access-matrix"))


# --- the matrix -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sessions(world) -> dict:
    """Per user: a logged-in page client and API headers (nothing for the anonymous visitor)."""
    app = world.app
    found = {ANONYMOUS: (app.test_client(), {})}
    for user in USERS[:-1]:
        found[user] = (client_of(app, user), token_for(app, user))
    return found


def ask(sessions, user: str, probe: Probe, ident, options: dict) -> tuple[int, str]:
    client, headers = sessions[user]
    call = getattr(client, probe.method.lower())
    response = call(probe.url(ident), headers=headers if probe.api else {}, **options)
    return response.status_code, response.get_data(as_text=True) if response.status_code == 200 else ""


def test_every_route_with_an_id_answers_every_role_by_one_rule(world, sessions):
    leaks, pairs, unsent = [], 0, 0
    for probe in probes(world.app):
        for user in USERS:
            for name in NAMES[probe.kind]:
                if user == ANONYMOUS:
                    continue
                allowed = permitted(probe, world, name, user)
                options = request_of(probe, world, name, user, allowed)
                if options is None:
                    unsent += 1
                    continue
                status, body = ask(sessions, user, probe, world.ids[name], options)
                pairs += 1
                wrong = verdict(probe, world, name, user, status, body)
                wrong = wrong or next((f"shows {h}" for h in hidden_text(world, user) if h in body), None)
                if wrong:
                    leaks.append(f"{user} {probe.method} {probe.rule} [{probe.action}] on {name}: {wrong}")
    print(f"access matrix: {pairs} pairs asked, {unsent} permitted changes not sent, {len(leaks)} leaks")
    assert leaks == [], "\n".join(leaks)


def test_what_does_not_exist_is_not_found_for_everyone_and_the_anonymous_are_sent_to_log_in(world, sessions):
    wrong = []
    for probe in probes(world.app):
        for user in USERS:
            options = request_of(probe, world, None, user, allowed=False)
            status, _body = ask(sessions, user, probe, UNKNOWN[probe.kind], options)
            if user == ANONYMOUS:
                options = request_of(probe, world, None, user, allowed=False)
                real, _ = ask(sessions, user, probe, world.ids[NAMES[probe.kind][0]], options)
                expected = 401 if probe.api else 302
                if (status, real) != (expected, expected):
                    wrong.append(f"anonymous {probe.method} {probe.rule}: {real} / unknown {status}")
            elif status != 404:
                wrong.append(f"{user} {probe.method} {probe.rule} on an unknown id: {status}")
    assert wrong == [], "\n".join(wrong)


def test_what_they_may_not_see_is_not_found_before_what_they_sent_is_read(world, sessions):
    """No body, no file, no reason: still 404 for a hidden thing (not 400, 422 or a redirect)."""
    wrong, pairs = [], 0
    for probe in probes(world.app):
        for user in USERS[:-1]:
            hidden = [n for n in NAMES[probe.kind] if user not in SEES[world.instance_of.get(n, n)]]
            for name in hidden[:1]:
                status, _body = ask(sessions, user, probe, world.ids[name], {})
                pairs += 1
                if status != 404:
                    wrong.append(f"{user} {probe.method} {probe.rule} on {name} with nothing sent: {status}")
    print(f"hidden, nothing sent: {pairs} pairs")
    assert pairs > 200 and wrong == [], "\n".join(wrong)


def test_what_they_see_but_may_not_do_is_forbidden_before_what_they_sent_is_read(world, sessions):
    """A supervisor of the case's region who may not suspend the deputy's rollout is told so (403),
    with or without a reason, a date or an assignee."""
    wrong, pairs = [], 0
    for probe in probes(world.app):
        if probe.action in ("read", "note", "pdf", "notices"):
            continue
        for user in USERS[:-1]:
            for name in NAMES[probe.kind]:
                seen = user in SEES[world.instance_of.get(name, name)]
                if not seen or permitted(probe, world, name, user):
                    continue
                status, _body = ask(sessions, user, probe, world.ids[name], {})
                pairs += 1
                if not refusal_is_right(probe, world, name, user, status):
                    wrong.append(f"{user} {probe.method} {probe.rule} on {name} with nothing sent: {status}")
    print(f"seen but not theirs, nothing sent: {pairs} pairs")
    assert pairs > 100 and wrong == [], "\n".join(wrong)


LISTS = ["/inbox/?view=mine", "/inbox/?view=group", "/inbox/?view=completed", "/my-requests/"]
LISTS += ["/api/v1/tasks?view=mine", "/api/v1/tasks?view=group", "/api/v1/tasks?view=completed"]
LISTS += ["/api/v1/requests", "/monitor/", "/monitor/instances", "/api/v1/monitor/instances"]
LISTS += ["/api/v1/monitor/overdue-tasks", "/api/v1/monitor/open-tasks?by=person"]


def test_no_list_shows_a_task_its_reader_may_not_see(world, sessions):
    wrong = []
    for user in USERS[:-1]:
        client, headers = sessions[user]
        for url in LISTS:
            response = client.get(url, headers=headers if url.startswith("/api/") else {})
            body = response.get_data(as_text=True) if response.status_code == 200 else ""
            wrong += [f"{user} {url} shows {h}" for h in hidden_text(world, user) if h in body]
    assert wrong == [], "\n".join(wrong)


def test_a_file_is_attached_only_to_its_own_tasks_case(world, sessions):
    """region05.manager may add files to their own case, but not name another region's task there."""
    client, headers = sessions["region05.manager"]
    url = f"/api/v1/instances/{world.ids['C']}/attachments"
    for task, expected in ((world.ids["R07"], 422), ("not-a-task", 422), (world.ids["C1"], 201)):
        data = {"file": (io.BytesIO(PDF), "c.pdf"), "task_id": task}
        response = client.post(url, data=data, headers=headers, content_type="multipart/form-data")
        assert response.status_code == expected, response.get_json()
    listed = client.get(url, headers=headers).get_json()
    assert {a["task_id"] for a in listed} <= {None, world.ids["C1"]}


def test_the_world_is_as_the_tables_say(world):
    """The matrix read what it meant to: the tasks are open where it says, nothing it sent changed
    them (a permitted completion failed validation, every suspension was resumed)."""
    ctx = world.app.extensions["ravand"]
    with ctx.db.read() as session:
        for name in ("R05", "R07", "C1", "S1"):
            task = session.get(HumanTask, world.ids[name])
            assert (task.state, task.assignee) == ("open", world.claimed.get(name)), name
        assert session.get(HumanTask, world.ids["RD"]).state == "completed"
