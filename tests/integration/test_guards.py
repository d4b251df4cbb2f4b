"""The guards every web worker shares through the database: challenges, rate limits, the login throttle;
and what every response carries (security headers, a bound on the request's size)."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

from tests.integration.support import PASSWORD, token_for
from tests.integration.test_public_forms import GOOD, URL, challenge
from web import create_app


def twin(app):
    """A second web worker on the same database, as gunicorn runs them."""
    return create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "RAVAND_CATALOG")},
            **{
                "TESTING": True,
                "WTF_CSRF_ENABLED": False,
                "RAVAND_ATTACHMENTS_DIR": app.config["RAVAND_ATTACHMENTS_DIR"],
                "RAVAND_LOGIN_ATTEMPTS": app.config["RAVAND_LOGIN_ATTEMPTS"],
                "RAVAND_PUBLIC_SUBMIT_LIMIT": app.config.get("RAVAND_PUBLIC_SUBMIT_LIMIT", 5),
            },
        }
    )


def post_form(client, page_answer: dict, **fields):
    return client.post(URL, data={**GOOD, **fields, **page_answer}, content_type="multipart/form-data")


def test_a_challenge_answers_once_and_its_token_tells_nothing(app):
    client = app.test_client()
    page = client.get(URL).get_data(as_text=True)
    answer = challenge(page)
    token = answer["challenge_token"]
    padded = token + "=" * (-len(token) % 4)
    decoded = base64.urlsafe_b64decode(padded)
    # No answer inside: the token is 24 random bytes naming a row on the server, nothing encoded in it.
    # (Searching the random bytes for a one-digit answer would fail by chance one run in eleven.)
    assert len(decoded) == 24 and b"sum" not in decoded
    assert challenge(client.get(URL).get_data(as_text=True))["challenge_token"] != token
    assert post_form(client, answer).status_code == 302
    replay = post_form(client, answer)
    assert replay.status_code == 422  # spent: the same token is refused the second time
    wrong_then_right = challenge(client.get(URL).get_data(as_text=True))
    assert post_form(client, {**wrong_then_right, "challenge": "99"}).status_code == 422
    assert post_form(client, wrong_then_right).status_code == 422  # one try per challenge
    assert post_form(client, {"challenge_token": "forged", "challenge": "3"}).status_code == 422


def test_public_limits_are_shared_by_workers_and_say_when_to_come_back(make_app):
    first = make_app(RAVAND_PUBLIC_SUBMIT_LIMIT=2)
    second = twin(first)
    for app in (first, second):
        client = app.test_client()
        assert post_form(client, challenge(client.get(URL).get_data(as_text=True))).status_code == 302
    client = first.test_client()
    limited = post_form(client, challenge(client.get(URL).get_data(as_text=True)))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


def test_wrong_passwords_across_workers_are_blocked_at_the_limit(make_app):
    first = make_app(RAVAND_LOGIN_ATTEMPTS=5)
    workers = [first, twin(first), twin(first), twin(first)]
    codes = []
    for attempt in range(20):
        client = workers[attempt % 4].test_client()
        codes.append(client.post("/login", data={"username": "deputy", "password": "wrong"}).status_code)
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    blocked = workers[1].test_client().post("/login", data={"username": "deputy", "password": PASSWORD})
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers


def test_a_good_login_of_another_account_does_not_reset_the_count(make_app):
    app = make_app(RAVAND_LOGIN_ATTEMPTS=5)
    codes = []
    for _round in range(3):
        for _ in range(4):
            codes.append(
                app.test_client().post("/login", data={"username": "deputy", "password": "x"}).status_code
            )
        own = app.test_client().post("/login", data={"username": "coord.expert", "password": PASSWORD})
        assert own.status_code == 302
    assert codes.count(401) == 5 and codes.count(429) == 7


def test_the_language_chosen_before_login_survives_it(app):
    client = app.test_client()
    client.get("/login?lang=en")
    client.post("/login", data={"username": "deputy", "password": PASSWORD})
    assert "Inbox" in client.get("/inbox/").get_data(as_text=True)


def test_every_response_carries_the_security_headers(app):
    for path in ("/", "/public/", "/login", "/nowhere"):
        response = app.test_client().get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_requests_are_bounded_by_default(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 25 * 1024 * 1024


def test_a_request_past_the_size_bound_is_413_in_the_readers_language(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    client = app.test_client()
    page = client.post(URL, data={"description": "x" * 4096})
    assert page.status_code == 413 and re.search("مگابایت", page.get_data(as_text=True))
    api = client.post(
        "/api/v1/processes/leave_request/instances",
        json={"x": "y" * 4096},
        headers=token_for(app, "coord.expert"),
    )
    assert api.status_code == 413 and api.get_json()["code"] == "too_large"


def test_a_session_ends_everywhere_at_logout_and_takes_the_api_token_with_it(app):
    client = app.test_client()
    client.post("/login", data={"username": "coord.expert", "password": PASSWORD})
    headers = token_for(app, "coord.expert")
    copied = client.get_cookie("session").value  # an attacker's copy of the cookie
    assert app.test_client().get("/api/v1/tasks", headers=headers).status_code == 200
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/inbox/").status_code == 302  # back to the login page
    assert app.test_client().get("/api/v1/tasks", headers=headers).status_code == 401


def test_a_password_reset_ends_the_old_sessions_and_token(app):
    from engine.models import User
    from engine.org.administration import reset_password

    client = app.test_client()
    client.post("/login", data={"username": "coord.expert", "password": PASSWORD})
    headers = token_for(app, "coord.expert")
    assert client.get("/inbox/").status_code == 200
    ctx = app.extensions["ravand"]
    with ctx.db.read() as session:
        user_id = session.query(User.id).filter_by(username="coord.expert").scalar()
    reset_password(ctx, "admin", user_id, "a-new-password-1")
    assert client.get("/inbox/").status_code == 302
    assert app.test_client().get("/api/v1/tasks", headers=headers).status_code == 401
    fresh = app.test_client()
    fresh.post("/login", data={"username": "coord.expert", "password": "a-new-password-1"})
    assert fresh.get("/inbox/").status_code == 200


def test_a_challenge_expires(app, clock):
    client = app.test_client()
    answer = challenge(client.get(URL).get_data(as_text=True))
    clock.advance(timedelta(hours=2))
    assert post_form(client, answer).status_code == 422
