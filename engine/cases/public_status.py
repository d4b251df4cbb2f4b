"""What a citizen may learn from a tracking code: where the request stands, in plain words, nothing internal.

Shown: the process's public name, when the request was received and last moved, the stage it is in
(the names of its open steps) and whether it waits for the applicant. Never shown: data, people,
units, comments or incidents. One read-only transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine.calendar.jalali import to_latin_digits
from engine.context import Context
from engine.models import HumanTask, MessageSubscription, ProcessInstance

TRACKING_CODE = re.compile(r"^[0-9]{10}$")
PUBLIC_STATES = ("in_progress", "waiting_for_you", "on_hold", "done", "closed")


@dataclass(frozen=True)
class PublicStatus:
    tracking_code: str
    process_key: str
    state: str  # one of PUBLIC_STATES
    received_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    steps: list[str]


def normalize_code(text: str | None) -> str:
    """Persian or Arabic-Indic digits to ASCII, spaces and dashes dropped."""
    return re.sub(r"[\s\-]", "", to_latin_digits(text or ""))


def public_status(ctx: Context, code: str) -> PublicStatus | None:
    """The public facts about the request with this tracking code, or None when there is none."""
    code = normalize_code(code)
    if not TRACKING_CODE.match(code):
        return None
    with ctx.db.read() as session:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.tracking_code == code))
        if instance is None:
            return None
        steps = session.scalars(
            select(HumanTask.name)
            .where(HumanTask.instance_id == instance.id, HumanTask.state == "open")
            .order_by(HumanTask.created_at)
        ).all()
        waits = session.scalars(
            select(MessageSubscription.correlation).where(MessageSubscription.instance_id == instance.id)
        ).all()
        return PublicStatus(
            tracking_code=code,
            process_key=instance.process_key,
            state=public_state(instance.status, any("tracking_code" in (w or {}) for w in waits)),
            received_at=instance.started_at,
            updated_at=instance.updated_at,
            ended_at=instance.ended_at,
            steps=list(dict.fromkeys(steps)) if instance.status in ("running", "incident") else [],
        )


def public_state(status: str, waits_for_applicant: bool) -> str:
    """in_progress | waiting_for_you | on_hold | done | closed."""
    if status == "completed":
        return "done"
    if status in ("terminated", "failed"):
        return "closed"
    if status == "suspended":
        return "on_hold"
    if waits_for_applicant:
        return "waiting_for_you"
    return "in_progress"
