"""The integration tests' app: the real Flask app on a copy of one seeded SQLite template.

The template — Ravand's tables, the demo organisation (every password ``PASSWORD``), a second
coordination expert, and the two test processes deployed (the public request of
tests/fixtures/public_request, the leave request of tests/e2e/fixtures/leave) — is made once per
session; each test copies the file, so no test pays for seeding and none sees another's changes.

- ``make_app(catalog=..., **config)``: an app on a fresh copy; ``catalog`` names the catalog file the
  app reads (the public request's by default, ``LEAVE_CATALOG`` for the inbox pages, ``NO_CATALOG``).
- ``app``: ``make_app()``.
- ``postgres_app``: an app on the PostgreSQL of ``RAVAND_TEST_POSTGRES_URL`` holding the same data,
  loaded once per module (tests that use it share it).
- ``clock``: a ``SimulatedClock`` standing at ``NOW``, put in the engine context of the test's ``app``,
  so due dates, due filters and delegations are computed from a known moment.

Helpers and names the tests share (logging in, tokens, the catalogs, ``NOW``) are in
``tests/integration/support.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from engine.clock import SimulatedClock
from engine.db import Database
from engine.models import Base
from tests.conftest import POSTGRES_URL
from tests.integration.support import LEAVE_CATALOG, NOW, PUBLIC_CATALOG, load_demo
from web import create_app


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("integration-template") / "template.db"
    database = Database(f"sqlite:///{path}")
    database.create_all()
    load_demo(database)
    database.dispose()
    return path


@pytest.fixture
def make_app(demo_template, tmp_path):
    """A factory of apps, each on its own copy of the template."""
    made = []

    def make(catalog: Path = PUBLIC_CATALOG, **config) -> Flask:
        path = tmp_path / f"app-{len(made)}.db"
        shutil.copyfile(demo_template, path)
        base = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RAVAND_CATALOG": str(catalog),
            "RAVAND_ATTACHMENTS_DIR": str(tmp_path / "files"),
        }
        app = create_app(base | config)
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["ravand"].db.dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def clock(app) -> SimulatedClock:
    simulated = SimulatedClock(NOW)
    app.extensions["ravand"].clock = simulated
    return simulated


@pytest.fixture(scope="module")
def postgres_app(postgres_database):
    """An app on PostgreSQL holding what the SQLite template holds (loaded once per module), with the
    leave request's catalog."""
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with postgres_database.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    load_demo(postgres_database)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": POSTGRES_URL,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RAVAND_CATALOG": str(LEAVE_CATALOG),
        }
    )
    yield app
    app.extensions["ravand"].db.dispose()
