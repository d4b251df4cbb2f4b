"""Incidents in words people read: the kind of failure, translated, above its technical message."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: A marker in an incident's (English, technical) message -> what it means, to be translated.
_KINDS = (
    ("ScriptTimeout", _l("The script ran longer than its time limit (an endless loop?).")),
    ("ScriptResourceError", _l("The script tried to build something too large or too slow to compute.")),
    (
        "ScriptDataError",
        _l("The script left data that cannot be saved (only text, numbers, lists and records)."),
    ),
    ("ScriptSecurityError", _l("The script tried something scripts may not do.")),
    (
        "ended the process that ran it",
        _l("The job stopped the process that ran it; a supervisor must retry it."),
    ),
)


def incident_summary(message: str | None) -> str | None:
    """The translated kind of an incident, or None when its message is not one of the known kinds."""
    for marker, text in _KINDS:
        if message and marker in message:
            return str(text)
    return None
