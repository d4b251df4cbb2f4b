"""The engine's clock: what "now" is for due dates, timers, jobs and the audit trail.

Services read ``ctx.clock``; SpiffWorkflow's timers read the clock of the unit of work that runs them
(``running_on``), so a simulated clock — the demo's month of history, a test — moves everything at
once, including the timers inside the workflows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class SimulatedClock:
    """A clock that stands still until told to move."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta


SYSTEM = SystemClock()
_current: ContextVar[Clock] = ContextVar("ravand_clock", default=SYSTEM)


def current() -> Clock:
    """The clock of the unit of work running in this thread (the system clock outside one)."""
    return _current.get()


@contextmanager
def running_on(clock: Clock) -> Iterator[None]:
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)
