"""The append-only audit trail. Data are deep-copied: scripts may later change nested values in place."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from engine.errors import N_, InvalidData
from engine.models import AuditEvent, utcnow

#: Characters of one audit row's data; a larger one keeps only its size and its first keys.
MAX_AUDIT_CHARS = 100_000


def jsonable(data):
    """A JSON-safe deep copy of task data (dates and other objects become strings).

    The JSON round trip is the copy: nothing of ``data`` is shared with the result.
    """
    if data is None:
        return None
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


def _capped(data):
    """``jsonable(data)``, or only its size and first keys when it is longer than MAX_AUDIT_CHARS."""
    if data is None:
        return None
    text = json.dumps(data, default=str, ensure_ascii=False)
    if len(text) > MAX_AUDIT_CHARS:
        keys = sorted(map(str, data))[:50] if isinstance(data, dict) else []
        return {"truncated": True, "chars": len(text), "keys": keys}
    return json.loads(text)


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
) -> None:
    """Queue an event; the queued events are written with one INSERT when the transaction commits."""
    pending = session.info.get("audit_events")
    if pending is None:
        pending = session.info["audit_events"] = []
    pending.append(
        {
            "kind": kind,
            "instance_id": instance_id,
            "actor": actor,
            "task_id": task_id,
            "element_id": element_id,
            "element_name": element_name,
            "data": _capped(data),
            "at": at or utcnow(),
        }
    )


_INSERT = insert(AuditEvent.__table__)


def write_pending(session: Session) -> None:
    """Write the queued events (called by ``Database.transaction`` just before it commits)."""
    pending = session.info.pop("audit_events", None)
    if pending:
        session.flush()  # the rows they refer to first; then one executemany past the ORM's bulk layer
        session.connection().execute(_INSERT, pending)


def require_reason(reason: str | None) -> str:
    """Every supervisor action says why; the reason goes to the audit trail."""
    if not reason or not reason.strip():
        raise InvalidData(N_("Give a reason for this action."), field_errors={"reason": N_("Required.")})
    return reason.strip()
