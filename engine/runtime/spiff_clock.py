"""SpiffWorkflow's timers on Ravand's clock.

SpiffWorkflow's timer event definitions ask ``datetime.now(timezone.utc)`` of the module they live
in. Ravand gives that module a ``datetime`` whose ``now`` is the clock of the running unit of work
(``engine.clock.current()``), so timers in a workflow and Ravand's own jobs and due dates agree on
the time. With the system clock this is exactly the library's behaviour.
"""

from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer

from engine import clock


class _ClockDatetime(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        moment = clock.current().now()
        return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)


def install() -> None:
    """Point SpiffWorkflow's timer module at the engine's clock (idempotent)."""
    timer.datetime = _ClockDatetime
