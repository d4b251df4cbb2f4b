"""The inbox and a task's page: list, claim, unclaim, comment, attach, save a draft, complete, reassign."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import Forbidden, NotFound, RavandError
from engine.work import tasks
from engine.work.inbox import INBOX_DUE, INBOX_SORTS, INBOX_VIEWS, InboxQuery
from engine.work.inbox_page import inbox_page
from engine.work.task_page import task_diagram, task_page
from web.bounds import id_arg, page_arg
from web.i18n import is_persian, localized_number
from web.inbox import bp
from web.inbox.common import engine, error_response, error_text, locale, named, show_unread
from web.inbox.forms import viewer_data, viewer_schema
from web.redirects import local_target
from web.uploads import attachment_store

PER_PAGE = 20
FILTERS = ("view", "process", "department", "unit", "due", "q", "sort")


@bp.get("/inbox/")
@login_required
def index():
    args = request.args
    view = args.get("view") if args.get("view") in INBOX_VIEWS else "mine"
    query = InboxQuery(
        user=current_user.username,
        view=view,
        process=args.get("process") or None,
        department=None if args.get("process") else args.get("department") or None,
        unit_id=id_arg(args, "unit"),
        due=args.get("due") if args.get("due") in INBOX_DUE else None,
        search=(args.get("q") or "").strip()[:100] or None,
        sort=args.get("sort") if args.get("sort") in INBOX_SORTS else "due",
        page=page_arg(args),
        per_page=PER_PAGE,
    )
    shown = inbox_page(engine(), query)
    show_unread(shown.unread)
    names = {p.key: p.name(locale()) for p in shown.processes}
    rows = [
        row
        | {"process_label": names.get(row["process_key"], row["process_name"]), "unit": named(row, "unit")}
        for row in shown.page.rows
    ]
    return render_template(
        "inbox/index.html",
        view=view,
        page=shown.page,
        rows=rows,
        counts=shown.counts,
        filters={k: v for k, v in args.items() if k in FILTERS},
        processes=sorted(names.items(), key=lambda kv: kv[1]),
        departments=shown.departments,
        units=[(u.key, u.name(locale())) for u in shown.units],
    )


@bp.get("/inbox/tasks/<task_id>")
@login_required
def task(task_id: str):
    try:
        shown = task_page(engine(), task_id, current_user.username)
    except NotFound:
        abort(404)
    show_unread(shown.unread)
    case = shown.case
    form = shown.form
    return render_template(
        "inbox/task.html",
        task=shown.task | {"unit": named(shown.task, "unit")},
        instance=case,
        process_name=named(case, "process_name"),
        can_act=shown.can_act,
        is_mine=shown.is_mine,
        schema=viewer_schema(form) if form else None,
        data=viewer_data(form, shown.data, is_persian()) if form else {},
        history=shown.history,
        case_data=shown.case_data,
        comments=shown.comments,
        people=shown.people,
        has_diagram=shown.has_diagram,
        reassign_to=[(p.username, p.full_name) for p in shown.reassign_to],
        refer_to=shown.refer_to,
        copy_to=shown.copy_to,
        copy_reader=shown.copy_reader,
        attachments=shown.attachments,
        max_mb=f"{attachment_store().max_bytes / 1024 / 1024:g}",
    )


@bp.get("/inbox/tasks/<task_id>/diagram.bpmn")
@login_required
def diagram(task_id: str):
    try:
        content = task_diagram(engine(), task_id, current_user.username, str(get_locale()))
    except NotFound:
        abort(404)
    return (
        content,
        200,
        {
            "Content-Type": "application/xml; charset=utf-8",
            "Cache-Control": "private, max-age=3600",
            "Content-Language": str(get_locale()),
            "Vary": "Cookie, Accept-Language",
        },
    )


def _act(task_id: str, action, success):
    """Run one engine action on the task and go back: a task the user may not see or act on is the
    status the engine says; any other refusal is told on the page."""
    try:
        done = action(engine())
    except (Forbidden, NotFound) as exc:
        abort(exc.http_status)
    except RavandError as exc:
        flash(error_text(exc), "danger")
    else:
        flash(success(done), "success")
    return redirect(local_target(request.form.get("next"), url_for("inbox.task", task_id=task_id)))


@bp.post("/inbox/tasks/<task_id>/claim")
@login_required
def claim(task_id: str):
    return _act(
        task_id,
        lambda ctx: tasks.claim(ctx, task_id, current_user.username),
        lambda _done: _("The task is now yours."),
    )


@bp.post("/inbox/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str):
    return _act(
        task_id,
        lambda ctx: tasks.unclaim(ctx, task_id, current_user.username),
        lambda _done: _("The task went back to the group."),
    )


@bp.post("/inbox/tasks/<task_id>/comments")
@login_required
def comment(task_id: str):
    body = (request.form.get("body") or "").strip()
    if not body:
        flash(_("Write something first."), "warning")
        return redirect(url_for("inbox.task", task_id=task_id) + "#comments")
    return _act(
        task_id,
        lambda ctx: tasks.add_comment(ctx, task_id, body[:4000], current_user.username),
        lambda _done: _("Your comment was added."),
    )


@bp.post("/inbox/tasks/<task_id>/attachments")
@login_required
def attach(task_id: str):
    """Attach a file to the task's case; the engine judges it by its content and size."""
    upload = request.files.get("file")
    target = url_for("inbox.task", task_id=task_id) + "#attachments"
    if upload is None or not upload.filename:
        flash(_("Choose a file first."), "warning")
        return redirect(target)
    store = attachment_store()
    content = upload.stream.read(store.max_bytes + 1)
    try:
        added = tasks.attach(engine(), store, task_id, upload.filename, content, current_user.username)
    except NotFound:
        abort(404)
    except RavandError as exc:
        if isinstance(exc.params.get("mb"), float):  # the size limit, e.g. 10.0 -> "۱۰"
            exc.params["mb"] = localized_number(f"{exc.params['mb']:g}")
        flash(error_text(exc), "danger")
    else:
        flash(_("The file '%(name)s' was attached.", name=added["filename"]), "success")
    return redirect(target)


def _submitted_data() -> dict:
    payload = request.get_json(silent=True)
    data = payload.get("data") if isinstance(payload, dict) else None
    return data if isinstance(data, dict) else {}


@bp.post("/inbox/tasks/<task_id>/draft")
@login_required
def draft(task_id: str):
    try:
        tasks.save_draft(engine(), task_id, _submitted_data(), current_user.username)
    except RavandError as exc:
        return error_response(exc)
    return jsonify(message=_("The draft was saved."))


@bp.post("/inbox/tasks/<task_id>/complete")
@login_required
def complete(task_id: str):
    try:
        done = tasks.complete(engine(), task_id, _submitted_data(), current_user.username)
    except RavandError as exc:
        return error_response(exc)
    flash(_("The task '{name}' was completed.").format(name=done["name"]), "success")
    if done["next_tasks"]:  # the next step is this user's too: straight on to it, as they would want
        following = done["next_tasks"][0]
        flash(_("The next step, '{name}', is yours.").format(name=following["name"]), "info")
        return jsonify(message=_("Done."), redirect=url_for("inbox.task", task_id=following["id"]))
    return jsonify(message=_("Done."), redirect=url_for("inbox.index"))


@bp.post("/inbox/tasks/<task_id>/assign")
@login_required
def assign(task_id: str):
    assignee, reason = request.form.get("assignee", ""), request.form.get("reason")
    return _act(
        task_id,
        lambda ctx: tasks.assign(ctx, task_id, assignee, user=current_user.username, reason=reason),
        lambda done: _("The task was given to %(name)s.", name=done["assignee_name"]),
    )
