"""``ravand worker``: an APScheduler loop that carries out due jobs every second or so."""

from __future__ import annotations

import logging
import signal
import threading

from apscheduler.schedulers.blocking import BlockingScheduler

from engine.context import Context
from engine.runtime.jobs import run_due_jobs

log = logging.getLogger(__name__)

__all__ = ["run_due_jobs", "run_forever"]


def run_forever(ctx: Context, interval: float = 1.0) -> None:
    """Tick until SIGINT or SIGTERM. Several workers may run side by side on PostgreSQL."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    scheduler = BlockingScheduler()
    lock = threading.Lock()

    def tick() -> None:
        with lock:
            outcome = run_due_jobs(ctx)
        if outcome["fired"] or outcome["failed"]:
            log.info("jobs: %(fired)d fired, %(failed)d failed", outcome)

    scheduler.add_job(tick, "interval", seconds=interval, max_instances=1, coalesce=True, id="ravand-jobs")
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: scheduler.shutdown(wait=False))
    log.info("Ravand worker started (every %.1fs)", interval)
    scheduler.start()
