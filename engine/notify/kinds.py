"""What a notice can say, and what a sender is handed to say it outside the app."""

from __future__ import annotations

from dataclasses import dataclass

TASK_ARRIVED = "task_arrived"
TASK_REASSIGNED = "task_reassigned"
TASK_OVERDUE = "task_overdue"
TASK_REFERRED = "task_referred"
CASE_COPIED = "case_copied"
TASK_RETURNED = "task_returned"
KINDS = (TASK_ARRIVED, TASK_REASSIGNED, TASK_OVERDUE, TASK_REFERRED, CASE_COPIED, TASK_RETURNED)


@dataclass(frozen=True)
class OutgoingMessage:
    """What a sender needs to tell one person about one task, copied out of the transaction."""

    kind: str
    username: str
    full_name: str
    email: str | None
    locale: str
    task_id: str
    task_name: str
    instance_id: int
    instance_title: str
    note: str | None = None
