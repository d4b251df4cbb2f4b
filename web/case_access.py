"""Every action on one task, case, attachment or incident asks the engine first whether the user may
see it: for what they may not see, every route and method — page or API, with a body that is right
or wrong — answers "not found", exactly as for what does not exist. The engine's services ask again
(and decide what the user may do); this makes the order the same for every action, those there are
and those to come. A read (GET) sends no body: its read model asks first, in its one transaction.
"""

from __future__ import annotations

from flask import abort, current_app, request
from flask_login import current_user

from engine.errors import NotFound
from engine.org.access import ensure_visible

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CASE_ARGUMENTS = {
    "task_id": "task",
    "instance_id": "instance",
    "attachment_id": "attachment",
    "incident_id": "incident",
}


def ensure_named_visible(username: str) -> None:
    """NotFound when the request is an action whose route names a task, case, attachment or incident
    the user may not see."""
    arguments = request.view_args or {} if request.method not in SAFE_METHODS else {}
    for argument, kind in CASE_ARGUMENTS.items():
        if argument in arguments:
            ensure_visible(current_app.extensions["ravand"], username, kind, arguments[argument])


def pages_ask_first() -> None:
    """The pages' check (the API's is in ``web.api_access``); the anonymous are left to the login."""
    if (request.blueprint or "").startswith("api") or not current_user.is_authenticated:
        return
    try:
        ensure_named_visible(current_user.username)
    except NotFound:
        abort(404)
