"""Logging in and out: passwords, CSRF, session expiry, rate limiting, API tokens, role checks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from engine.models import Delegation, Position, User, utcnow
from engine.org.accounts import new_api_token
from tests.integration.support import PASSWORD
from web.auth import roles_required


def probe_app(make_app, **config) -> Flask:
    """An app on the seeded template with a page for supervisors only."""
    app = make_app(**config)

    @app.get("/_probe/supervisors")
    @roles_required("supervisor")
    def probe():
        return "ok"

    return app


@pytest.fixture
def app(make_app):
    return probe_app(make_app)


def login(client, username, password=PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def test_login_with_the_right_password_opens_a_session_and_logout_closes_it(app):
    client = app.test_client()
    response = login(client, "coord.expert")
    assert response.status_code == 302 and response.location == "/inbox/"
    with client.session_transaction() as session:
        assert session["_user_id"] and session.permanent
    response = client.post("/logout")
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_a_wrong_password_is_refused_in_persian(app):
    response = login(app.test_client(), "coord.expert", "wrong")
    assert response.status_code == 401
    assert "نام کاربری یا گذرواژه درست نیست" in response.get_data(as_text=True)


def test_an_inactive_user_cannot_log_in(app):
    with app.extensions["ravand"].db.transaction() as session:
        session.scalar(select(User).where(User.username == "coord.expert")).is_active = False
    assert login(app.test_client(), "coord.expert").status_code == 401


def test_next_is_followed_only_within_the_site(app):
    client = app.test_client()
    assert login(client, "deputy", query_string={"next": "/start/"}).location == "/start/"
    client.post("/logout")
    assert login(client, "deputy", query_string={"next": "https://evil.example/"}).location == "/inbox/"
    client.post("/logout")
    assert login(client, "deputy", query_string={"next": "//evil.example/"}).location == "/inbox/"


def test_failed_logins_are_rate_limited_per_account(make_app):
    app = probe_app(make_app, RAVAND_LOGIN_ATTEMPTS=3)
    client = app.test_client()
    for _ in range(3):
        assert login(client, "deputy", "wrong").status_code == 401
    response = login(client, "deputy")  # even the right password waits for the window to pass
    assert response.status_code == 429
    assert "تلاش‌های ناموفق" in response.get_data(as_text=True)
    # The count is the account's: another address does not start it anew, and a colleague behind the
    # same address still signs in.
    assert login(app.test_client(), "deputy", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 429
    assert login(app.test_client(), "coord.head").status_code == 302


def test_a_protected_page_sends_anonymous_users_to_the_login_page(app):
    response = app.test_client().get("/_probe/supervisors")
    assert response.status_code == 302 and response.location.startswith("/login?next=")


def test_roles_required_lets_in_holders_and_admins_only(app):
    client = app.test_client()
    login(client, "coord.expert")
    response = client.get("/_probe/supervisors")
    assert response.status_code == 403 and "اجازه" in response.get_data(as_text=True)
    client.post("/logout")
    login(client, "coord.head")
    assert client.get("/_probe/supervisors").status_code == 200
    client.post("/logout")
    login(client, "admin")
    assert client.get("/_probe/supervisors").status_code == 200


def test_a_delegated_position_counts_while_the_delegation_lasts(app):
    ctx = app.extensions["ravand"]
    with ctx.db.transaction() as session:
        head = session.scalar(select(User).where(User.username == "coord.head"))
        expert = session.scalar(select(User).where(User.username == "coord.expert"))
        supervisor = session.scalar(
            select(Position).where(Position.user_id == head.id, Position.role.has(code="supervisor"))
        )
        delegation = Delegation(
            position_id=supervisor.id,
            substitute_id=expert.id,
            starts_at=utcnow() - timedelta(hours=1),
            ends_at=utcnow() + timedelta(hours=1),
        )
        session.add(delegation)
    client = app.test_client()
    login(client, "coord.expert")
    assert client.get("/_probe/supervisors").status_code == 200
    with ctx.db.transaction() as session:
        session.get(Delegation, delegation.id).ends_at = utcnow() - timedelta(minutes=1)
    assert client.get("/_probe/supervisors").status_code == 403


def test_sessions_expire_after_the_configured_idle_time(make_app):
    app = probe_app(make_app, RAVAND_SESSION_MINUTES=30)
    assert app.permanent_session_lifetime == timedelta(minutes=30)
    client = app.test_client()
    login(client, "deputy")
    cookie = client.get_cookie("session")
    assert cookie.expires is not None
    assert timedelta(minutes=29) < cookie.expires - utcnow() <= timedelta(minutes=30)


def test_an_api_token_authenticates_without_a_session(app):
    token, token_hash = new_api_token()
    with app.extensions["ravand"].db.transaction() as session:
        session.scalar(select(User).where(User.username == "deputy")).api_token_hash = token_hash
    client = app.test_client()
    assert client.get("/_probe/supervisors", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    response = client.get("/_probe/supervisors", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 302


def test_login_needs_the_csrf_token(make_app):
    app = probe_app(make_app, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    assert login(client, "deputy").status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": "deputy", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert client.post("/logout").status_code == 400  # logging out needs the token too


def test_the_language_switch_is_remembered_for_the_user(app):
    client = app.test_client()
    login(client, "deputy")
    assert 'lang="en"' in client.get("/login?lang=en", follow_redirects=True).get_data(as_text=True)
    client.post("/logout")
    with client.session_transaction() as session:
        session.clear()
    login(client, "deputy")
    with client.session_transaction() as session:
        assert session["lang"] == "en"


def test_scripts_and_api_clients_get_401_json_instead_of_the_login_page(app):
    response = app.test_client().get("/_probe/supervisors", headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.json["code"] == "unauthorized"
