"""Browser tests: the real app on a real HTTP server, driven by Debian's chromium through Playwright.

Fixtures any browser test can use (mark the test ``@pytest.mark.browser``):

- ``live_server``: a fresh SQLite database with the demo organisation (every password ``ravand-demo``)
  and the bundles of ``live_bundles`` deployed, served by werkzeug in a thread on a free port. It has
  ``.url`` (``http://127.0.0.1:PORT``), ``.app`` (the Flask app) and ``.ctx`` (the engine Context, to
  start processes or check the database). Override ``live_bundles`` in a test module to deploy other
  bundles (e.g. ``collect_bundles([ROOT / "processes"])`` for the catalog) and ``live_config`` for
  other app settings (``RAVAND_CATALOG``, say).
- ``browser``: one headless chromium for the session; ``page``: a new desktop page (1280×900, Persian);
  ``phone``: a new phone-width page (390×844).
- ``login(page, username)``: logs in through the login form.
- ``screenshot(page, name)``: saves ``tests/e2e/screenshots/<name>.png`` when RAVAND_SCREENSHOTS=1.

The front-end bundle (web/static/dist) is built with ``npm run build`` if it is missing. Tests are
skipped, saying why, only when chromium or Playwright is missing (CI fails on any skip).
"""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from engine.context import Context
from engine.db import Database
from engine.definitions.bundle import collect_bundles
from engine.definitions.deployment import deploy
from engine.demo.seed import DEMO_PASSWORD, seed_demo
from web import create_app

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"


@dataclass
class LiveServer:
    url: str
    app: Flask
    ctx: Context


@pytest.fixture
def live_bundles():
    """The bundles deployed on the live server: by default the inbox's test process (leave request)."""
    return collect_bundles([HERE / "fixtures" / "leave"])


@pytest.fixture
def live_config():
    return {"RAVAND_CATALOG": str(HERE / "fixtures" / "leave" / "catalog.yaml")}


def _ensure_assets() -> None:
    if not (ROOT / "web" / "static" / "dist" / "inbox" / "form.js").exists():
        subprocess.run(["npm", "run", "build"], cwd=ROOT, check=True, capture_output=True)


@pytest.fixture
def live_server(tmp_path, live_bundles, live_config):
    _ensure_assets()
    url = f"sqlite:///{tmp_path / 'live.db'}"
    Database(url).create_all()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": True} | live_config)
    ctx = app.extensions["ravand"]
    seed_demo(ctx, password=DEMO_PASSWORD)
    for bundle in live_bundles:
        deploy(ctx, bundle)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, ctx)
    server.shutdown()
    thread.join(timeout=5)


def _page(browser, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fa-IR")
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


@pytest.fixture
def page(browser):
    context, page = _page(browser, 1280, 900)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context, page = _page(browser, 390, 844)
    yield page
    context.close()


@pytest.fixture
def login(live_server):
    def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
        page.goto(f"{live_server.url}/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)

    return log_in


@pytest.fixture
def screenshot():
    def take(page, name: str) -> None:
        if os.environ.get("RAVAND_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
