"""What the integration tests share besides fixtures: the template's names, logging in, personal tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from engine.context import Context
from engine.db import Database
from engine.definitions.bundle import collect_bundles
from engine.definitions.deployment import deploy
from engine.demo.seed import seed_demo
from engine.models import OrgUnit, Position, Role, User
from engine.org.accounts import hash_password, new_api_token
from tests.conftest import FIXTURES, bundle_of

PASSWORD = "secret-pass"
PUBLIC_PROCESS = "public_request"
PUBLIC_CATALOG = FIXTURES / PUBLIC_PROCESS / "catalog.yaml"
LEAVE = Path(__file__).resolve().parents[1] / "e2e" / "fixtures" / "leave"
LEAVE_CATALOG = LEAVE / "catalog.yaml"
NO_CATALOG = Path("/nonexistent-catalog")
# Saturday 1405/02/05, 09:00 in Tehran: two working days later is Monday 1405/02/07, 16:00 (12:30 UTC).
NOW = datetime(2026, 4, 25, 5, 30, tzinfo=UTC)


def token_for(app: Flask, username: str) -> dict:
    """Authorization headers with a fresh personal token of the user."""
    token, token_hash = new_api_token()
    with app.extensions["ravand"].db.transaction() as session:
        session.scalar(select(User).where(User.username == username)).api_token_hash = token_hash
    return {"Authorization": f"Bearer {token}"}


def login(client, username: str, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


def client_of(app: Flask, username: str, password: str = PASSWORD):
    """A test client logged in as ``username``."""
    client = app.test_client()
    login(client, username, password)
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def load_demo(database: Database) -> None:
    """What the template holds, into an empty database with Ravand's tables."""
    ctx = Context(database)
    seed_demo(ctx, password=PASSWORD)
    deploy(ctx, bundle_of(PUBLIC_PROCESS))
    (leave,) = collect_bundles([LEAVE])
    deploy(ctx, leave)
    with database.transaction() as session:
        role = session.scalar(select(Role).where(Role.code == "coord_expert"))
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "dept_coord"))
        session.add(
            User(
                username="coord.expert2",
                full_name="کارشناس دوم",
                password_hash=hash_password(PASSWORD),
                positions=[Position(role=role, unit=unit)],
            )
        )
