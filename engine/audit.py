"""The append-only audit trail. Data are deep-copied: scripts may later change nested values in place."""

from __future__ import annotations

import copy
import json
from datetime import datetime

from sqlalchemy.orm import Session

from engine.models import AuditEvent, utcnow


def jsonable(data):
    """A JSON-safe deep copy of task data (dates and other objects become strings)."""
    if data is None:
        return None
    return json.loads(json.dumps(copy.deepcopy(data), default=str, ensure_ascii=False))


def record(
    session: Session,
    kind: str,
    instance_id: int | None,
    actor: str | None = None,
    task_id: str | None = None,
    element_id: str | None = None,
    element_name: str | None = None,
    data: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    event = AuditEvent(
        kind=kind,
        instance_id=instance_id,
        actor=actor,
        task_id=task_id,
        element_id=element_id,
        element_name=element_name,
        data=jsonable(data),
        at=at or utcnow(),
    )
    session.add(event)
    return event
