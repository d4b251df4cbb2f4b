"""What a citizen may learn from a tracking code: where the request stands, in plain words, nothing internal.

Shown: the process's public name, when the request was received and last moved, the stage it is in
(the names of its open steps), whether it waits for the applicant and with which door (form), and the
data fields the catalog marks public (``public_fields``: a meeting's date and place, the outcome).
Never shown: other data, people, units, comments or incidents. One read-only transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from engine.context import Context
from engine.definitions.catalog import CatalogEntry
from engine.models import Door, HumanTask, MessageSubscription, ProcessInstance
from engine.runtime.unit_of_work import final_data, load_workflow
from engine.search import searchable
from engine.states import HumanTaskState

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
    facts: list[PublicFact] = field(default_factory=list)
    door: str | None = None  # the form key of the open door, when one waits for the applicant


@dataclass(frozen=True)
class PublicFact:
    key: str
    label_fa: str
    label_en: str
    value_fa: str
    value_en: str


def normalize_code(text: str | None) -> str:
    """A tracking code as typed (Persian or Arabic-Indic digits, half-spaces, spaces, dashes) in the
    form it is stored: the search form without spaces and dashes."""
    return re.sub(r"[\s\-]", "", searchable(text))


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
            .where(HumanTask.instance_id == instance.id, HumanTask.state == HumanTaskState.OPEN)
            .order_by(HumanTask.created_at)
        ).all()
        subscriptions = session.scalars(
            select(MessageSubscription).where(MessageSubscription.instance_id == instance.id)
        ).all()
        waits = [s.correlation for s in subscriptions]
        door = session.scalar(
            select(Door.form_key).where(
                Door.instance_id == instance.id,
                Door.used_at.is_(None),
                Door.task_id.in_([s.task_id for s in subscriptions]),
            )
        )
        entry = ctx.catalog.get(instance.process_key)
        data = final_data(load_workflow(ctx, session, instance)) if entry and entry.public_fields else {}
        facts = _facts(entry, data, ended=instance.ended_at is not None) if data else []
        return PublicStatus(
            tracking_code=code,
            process_key=instance.process_key,
            state=public_state(instance.status, any("tracking_code" in (w or {}) for w in waits)),
            received_at=instance.started_at,
            updated_at=instance.updated_at,
            ended_at=instance.ended_at,
            steps=list(dict.fromkeys(steps)) if instance.status in ("running", "incident") else [],
            facts=facts,
            door=door,
        )


def _facts(entry: CatalogEntry, data: dict, ended: bool) -> list[PublicFact]:
    """The catalog's public fields that the case has a value for, coded values in words; a field marked
    ``when_ended`` (the outcome) only once the case has ended."""
    facts = []
    for spec in entry.public_fields:
        value = data.get(spec["key"])
        if value in (None, "", [], {}) or (spec.get("when_ended") and not ended):
            continue
        text = str(value)
        facts.append(
            PublicFact(
                key=spec["key"],
                label_fa=spec.get("label_fa", spec["key"]),
                label_en=spec.get("label_en") or spec.get("label_fa", spec["key"]),
                value_fa=(spec.get("values_fa") or {}).get(text, text),
                value_en=(spec.get("values_en") or {}).get(text, text),
            )
        )
    return facts


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
