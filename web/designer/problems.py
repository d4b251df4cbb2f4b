"""The engine's deploy-time problems in the page's language.

``engine.validation`` words its problems in English for the CLI; the designer shows the common ones
translated (the element and line stay as they are) and any other as the engine wrote it.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from engine.errors import N_, Problem

_PATTERNS = [
    (
        re.compile(r"^the user task names no form \(property formKey\)$"),
        N_("The user task has no form (formKey)."),
    ),
    (
        re.compile(r"^the form '(?P<form>.*)' is not in the bundle$"),
        N_("The form '%(form)s' is not in the bundle."),
    ),
    (
        re.compile(r"^the user task is in no lane, so nobody would get it$"),
        N_("The user task is in no lane."),
    ),
    (
        re.compile(r"^the lane '(?P<lane>.*)' names no known role$"),
        N_("The lane '%(lane)s' names no known role."),
    ),
    (
        re.compile(
            r"^sequence flow (?P<end>sourceRef|targetRef) '(?P<ref>.*)' names no element of the process$"
        ),
        N_("The sequence flow's %(end)s '%(ref)s' names no element of the process."),
    ),
    (
        re.compile(r"^no executable process with id '(?P<key>.*)'$"),
        N_("There is no executable process with the id '%(key)s'."),
    ),
]
_EXPRESSION = re.compile(
    r"^(?P<what>script|prescript|postscript|condition|timer|correlation|message payload|dueInWorkingDays|unit"
    r"|DMN input|DMN input cell|DMN output cell): (?P<detail>.*)$",
    re.S,
)
_WHAT = {
    "script": N_("Script"),
    "prescript": N_("Script before the task"),
    "postscript": N_("Script after the task"),
    "condition": N_("Condition"),
    "timer": N_("Timer"),
    "correlation": N_("Correlation"),
    "message payload": N_("Message payload"),
    "dueInWorkingDays": N_("Due in working days"),
    "unit": N_("Unit"),
    "DMN input": N_("Decision table input"),
    "DMN input cell": N_("Decision table input cell"),
    "DMN output cell": N_("Decision table output cell"),
}


def translated(problem: Problem) -> dict:
    """The problem as the studio shows it: file, line and element, and the message translated if known."""
    message = problem.message
    for pattern, msgid in _PATTERNS:
        match = pattern.match(message)
        if match:
            message = _(msgid, **match.groupdict())
            break
    else:
        match = _EXPRESSION.match(message)
        if match:
            message = f"{_(_WHAT[match['what']])}: {match['detail']}"
    return {"file": problem.file, "line": problem.line, "element": problem.element, "message": message}
