"""Operations: ``/healthz`` (the process answers), ``/readyz`` (database, migrations, a worker),
``/metrics`` (Prometheus) and one log line per request.

Request counts and latencies live in this process (shared across gunicorn workers through
``PROMETHEUS_MULTIPROC_DIR``); the queue, incident, completion and heartbeat figures are read from
the database at scrape time, so every web process reports the same truth.
"""

from __future__ import annotations

import logging
import os
import time

from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError

from engine.logs import configure_logging
from engine.runtime.health import queue_figures, readiness
from engine.schema import alembic_config

bp = Blueprint("ops", __name__)
log = logging.getLogger("ravand.request")

REQUESTS = Counter("ravand_http_requests", "HTTP requests answered", ["route", "method", "status"])
LATENCY = Histogram("ravand_http_request_seconds", "Time to answer a request", ["route", "method"])


def _ctx():
    return current_app.extensions["ravand"]


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    outcome = readiness(
        _ctx(),
        current_app.extensions["ravand_migrations_head"],
        current_app.config["RAVAND_READY_NEEDS_WORKER"],
    )
    return jsonify(outcome), 200 if outcome["ready"] else 503


class DatabaseFigures:
    """Gauges computed from the database when Prometheus scrapes."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        try:
            with self.app.app_context():
                figures = queue_figures(_ctx())
        except SQLAlchemyError:  # a database down: the request metrics are still worth scraping
            return
        for name, help_text in (
            ("jobs_due", "Jobs past their due moment, not yet carried out"),
            ("job_lag_seconds", "How late the oldest due job is"),
            ("incidents_open", "Incidents waiting for a supervisor"),
            ("workers_alive", "Workers with a heartbeat in the last minute"),
            ("tasks_completed", "Human tasks completed (all time)"),
        ):
            yield GaugeMetricFamily(f"ravand_{name}", help_text, value=figures[name])


@bp.get("/metrics")
def metrics():
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(DatabaseFigures(current_app._get_current_object()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


@bp.before_app_request
def _start_clock() -> None:
    g.ravand_started = time.perf_counter()


@bp.after_app_request
def _count(response):
    started = g.pop("ravand_started", None)
    if started is None:
        return response
    elapsed = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule else "(unmatched)"
    REQUESTS.labels(route, request.method, str(response.status_code)).inc()
    LATENCY.labels(route, request.method).observe(elapsed)
    view_args = request.view_args or {}
    log.info(
        "request",
        extra={
            "method": request.method,
            "path": request.path,
            "route": route,
            "status": response.status_code,
            "ms": round(elapsed * 1000, 1),
            "instance_id": view_args.get("instance_id"),
            "task_id": view_args.get("task_id"),
        },
    )
    return response


def register_ops(app: Flask) -> None:
    app.config.setdefault("RAVAND_READY_NEEDS_WORKER", True)
    app.extensions["ravand_migrations_head"] = ScriptDirectory.from_config(
        alembic_config()
    ).get_current_head()
    configure_logging()
    app.register_blueprint(bp)
