"""Starting a process (the processes the user may start, grouped by department) and "my requests"."""

from __future__ import annotations

from flask import abort, flash, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.cases.requests import my_requests as requests_of
from engine.cases.start import StartRequest, start_process
from engine.definitions.starters import StartableProcess, start_page, startable_processes, walk_in_processes
from engine.errors import Forbidden, NotFound, RavandError
from web.bounds import page_arg
from web.catalog import current_catalog
from web.i18n import is_persian
from web.inbox import bp
from web.inbox.common import engine, error_response, locale, named, show_unread
from web.inbox.forms import viewer_data, viewer_schema
from web.inbox.labels import parse_time

PER_PAGE = 20


@bp.get("/start/")
@login_required
def start():
    groups: dict[str, list] = {}
    startable, walk_in = start_page(engine(), current_user.username)
    for process in startable:
        groups.setdefault(process.department or "", []).append(
            {"key": process.key, "name": process.name(locale()), "version": process.version}
        )
    for items in groups.values():
        items.sort(key=lambda item: item["name"])
    walk_ins = [{"key": p.key, "name": p.name(locale())} for p in walk_in]
    return render_template("inbox/start.html", groups=sorted(groups.items()), walk_ins=walk_ins)


def _one_or_404(processes: list[StartableProcess], key: str) -> StartableProcess:
    found = next((process for process in processes if process.key == key), None)
    if found is None:
        abort(404)
    return found


def _process_or_404(key: str) -> StartableProcess:
    return _one_or_404(startable_processes(engine(), current_user.username), key)


def _render_form(process: StartableProcess, **extra):
    form = process.form
    return render_template(
        "inbox/start_form.html",
        key=process.key,
        name=process.name(locale()),
        schema=viewer_schema(form) if form else None,
        data=viewer_data(form, {}, is_persian()) if form else {},
        **extra,
    )


def _posted_data() -> dict:
    """The form's values as the start page posts them (``{"data": {...}}``); anything else is empty."""
    payload = request.get_json(silent=True)
    return payload.get("data") if isinstance(payload, dict) and isinstance(payload.get("data"), dict) else {}


@bp.get("/start/<key>")
@login_required
def start_form(key: str):
    return _render_form(_process_or_404(key))


@bp.post("/start/<key>")
@login_required
def start_submit(key: str):
    data = _posted_data()
    try:
        started = start_process(engine(), StartRequest(key, data, user=current_user.username))
    except (Forbidden, NotFound):  # not a process this user may start: there is no such start page
        abort(404)
    except RavandError as exc:
        return error_response(exc)
    entry = current_catalog().get(key)
    flash(
        _("The process '{name}' was started.").format(name=entry.name(locale()) if entry else key), "success"
    )
    first = started.next_tasks[0]["id"] if started.next_tasks else None
    target = url_for("inbox.task", task_id=first) if first else url_for("inbox.my_requests")
    return jsonify(message=_("Done."), redirect=target, instance_id=started.instance_id)


def _walk_in_or_404(key: str) -> StartableProcess:
    return _one_or_404(walk_in_processes(engine(), current_user.username), key)


@bp.get("/start/<key>/walk-in")
@login_required
def walk_in_form(key: str):
    """A public process started at the counter for a citizen who came in person."""
    submit_url = url_for("inbox.walk_in_submit", key=key)
    return _render_form(_walk_in_or_404(key), walk_in=True, submit_url=submit_url)


@bp.post("/start/<key>/walk-in")
@login_required
def walk_in_submit(key: str):
    data = _posted_data()
    try:
        started = start_process(engine(), StartRequest(key, data, user=current_user.username, walk_in=True))
    except (Forbidden, NotFound):
        abort(404)
    except RavandError as exc:
        return error_response(exc)
    target = url_for("inbox.walk_in_done", key=key, code=started.tracking_code)
    return jsonify(message=_("Done."), redirect=target, instance_id=started.instance_id)


@bp.get("/start/<key>/walk-in/done")
@login_required
def walk_in_done(key: str):
    """The tracking code to hand to the citizen, printable."""
    process = _walk_in_or_404(key)
    code = "".join(c for c in request.args.get("code", "") if c.isdigit())[:10]
    return render_template("inbox/walk_in_done.html", name=process.name(locale()), code=code)


@bp.get("/my-requests/")
@login_required
def my_requests():
    page = page_arg(request.args)
    found = requests_of(engine(), current_user.username, PER_PAGE, (page - 1) * PER_PAGE)
    show_unread(found.unread)
    rows = [
        row
        | {
            "process": named(row, "process_name"),
            "steps": row["open_tasks"],
            "started_at": parse_time(row["started_at"]),
            "ended_at": parse_time(row["ended_at"]),
        }
        for row in found.rows
    ]
    pages = max(1, -(-found.total // PER_PAGE))
    return render_template("inbox/my_requests.html", rows=rows, page=page, pages=pages, total=found.total)
