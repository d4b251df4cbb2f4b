"""``ravand worker``: an APScheduler loop that carries out due jobs every second or so."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading

from apscheduler.schedulers.blocking import BlockingScheduler

from engine.context import Context
from engine.logs import configure_logging
from engine.notify.digest import schedule_digest
from engine.runtime.health import beat, forget
from engine.runtime.jobs import run_due_jobs

log = logging.getLogger(__name__)

__all__ = ["run_due_jobs", "run_forever"]


def run_forever(ctx: Context, interval: float = 1.0) -> None:
    """Tick until SIGINT or SIGTERM. Several workers may run side by side on PostgreSQL."""
    configure_logging()
    scheduler = BlockingScheduler()
    lock = threading.Lock()
    name = f"{socket.gethostname()}:{os.getpid()}"
    schedule_digest(ctx)

    def tick() -> None:
        with lock:
            beat(ctx, name)
            outcome = run_due_jobs(ctx)
        if outcome["fired"] or outcome["failed"]:
            log.info("jobs: %(fired)d fired, %(failed)d failed", outcome)

    scheduler.add_job(tick, "interval", seconds=interval, max_instances=1, coalesce=True, id="ravand-jobs")
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: scheduler.shutdown(wait=False))
    log.info("Ravand worker started (every %.1fs)", interval)
    scheduler.start()
    forget(ctx, name)
