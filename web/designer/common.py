"""What the designer's pages share: the role check, the engine, the catalog's files as seeds, errors."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from flask import abort, current_app, jsonify, request
from flask_babel import gettext as _

from engine.context import Context
from engine.definitions.bundle import collect_bundles
from engine.definitions.catalog import PROCESSES_DIR
from engine.errors import N_, BundleInvalid, InvalidData, RavandError
from web.auth import roles_required
from web.catalog import current_catalog
from web.i18n import error_text, field_texts, problem_dict

DESIGNER_ROLE = "designer"
_seed_lock = threading.Lock()
_seed_cache: dict[tuple, dict[str, dict[str, str]]] = {}


def designer_required(view: Callable) -> Callable:
    return roles_required(DESIGNER_ROLE)(view)


def engine() -> Context:
    return current_app.extensions["ravand"]


def catalog_names() -> dict[str, str]:
    """The catalog's processes (key → Persian name): models a designer may open before any deploy."""
    return {key: entry.name_fa for key, entry in current_catalog().items()}


def seed_files(key: str) -> dict[str, str] | None:
    """The catalog files of ``key``'s bundle (processes/ and forms/), read once per change of the folder."""
    root = Path(current_app.config.get("RAVAND_PROCESSES") or PROCESSES_DIR)
    if not root.is_dir():
        return None
    stamp = (str(root), max((p.stat().st_mtime_ns for p in root.rglob("*")), default=0))
    with _seed_lock:
        if stamp not in _seed_cache:
            bundles = collect_bundles([root], root.parent / "forms")
            _seed_cache.clear()
            _seed_cache[stamp] = {
                b.key: {name: content.decode("utf-8") for name, content in b.files.items()} for b in bundles
            }
        return _seed_cache[stamp].get(key)


def error_json(exc: RavandError):
    """An engine error as the studio's JavaScript reads it: a translated message and the details."""
    body = {"code": exc.code, "message": error_text(exc)}
    if isinstance(exc, InvalidData):
        body["fields"] = field_texts(exc)
    if isinstance(exc, BundleInvalid):
        body["problems"] = [problem_dict(p) for p in exc.problems]
    return jsonify(body), exc.http_status


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    return body


# The studio's script shows these strings; the page hands them over translated.
JS_MESSAGES = (
    N_("Unsaved changes"),
    N_("The editor is ready."),
    N_("Draft revision"),
    N_("last saved by"),
    N_("No draft yet: you see the deployed version."),
    N_("Latest version"),
    N_("Problems found"),
    N_("Every check passed."),
    N_("See what changed"),
    N_("Try the decision"),
    N_("Evaluate"),
    N_("The user task has no form (formKey)."),
    N_("The form is not in the bundle: "),
    N_("The user task is in no lane."),
    N_("The lane names no known role: "),
    N_("The gateway has no default flow and a flow without a condition."),
    N_("This is the first version."),
    N_("Discard the draft and go back to the deployed version?"),
    N_("Who may start it was saved."),
    N_("All staff"),
    N_("The public (no login)"),
    N_("From the catalog until you save."),
    N_("No element changed."),
    N_("added"),
    N_("removed"),
    N_("changed"),
    N_("moved"),
    N_("Open the saved version"),
    N_("Compare with mine"),
    N_("Save mine over it"),
    N_("Your unsaved changes will be lost. Open the saved version?"),
    N_("Their version is open; your changes were not saved."),
    N_("The same in both."),
    N_("only in theirs"),
    N_("only in mine"),
    N_("Lines only in theirs"),
    N_("Lines only in mine"),
)


def js_messages() -> dict[str, str]:
    return {msgid: _(msgid) for msgid in JS_MESSAGES}
