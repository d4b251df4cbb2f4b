"""Pages without login: the public forms of the catalog's public processes and the tracking-code status page.

A submission is read from plain HTML inputs, passes the spam guard (a rate limit per address, a
small sum to solve, a honeypot), is validated on the server against the start form, starts the
process with a tracking code, and its files become attachments of the new instance.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from engine.cases.doors import answer_door, open_door
from engine.cases.public_status import normalize_code, public_status
from engine.cases.start import StartRequest, start_process
from engine.definitions.starters import StartableProcess, public_processes
from engine.errors import InvalidData, RavandError
from web import guard
from web.catalog import current_catalog
from web.context import engine
from web.i18n import error_text, field_texts
from web.public.forms import layout, read_submission
from web.tracking import door_message, state_message
from web.uploads import attachment_store

bp = Blueprint("public", __name__, url_prefix="/public")


@bp.after_request
def _no_store(response):
    """Tracking codes and half-filled forms must not stay in a shared computer's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _too_many() -> str:
    return _("Too many requests from your address. Please try again in a few minutes.")


def _public_process(key: str) -> StartableProcess:
    for process in public_processes(engine()):
        if process.key == key:
            return process
    abort(404)


@bp.get("/")
def index():
    locale = str(get_locale())
    processes = [(process, process.name(locale)) for process in public_processes(engine())]
    return render_template("public/index.html", processes=processes)


@bp.route("/<key>", methods=["GET", "POST"])
def form(key: str):
    entry = _public_process(key)
    schema = entry.form
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
            code, errors = _submit(entry, fields)
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


def _submit(entry: StartableProcess, fields) -> tuple[str | None, dict[str, str]]:
    """Validate and start; the tracking code, or the messages by field."""
    data, uploads = read_submission(fields, request.form, request.files)
    store = attachment_store()
    files = tuple(
        (key, upload.filename, upload.stream.read(store.max_bytes + 1))
        for key, chosen in uploads.items()
        for upload in chosen
    )
    try:
        started = start_process(engine(), StartRequest(entry.key, data, files=files, public=True), store)
    except InvalidData as exc:
        return None, field_texts(exc)
    return started.tracking_code, {}


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
            found = public_status(engine(), code)
            if found is None:
                notice, http_status = _("No request has this tracking code."), 404
    process_name = ""
    if found is not None:
        entry = current_catalog().get(found.process_key)
        process_name = entry.name(str(get_locale())) if entry else ""
    return (
        render_template(
            "public/status.html",
            code=code,
            found=found,
            message=state_message(found.state) if found else None,
            answered=bool(request.args.get("answered")),
            door_message=door_message(found.door) if found else None,
            locale=str(get_locale()),
            process_name=process_name,
            notice=notice,
        ),
        http_status,
    )


@bp.route("/door/<code>/<token>", methods=["GET", "POST"])
def door(code: str, token: str):
    """The page a link in a message opens: the process asks its question, the answer moves the case."""
    if not guard.allow("door"):
        return render_template("public/door.html", page=None, notice=_too_many()), 429
    try:
        page = open_door(engine(), code, token)
    except RavandError as exc:
        status = exc.http_status
        return render_template("public/door.html", page=None, notice=error_text(exc), code=code), status
    fields = layout(page.form)
    errors: dict[str, str] = {}
    notice, status = None, 200
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        if request.form.get(guard.HONEYPOT):
            abort(400)
        data, uploads = read_submission(fields, request.form, request.files)
        store = attachment_store()
        files = tuple(
            (key, upload.filename, upload.stream.read(store.max_bytes + 1))
            for key, chosen in uploads.items()
            for upload in chosen
        )
        try:
            answer_door(engine(), code, token, data, files, store)
        except InvalidData as exc:
            errors = field_texts(exc)
            notice, status = (error_text(exc) if not errors else _("Please correct the marked fields.")), 422
        except RavandError as exc:
            return render_template("public/door.html", page=None, notice=error_text(exc), code=code), 409
        else:
            return redirect(url_for("public.status", code=page.tracking_code, answered=1))
    entry = current_catalog().get(page.process_key)
    return (
        render_template(
            "public/door.html",
            page=page,
            name=entry.name(str(get_locale())) if entry else "",
            fields=fields,
            values=values,
            errors=errors,
            notice=notice,
            code=page.tracking_code,
        ),
        status,
    )
