"""Words the inbox's templates show for codes: departments, history events."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.inbox import bp

DEPARTMENTS = {
    "coord": _l("Coordination of regions and units"),
    "social": _l("Social communications"),
    "opinion": _l("Communications and public opinion"),
    "protocol": _l("Protocol"),
    "crisis": _l("Crisis communication"),
}

_EVENTS = {
    "started": _l("The case was started"),
    "completed": _l("The case was finished"),
    "terminated": _l("The case was stopped"),
    "suspended": _l("The case was put on hold"),
    "resumed": _l("The case was resumed"),
    "incident": _l("A problem stopped the case"),
    "incident_retried": _l("The problem was retried"),
    "incident_retry_failed": _l("The retry did not solve the problem"),
    "timer_fired": _l("A deadline or reminder fell due"),
    "message_received": _l("A message arrived"),
    "error_uncaught": _l("An error stopped the case"),
    "escalation_uncaught": _l("An escalation was raised"),
    "signal_received": _l("A signal arrived"),
    "data_edited": _l("The case's data was corrected"),
    "cancelled": _l("A step was cancelled"),
}
_TASK_EVENTS = {
    "task_completed": _l("“%(name)s” was done"),
    "task_claimed": _l("“%(name)s” was taken"),
    "task_unclaimed": _l("“%(name)s” was given back to the group"),
    "task_assigned": _l("“%(name)s” was assigned"),
    "task_overdue": _l("“%(name)s” became overdue"),
    "task_due_changed": _l("The due date of “%(name)s” changed"),
    "task_released": _l("“%(name)s” went back to the group: the delegation ended"),
    "case_copied": _l("A copy of the case was sent"),
}


def department_name(code: str | None) -> str:
    if not code:
        return _("Other processes")
    return str(DEPARTMENTS.get(code, code))


def history_label(event: dict, people: dict[str, str]) -> str:
    kind = event["kind"]
    name = event.get("element_name") or event.get("element_id")
    to = (event.get("data") or {}).get("to")
    if kind == "task_assigned" and to:
        return _("“%(name)s” was given to %(person)s", name=name, person=people.get(to, to))
    if kind == "task_referred":
        return _("“%(name)s” was referred to %(person)s", name=name, person=people.get(to, to))
    if kind in _TASK_EVENTS:
        return str(_TASK_EVENTS[kind]) % {"name": name}
    return str(_EVENTS.get(kind, kind))


def parse_time(value: str | datetime | None) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


@bp.context_processor
def _labels() -> dict:
    return {"department_name": department_name, "history_label": history_label}
