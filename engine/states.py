"""The states of instances, human tasks and jobs.

They are ``StrEnum`` members, so they compare equal to the strings stored in the tables and written in
the API; the code names them instead of spelling the strings.
"""

from __future__ import annotations

from enum import StrEnum


class InstanceStatus(StrEnum):
    RUNNING = "running"
    INCIDENT = "incident"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    TERMINATED = "terminated"
    FAILED = "failed"  # an error nobody caught


class HumanTaskState(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class JobStatus(StrEnum):
    """A job is deleted once done; a failed one waits for a supervisor's retry."""

    PENDING = "pending"
    RUNNING = "running"
    FAILED = "failed"


ACTIVE = (InstanceStatus.RUNNING, InstanceStatus.INCIDENT)
ENDED = (InstanceStatus.COMPLETED, InstanceStatus.TERMINATED, InstanceStatus.FAILED)
