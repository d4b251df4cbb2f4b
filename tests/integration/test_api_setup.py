"""Shared set-up of the API and public-form tests (no tests here): an app on a copy of a seeded database.

The template database (tables, the demo organisation, the public test process of
tests/fixtures/public_request) is made once per session; each test gets its own copy.
"""

from __future__ import annotations

import shutil

import pytest
from flask import Flask
from sqlalchemy import select

from engine.context import Context
from engine.db import Database
from engine.definitions.deployment import deploy
from engine.demo.seed import seed_demo
from engine.models import User
from engine.org.accounts import new_api_token
from tests.conftest import FIXTURES, bundle_of
from web import create_app

PASSWORD = "secret-pass"
PUBLIC_PROCESS = "public_request"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("api-template") / "template.db"
    database = Database(f"sqlite:///{path}")
    database.create_all()
    ctx = Context(database)
    seed_demo(ctx, password=PASSWORD)
    deploy(ctx, bundle_of(PUBLIC_PROCESS))
    database.dispose()
    return path


def make_app(template_db, tmp_path, **config) -> Flask:
    shutil.copy(template_db, tmp_path / "w.db")
    base = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/w.db",
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "RAVAND_CATALOG": str(FIXTURES / PUBLIC_PROCESS / "catalog.yaml"),
        "RAVAND_ATTACHMENTS_DIR": str(tmp_path / "files"),
    }
    return create_app(base | config)


@pytest.fixture
def app(template_db, tmp_path):
    return make_app(template_db, tmp_path)


def token_for(app: Flask, username: str) -> dict:
    """Authorization headers with a fresh personal token of the user."""
    token, token_hash = new_api_token()
    with app.extensions["ravand"].db.transaction() as session:
        session.scalar(select(User).where(User.username == username)).api_token_hash = token_hash
    return {"Authorization": f"Bearer {token}"}


def login(client, username: str) -> None:
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
