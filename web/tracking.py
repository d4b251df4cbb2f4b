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


def door_message(form_key: str | None) -> str | None:
    """What an open door asks of the applicant, in plain words."""
    if form_key is None:
        return None
    return {
        "citizen_meeting_survey.json": _("We would like to know how satisfied you are with your meeting."),
    }.get(form_key, _("We need an answer from you to continue with your request."))


def status_json(status: PublicStatus, process_name: str) -> dict:
    return {
        "tracking_code": status.tracking_code,
        "process": process_name,
        "state": status.state,
        "message": state_message(status.state),
        "steps": status.steps,
        "asked": door_message(status.door),
        "facts": [{"key": f.key, "label_fa": f.label_fa, "value_fa": f.value_fa} for f in status.facts],
        "received_at": _iso(status.received_at),
        "updated_at": _iso(status.updated_at),
        "ended_at": _iso(status.ended_at),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
