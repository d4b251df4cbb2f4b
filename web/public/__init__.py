"""Pages without login: the public forms of the catalog's public processes and the tracking-code status page.

A submission is read from plain HTML inputs, passes the spam guard (a rate limit per address, a
small sum to solve, a honeypot), is validated on the server against the start form, starts the
process with a tracking code, and its files become attachments of the new instance.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from engine.cases import attachments
from engine.definitions import deployment as definitions
from engine.definitions.forms import validate_submission
from engine.errors import InvalidData, NotFound
from engine.models import OrgUnit
from web.api.common import attachment_store
from web.catalog import CatalogEntry, current_catalog, public_entries
from web.i18n import error_text, field_texts
from web.public import guard
from web.public.forms import layout, read_submission
from web.public.status import find_status, normalize_code, state_message

bp = Blueprint("public", __name__, url_prefix="/public")


@bp.after_request
def _no_store(response):
    """Tracking codes and half-filled forms must not stay in a shared computer's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _too_many() -> str:
    return _("Too many requests from your address. Please try again in a few minutes.")


def _ctx():
    return current_app.extensions["ravand"]


def _deployed_public() -> list[tuple[CatalogEntry, dict | None]]:
    """The public processes that are deployed, each with its start form."""
    found = []
    with _ctx().db.transaction() as db_session:
        for entry in public_entries():
            try:
                definition = definitions.latest(db_session, entry.key)
            except NotFound:
                continue
            form = _ctx().form(db_session, definition.id, entry.start_form) if entry.start_form else None
            found.append((entry, form))
    return found


def _public_entry(key: str) -> tuple[CatalogEntry, dict | None]:
    for entry, form in _deployed_public():
        if entry.key == key:
            return entry, form
    abort(404)


@bp.get("/")
def index():
    locale = str(get_locale())
    processes = [(entry, entry.name(locale)) for entry, _form in _deployed_public()]
    return render_template("public/index.html", processes=processes)


@bp.route("/<key>", methods=["GET", "POST"])
def form(key: str):
    entry, schema = _public_entry(key)
    fields = layout(schema or {"components": []})
    errors: dict[str, str] = {}
    notice, status = None, 200
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        if request.form.get(guard.HONEYPOT):
            abort(400)
        if not guard.allow("submit"):
            notice, status = _too_many(), 429
        elif not guard.challenge_passed(request.form.get("challenge_token"), request.form.get("challenge")):
            errors["challenge"] = _("The answer to the sum is not right.")
        else:
            code, errors = _submit(entry, schema, fields)
            if code is not None:
                session["public_tracking_code"] = code
                session["public_process"] = entry.key
                return redirect(url_for("public.received"))
        if errors and status == 200:
            notice, status = _("Please correct the marked fields."), 422
    return (
        render_template(
            "public/form.html",
            entry=entry,
            name=entry.name(str(get_locale())),
            fields=fields,
            values=values,
            errors=errors,
            notice=notice,
            challenge=guard.new_challenge(),
        ),
        status,
    )


def _submit(entry: CatalogEntry, schema: dict | None, fields) -> tuple[str | None, dict[str, str]]:
    """Validate and start; the tracking code, or the messages by field."""
    data, uploads = read_submission(fields, request.form, request.files)
    store = attachment_store()
    files, errors = [], {}
    for key, chosen in uploads.items():
        for upload in chosen:
            content = upload.stream.read(store.max_bytes + 1)
            try:
                attachments.check_file(store, upload.filename, content)
            except InvalidData as exc:
                errors[key] = error_text(exc)
            files.append((key, upload.filename, content))
    try:
        cleaned = validate_submission(schema, data) if schema is not None else {}
    except InvalidData as exc:
        errors = {**field_texts(exc), **errors}
    if errors:
        return None, errors
    instance = attachments.start_with_files(
        _ctx(), store, entry.key, cleaned, files, unit=_unit_of(cleaned), public=True
    )
    return instance.tracking_code, {}


def _unit_of(data: dict) -> str | None:
    """The unit the request is for, when the form asks the citizen for it (a ``unit`` or ``region`` field)."""
    codes = [c for c in (data.get("unit"), data.get("region")) if isinstance(c, str)]
    if not codes:
        return None
    with _ctx().db.transaction() as db_session:
        return db_session.scalar(select(OrgUnit.code).where(OrgUnit.code.in_(codes)).limit(1))


@bp.get("/received")
def received():
    code = session.get("public_tracking_code")
    if not code:
        return redirect(url_for("public.index"))
    entry = current_catalog().get(session.get("public_process", ""))
    name = entry.name(str(get_locale())) if entry else ""
    return render_template("public/received.html", code=code, name=name)


@bp.get("/status")
def status():
    code = normalize_code(request.args.get("code"))
    found, notice, http_status = None, None, 200
    if code:
        if not guard.allow("status"):
            notice, http_status = _too_many(), 429
        else:
            found = find_status(_ctx(), code)
            if found is None:
                notice, http_status = _("No request has this tracking code."), 404
    process_name = ""
    if found is not None:
        entry = current_catalog().get(found["process_key"])
        process_name = entry.name(str(get_locale())) if entry else ""
    return (
        render_template(
            "public/status.html",
            code=code,
            found=found,
            message=state_message(found["state"]) if found else None,
            process_name=process_name,
            notice=notice,
        ),
        http_status,
    )
