"""Production as documented: `make serve-prod` — gunicorn workers and `ravand worker`s over one
PostgreSQL — answers /readyz, serves pages, counts in /metrics, and survives the database dropping
every connection (pool_pre_ping: the next requests succeed without a restart)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import psycopg
import pytest

from tests.conftest import POSTGRES_SKIP_REASON, POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DB_NAME = "ravand_production_test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def production(tmp_path):
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP_REASON)
    admin = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "RAVAND_SECRET_KEY": "production-test-secret-" + "x" * 20,
        "RAVAND_BIND": f"127.0.0.1:{port}",
        "RAVAND_WEB_WORKERS": "2",
        "RAVAND_ATTACHMENTS_DIR": str(tmp_path / "files"),
        "PATH": f"{BIN}:{os.environ['PATH']}",
    }
    # The Makefile's own target, as a newcomer runs it (setup and assets are up to date here).
    server = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "-o",
            "setup",
            "-o",
            "assets",
            "serve-prod",
            "WORKERS=2",
            f"VENV={BIN.parent}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        yield base, admin
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def _until_ready(base: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            status, body = _get(base + "/readyz")
            last = body
            if status == 200:
                return body
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"not ready in {seconds}s: {last}")


def test_serve_prod_brings_up_gunicorn_and_workers_that_recover_from_a_database_restart(production):
    base, admin = production
    assert '"ready":true' in _until_ready(base).replace(" ", "")
    status, page = _get(base + "/login")
    assert status == 200 and 'dir="rtl"' in page
    # The database drops every connection of Ravand's (as a restart or failover would).
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (DB_NAME,),
        )
    statuses = [_get(base + "/login")[0] for _ in range(8)]
    assert statuses == [200] * 8  # no worker answers its first request with a 500
    _until_ready(base, 30)  # the workers reconnect and beat again
    status, metrics = _get(base + "/metrics")
    assert status == 200 and "ravand_http_requests_total" in metrics and "ravand_workers_alive" in metrics
