"""Shared fixtures: a real database (a SQLite file, and PostgreSQL when RAVAND_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from engine.context import Context
from engine.db import Database
from engine.definitions.bundle import collect_bundles
from engine.definitions.deployment import deploy
from engine.models import Base, OrgUnit, Position, Role, User

FIXTURES = Path(__file__).parent / "fixtures"


def _own_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets a database of its own beside the one named (``test`` →
    ``test_gw0``), created on first use, so workers never truncate each other's tables. The environment
    is updated too: the servers and workers the tests start as subprocesses read it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    server, _, rest = url.rpartition("/")
    name, _, query = rest.partition("?")
    if name.endswith(f"_{worker}"):  # this module read twice (as ``conftest`` and ``tests.conftest``)
        return url
    own = f"{name}_{worker}"
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (own,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{own}"')
    url = f"{server}/{own}" + (f"?{query}" if query else "")
    os.environ["RAVAND_TEST_POSTGRES_URL"] = url
    return url


POSTGRES_URL = _own_database(os.environ.get("RAVAND_TEST_POSTGRES_URL"))
CHROMIUM = "/usr/bin/chromium"
POSTGRES_SKIP_REASON = (
    "PostgreSQL tests need RAVAND_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
)


@pytest.fixture(scope="session")
def postgres_database():
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP_REASON)
    database = Database(POSTGRES_URL)
    Base.metadata.drop_all(database.engine)
    Base.metadata.create_all(database.engine)
    yield database
    database.dispose()


def _truncate(database: Database) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with database.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path):
    """An empty database with Ravand's tables, on each backend."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'ravand.db'}")
        database.create_all()
        yield database
        database.dispose()
    else:
        database = request.getfixturevalue("postgres_database")
        _truncate(database)
        yield database


@pytest.fixture
def sqlite_database(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'ravand.db'}")
    database.create_all()
    yield database
    database.dispose()


def add_org(database: Database) -> None:
    """A small organisation: two regions, an expert role per unit, a head role for everyone; sara is
    the deputy (she oversees everything), rita the PR manager of region 2."""
    with database.transaction() as session:
        center = OrgUnit(code="center", kind="center", name_fa="مرکز", name_en="Center")
        r1 = OrgUnit(code="region-01", kind="region", name_fa="منطقه ۱", name_en="Region 1", parent=center)
        r2 = OrgUnit(code="region-02", kind="region", name_fa="منطقه ۲", name_en="Region 2", parent=center)
        expert = Role(code="expert", name_fa="کارشناس", name_en="Expert", per_unit=True)
        head = Role(code="head", name_fa="رئیس", name_en="Head", per_unit=False)
        deputy = Role(code="deputy", name_fa="معاون", name_en="Deputy", per_unit=False)
        manager = Role(code="unit_pr_manager", name_fa="مدیر واحد", name_en="PR manager", per_unit=True)
        session.add_all([center, r1, r2, expert, head, deputy, manager])
        for username, role, unit in [
            ("alice", expert, r1),
            ("bob", expert, r1),
            ("dave", expert, r2),
            ("carol", head, center),
            ("sara", deputy, center),
            ("rita", manager, r2),
        ]:
            session.add(
                User(
                    username=username, full_name=username.title(), positions=[Position(role=role, unit=unit)]
                )
            )
        session.add(User(username="root", full_name="Root", is_admin=True))


@pytest.fixture
def ctx(database):
    add_org(database)
    return Context(database)


def bundle_of(name: str):
    (bundle,) = collect_bundles([FIXTURES / name])
    return bundle


@pytest.fixture
def approval(ctx):
    return deploy(ctx, bundle_of("approval"))


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for the whole run (Playwright allows one sync driver per thread)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install playwright)")
    if not shutil.which(CHROMIUM):
        pytest.skip(f"chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def pytest_sessionfinish(session, exitstatus):
    """With RAVAND_REQUIRE_ALL=1 (CI), a skipped test fails the run: nothing may hide behind a skip."""
    if not os.environ.get("RAVAND_REQUIRE_ALL"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(
            f"RAVAND_REQUIRE_ALL: {len(skipped)} test(s) were skipped; that fails CI.", red=True
        )
        session.exitstatus = 1
