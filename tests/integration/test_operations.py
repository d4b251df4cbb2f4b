"""Operations built in: health and readiness, Prometheus metrics, settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command

from engine.runtime.health import beat
from engine.schema import alembic_config
from tests.integration.support import client_of
from web.settings import SETTINGS, MissingSecret, load_settings


def test_healthz_answers_while_the_process_runs(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_wants_the_database_current_and_a_worker_alive(app):
    client = app.test_client()
    assert client.get("/readyz").get_json()["checks"]["migrations"] is False  # the template is not stamped
    command.stamp(alembic_config(app.config["SQLALCHEMY_DATABASE_URI"]), "head")
    waiting = client.get("/readyz")
    assert waiting.status_code == 503  # no worker has beaten yet
    checks = waiting.get_json()["checks"]
    assert checks["database"] and checks["migrations"] and not checks["worker"]
    beat(app.extensions["ravand"], "test-host:1")
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["ready"] is True


def test_metrics_show_requests_completions_and_the_queue(app):
    client = client_of(app, "deputy")
    client.get("/inbox/")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'ravand_http_requests_total{method="GET",route="/inbox/",status="200"}' in body
    for gauge in ("ravand_jobs_due", "ravand_job_lag_seconds", "ravand_incidents_open"):
        assert f"\n{gauge} " in body
    assert "ravand_tasks_completed" in body and "ravand_http_request_seconds_bucket" in body


def test_production_refuses_to_start_without_a_secret():
    with pytest.raises(MissingSecret):
        load_settings({"RAVAND_ENV": "production"})
    config = load_settings(
        {"RAVAND_ENV": "production", "RAVAND_SECRET_KEY": "s" * 40, "RAVAND_LOGIN_ATTEMPTS": "9"}
    )
    assert config["SECRET_KEY"] == "s" * 40 and config["RAVAND_LOGIN_ATTEMPTS"] == 9


def test_every_setting_is_in_the_readme():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in readme]
    assert missing == []
