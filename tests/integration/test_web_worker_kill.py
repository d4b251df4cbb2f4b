"""Faults under load over PostgreSQL, against gunicorn: nothing is half-done, nothing needs a restart.

gunicorn workers SIGKILLed while they complete tasks:
Eight clients complete 60 tasks through the API while a killer thread SIGKILLs a busy gunicorn
worker after every eighth answer, six times (the master starts a new one each time). A request cut
off by the kill either happened fully or not at all: the user's retry then succeeds, or is told the
task was already completed. At the end every task was completed exactly once and every instance's
tables agree with its saved state.

The database terminating every connection of Ravand's while it completes tasks: a request caught in it
is answered 503 with ``Retry-After`` (rolled back whole), later requests succeed without a restart.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

import psycopg
import pytest
from sqlalchemy import func, select

from engine.context import Context
from engine.db import Database
from engine.definitions.deployment import deploy
from engine.models import AuditEvent, User
from engine.org.accounts import new_api_token
from engine.runtime import starting
from engine.runtime.consistency import projection_differences
from engine.work.inbox import TaskQuery, list_tasks
from tests.conftest import POSTGRES_SKIP_REASON, POSTGRES_URL, add_org, bundle_of

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DB_NAME = "ravand_worker_kill_test"
TASKS = 60
KILLS = 6
CLIENTS = 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _complete(base: str, token: str, task_id: str) -> int | None:
    """The HTTP status of one completion, or None when the connection was cut (the worker died)."""
    request = Request(
        f"{base}/api/v1/tasks/{task_id}/complete",
        data=json.dumps({"data": {"amount": 100, "description": "done"}}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urlopen(request, timeout=30) as response:
            return response.status
    except HTTPError as error:
        return error.code
    except (URLError, ConnectionError, TimeoutError):
        return None


def _workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


@pytest.fixture
def served_cases(tmp_path):
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP_REASON)
    admin = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    database = Database(url)
    database.create_all()
    add_org(database)
    ctx = Context(database)
    deploy(ctx, bundle_of("approval"))
    task_ids = []
    for _ in range(TASKS):
        instance = starting.start(ctx, "approval", {}, unit="region-01")
        (submit,) = list_tasks(ctx, TaskQuery(instance_id=instance.id))
        task_ids.append(submit["id"])
    token, token_hash = new_api_token()
    with database.transaction() as session:
        session.scalar(select(User).where(User.username == "alice")).api_token_hash = token_hash
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "RAVAND_SECRET_KEY": "worker-kill-test-secret-" + "x" * 20,
        "RAVAND_BIND": f"127.0.0.1:{port}",
        "RAVAND_WEB_WORKERS": "2",
        "RAVAND_ATTACHMENTS_DIR": str(tmp_path / "files"),
    }
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "deploy/gunicorn.conf.py", "web:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urlopen(base + "/healthz", timeout=5):
                    break
            except OSError:
                time.sleep(0.3)
        yield ctx, server.pid, base, token, task_ids
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        database.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def _client(base: str, token: str, todo: queue.Queue, lock, statuses: list, cut_off: list):
    """A client completing tasks from ``todo``; what fails or is cut off goes to ``cut_off``."""

    def run() -> None:
        while True:
            try:
                task_id = todo.get_nowait()
            except queue.Empty:
                return
            status = _complete(base, token, task_id)
            with lock:
                (
                    cut_off.append((task_id, status))
                    if status is None or status >= 500
                    else statuses.append(status)
                )

    return run


def _each_completed_once(ctx: Context) -> None:
    with ctx.db.read() as session:
        completions = session.execute(
            select(AuditEvent.instance_id, func.count())
            .where(AuditEvent.kind == "task_completed")
            .group_by(AuditEvent.instance_id)
        ).all()
    assert len(completions) == TASKS and {n for _, n in completions} == {1}
    for instance_id, _ in completions:
        assert projection_differences(ctx, instance_id) == []


@pytest.mark.postgres
def test_killed_web_workers_leave_every_completion_whole_or_undone(served_cases):
    ctx, master, base, token, task_ids = served_cases
    todo: queue.Queue[str] = queue.Queue()
    for task_id in task_ids:
        todo.put(task_id)
    cut_off: list[str] = []
    statuses: list[int] = []
    lock = threading.Lock()
    done = threading.Event()
    client = _client(base, token, todo, lock, statuses, cut_off)

    kills = 0

    def killer() -> None:
        """A kill after every eighth answer, while the other clients' requests are in flight."""
        nonlocal kills
        while kills < KILLS and not done.wait(0.05):
            with lock:
                answered = len(statuses) + len(cut_off)
            workers = _workers_of(master)
            if answered >= 8 * (kills + 1) and workers:
                os.kill(random.choice(workers), signal.SIGKILL)
                kills += 1

    clients = [threading.Thread(target=client) for _ in range(CLIENTS)]
    reaper = threading.Thread(target=killer)
    reaper.start()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(300)
    done.set()
    reaper.join(10)
    assert kills == KILLS
    assert set(statuses) <= {200}, statuses

    # The user retries what was cut off: it happened already (409) or it happens now (200).
    time.sleep(2)  # let the master start fresh workers
    retried = [_complete(base, token, task_id) for task_id, _ in cut_off]
    assert set(retried) <= {200, 409}, retried
    _each_completed_once(ctx)


@pytest.mark.postgres
def test_connections_terminated_under_load_fail_cleanly_and_recover(served_cases):
    ctx, _master, base, token, task_ids = served_cases
    todo: queue.Queue[str] = queue.Queue()
    for task_id in task_ids:
        todo.put(task_id)
    failed: list[tuple[str, int | None]] = []
    statuses: list[int] = []
    lock = threading.Lock()
    admin = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    terminations = 0

    def terminator() -> None:
        """Every connection of Ravand's dropped after every tenth answer, three times."""
        nonlocal terminations
        while terminations < 3 and not todo.empty():
            with lock:
                answered = len(statuses) + len(failed)
            if answered >= 10 * (terminations + 1):
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = %s AND pid <> pg_backend_pid()",
                        (DB_NAME,),
                    )
                terminations += 1
            time.sleep(0.02)

    clients = [
        threading.Thread(target=_client(base, token, todo, lock, statuses, failed)) for _ in range(CLIENTS)
    ]
    dropper = threading.Thread(target=terminator)
    dropper.start()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(300)
    dropper.join(30)
    assert terminations == 3
    assert set(statuses) <= {200}, statuses
    assert {status for _, status in failed} <= {503}, failed  # clean refusals, never a 500 or a cut
    retried = [_complete(base, token, task_id) for task_id, _ in failed]
    assert set(retried) <= {200}, retried  # rolled back whole: the retry does it
    _each_completed_once(ctx)
