"""The in-process scheduler of the one-machine default: fires due timers and jobs every second."""

from __future__ import annotations

import atexit
import logging
import os
import socket

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

log = logging.getLogger(__name__)


def start_scheduler(app: Flask) -> BackgroundScheduler:
    from engine.notify.digest import schedule_digest
    from engine.runtime.health import beat
    from engine.runtime.worker import run_due_jobs

    ctx = app.extensions["ravand"]
    name = f"{socket.gethostname()}:{os.getpid()}:web"

    def tick() -> None:
        try:
            beat(ctx, name)  # it is this installation's worker: /readyz counts it
            run_due_jobs(ctx)
        except Exception:
            log.exception("the scheduler tick failed")

    try:
        schedule_digest(ctx)
    except Exception:  # a database not upgraded yet, say: the jobs still run
        log.exception("the daily digest could not be scheduled")
    scheduler = BackgroundScheduler(daemon=True)
    scheduler.add_job(tick, "interval", seconds=1, max_instances=1, coalesce=True, id="ravand-jobs")
    scheduler.start()
    atexit.register(lambda: scheduler.shutdown(wait=False))
    app.extensions["ravand_scheduler"] = scheduler
    return scheduler
