"""A request's public status in the reader's language, for the status page and the API (the facts come
from engine.cases.public_status)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from engine.cases.public_status import PublicStatus


def state_message(state: str) -> str:
    return {
        "in_progress": _("Your request has been received and is being handled."),
        "waiting_for_you": _("Your request is waiting for an answer from you; please see our message."),
        "on_hold": _("The handling of your request is on hold for now."),
        "done": _("The handling of your request has finished."),
        "closed": _("Your request was closed."),
    }[state]


def status_json(status: PublicStatus, process_name: str) -> dict:
    return {
        "tracking_code": status.tracking_code,
        "process": process_name,
        "state": status.state,
        "message": state_message(status.state),
        "steps": status.steps,
        "received_at": _iso(status.received_at),
        "updated_at": _iso(status.updated_at),
        "ended_at": _iso(status.ended_at),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
