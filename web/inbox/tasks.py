"""The inbox and a task's page: list, claim, unclaim, comment, save a draft, complete."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from engine.cases import attachments
from engine.cases.show import show
from engine.errors import Forbidden, NotFound, RavandError
from engine.models import (
    Comment,
    DefinitionFile,
    HumanTask,
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
    utcnow,
)
from engine.org.access import Viewer, load_viewer
from engine.org.access import visible_task as engine_visible_task
from engine.org.holders import holders_of
from engine.work import tasks
from engine.work.inbox import INBOX_DUE, INBOX_SORTS, INBOX_VIEWS, InboxQuery, inbox
from engine.work.views import task_data
from web.api.common import attachment_store
from web.catalog import current_catalog
from web.i18n import is_persian, localized_number
from web.inbox import bp
from web.inbox.common import (
    engine,
    error_message,
    error_response,
    full_names,
    unit_name,
)
from web.inbox.forms import viewer_data, viewer_schema
from web.inbox.labels import parse_time

PER_PAGE = 20


@bp.get("/inbox/")
@login_required
def index():
    args = request.args
    view = args.get("view") if args.get("view") in INBOX_VIEWS else "mine"
    catalog = current_catalog()
    department = args.get("department") or None
    process = args.get("process") or None
    keys = None
    if process:
        keys = [process]
    elif department:
        keys = [key for key, entry in catalog.items() if entry.department == department]
    query = InboxQuery(
        user=current_user.username,
        view=view,
        process_keys=keys,
        unit_id=args.get("unit", type=int),
        due=args.get("due") if args.get("due") in INBOX_DUE else None,
        search=(args.get("q") or "").strip()[:100] or None,
        sort=args.get("sort") if args.get("sort") in INBOX_SORTS else "due",
        page=max(1, args.get("page", 1, type=int)),
        per_page=PER_PAGE,
    )
    ctx = engine()
    result = inbox(ctx, query)
    counts = {
        name: inbox(ctx, InboxQuery(user=current_user.username, view=name, per_page=1)).total
        for name in INBOX_VIEWS
        if name != "completed"
    }
    with ctx.db.transaction() as session:
        processes = session.execute(
            select(ProcessDefinition.key, ProcessDefinition.name)
            .where(
                ProcessDefinition.id.in_(
                    select(func.max(ProcessDefinition.id)).group_by(ProcessDefinition.key)
                )
            )
            .order_by(ProcessDefinition.name)
        ).all()
        units = session.scalars(select(OrgUnit).order_by(OrgUnit.id)).all()
        unit_choices = [(u.id, unit_name(u)) for u in units]
    departments = sorted({e.department for e in catalog.values() if e.department})
    process_names = {key: process_label(catalog, key, name) for key, name in processes}
    for row in result.rows:
        row["process_label"] = process_names.get(row["process_key"], row["process_name"])
        row["unit"] = row["unit_fa"] if is_persian() else row["unit_en"]
    filters = {
        k: v for k, v in args.items() if k in ("view", "process", "department", "unit", "due", "q", "sort")
    }
    return render_template(
        "inbox/index.html",
        view=view,
        page=result,
        counts=counts,
        filters=filters,
        processes=sorted(process_names.items(), key=lambda kv: kv[1]),
        departments=departments,
        units=unit_choices,
    )


def process_label(catalog: dict, key: str, default: str) -> str:
    entry = catalog.get(key)
    if entry is None:
        return default
    return (entry.name_fa if is_persian() else entry.name_en) or default


def visible_task(session, task_id: str) -> HumanTask:
    """The task, if the current user may see it; otherwise 404, so that nothing about it leaks."""
    try:
        return engine_visible_task(session, _viewer(session), task_id)
    except NotFound:
        abort(404)


def _viewer(session) -> Viewer:
    return load_viewer(engine(), session, current_user.username, engine().clock.now())


@bp.get("/inbox/tasks/<task_id>")
@login_required
def task(task_id: str):
    ctx = engine()
    with ctx.db.transaction() as session:
        viewer = _viewer(session)
        row = visible_task(session, task_id)
        can_act = row.state == "open" and viewer.may_work_on(row)
        instance = session.get(ProcessInstance, row.instance_id)
        definition = session.get(ProcessDefinition, instance.definition_id)
        unit = session.get(OrgUnit, row.unit_id) if row.unit_id else None
        form = ctx.form(session, definition.id, row.form_key) if row.form_key else None
        comments = session.scalars(
            select(Comment).where(Comment.instance_id == instance.id).order_by(Comment.created_at)
        ).all()
        may_reassign = row.state == "open" and viewer.may_manage_task(row)
        reassign_to = (
            [
                (p.username, p.full_name)
                for p in holders_of(session, row.role_code, row.unit_id, engine().clock.now())
            ]
            if may_reassign
            else []
        )
        has_diagram = _diagram_file(session, definition.id, row.element_id) is not None
        task_view = {
            "id": row.id,
            "name": row.name,
            "state": row.state,
            "instructions": row.instructions,
            "assignee": row.assignee,
            "completed_by": row.completed_by,
            "completed_at": row.completed_at,
            "created_at": row.created_at,
            "due_at": row.due_at,
            "overdue": row.state == "open" and row.due_at is not None and row.due_at < utcnow(),
            "priority": row.priority,
            "element_id": row.element_id,
            "unit": unit_name(unit),
            "draft": row.draft,
        }
        started_by, comment_authors = instance.started_by, [c.author for c in comments]
    # Engine services run their own transactions: never inside another one (SQLite has one writer).
    details = show(ctx, row.instance_id)
    data = task_data(ctx, task_id) if can_act else {}
    files = attachments.list_for_instance(ctx, row.instance_id)
    if task_view["draft"]:
        data.update(task_view["draft"])
    with ctx.db.transaction() as session:
        people = full_names(
            session,
            [task_view["assignee"], task_view["completed_by"], started_by, *comment_authors]
            + [e["actor"] for e in details["history"]]
            + [(e["data"] or {}).get("to") for e in details["history"] if e["kind"] == "task_assigned"]
            + [f["uploaded_by"] for f in files],
        )
    catalog = current_catalog()
    return render_template(
        "inbox/task.html",
        task=task_view,
        instance={**details, "started_at": parse_time(details["started_at"])},
        process_name=process_label(catalog, definition.key, definition.name),
        can_act=can_act,
        is_mine=task_view["assignee"] == current_user.username,
        schema=viewer_schema(form) if form and can_act else None,
        data=viewer_data(form, data, is_persian()) if form and can_act else {},
        history=[{**e, "at": parse_time(e["at"])} for e in details["history"] if e["kind"] != "element"],
        comments=comments,
        people=people,
        has_diagram=has_diagram,
        reassign_to=reassign_to,
        attachments=[{**f, "uploaded_at": parse_time(f["uploaded_at"])} for f in files],
        max_mb=f"{attachment_store().max_bytes / 1024 / 1024:g}",
    )


def _diagram_file(session, definition_id: int, element_id: str) -> DefinitionFile | None:
    """The BPMN file of the definition that holds the element (the main one, or a called process's)."""
    files = session.scalars(
        select(DefinitionFile).where(
            DefinitionFile.definition_id == definition_id, DefinitionFile.kind == "bpmn"
        )
    ).all()
    marker = f'id="{element_id}"'
    with_element = [f for f in files if marker in f.content]
    chosen = with_element[0] if with_element else None
    return chosen if chosen is not None and "BPMNDiagram" in chosen.content else None


@bp.get("/inbox/tasks/<task_id>/diagram.bpmn")
@login_required
def diagram(task_id: str):
    ctx = engine()
    with ctx.db.transaction() as session:
        row = visible_task(session, task_id)
        instance = session.get(ProcessInstance, row.instance_id)
        file = _diagram_file(session, instance.definition_id, row.element_id)
        if file is None:
            abort(404)
        content = file.content
    return (
        content,
        200,
        {"Content-Type": "application/xml; charset=utf-8", "Cache-Control": "private, max-age=3600"},
    )


def _act(task_id: str, action, success: str):
    ctx = engine()
    with ctx.db.transaction() as session:
        visible_task(session, task_id)
    try:
        action(ctx)
    except (Forbidden, NotFound) as exc:  # not theirs to do: the status says so, not only a notice
        abort(exc.http_status)
    except RavandError as exc:
        flash(error_message(exc), "danger")
    else:
        flash(success, "success")
    target = request.form.get("next") or url_for("inbox.task", task_id=task_id)
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    return redirect(target if local else url_for("inbox.index"))


@bp.post("/inbox/tasks/<task_id>/claim")
@login_required
def claim(task_id: str):
    return _act(
        task_id,
        lambda ctx: tasks.claim(ctx, task_id, current_user.username),
        _("The task is now yours."),
    )


@bp.post("/inbox/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str):
    return _act(
        task_id,
        lambda ctx: tasks.unclaim(ctx, task_id, current_user.username),
        _("The task went back to the group."),
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
        _("Your comment was added."),
    )


@bp.post("/inbox/tasks/<task_id>/attachments")
@login_required
def attach(task_id: str):
    """Attach a file to the task's case; the engine judges it by its content and size."""
    ctx = engine()
    with ctx.db.transaction() as session:
        instance_id = visible_task(session, task_id).instance_id
    upload = request.files.get("file")
    target = url_for("inbox.task", task_id=task_id) + "#attachments"
    if upload is None or not upload.filename:
        flash(_("Choose a file first."), "warning")
        return redirect(target)
    store = attachment_store()
    try:
        added = attachments.add(
            ctx,
            store,
            instance_id,
            upload.filename,
            upload.stream.read(store.max_bytes + 1),
            user=current_user.username,
            task_id=task_id,
        )
    except RavandError as exc:
        if isinstance(exc.params.get("mb"), float):  # the size limit, e.g. 10.0 -> "۱۰"
            exc.params["mb"] = localized_number(f"{exc.params['mb']:g}")
        flash(error_message(exc), "danger")
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
    ctx = engine()
    with ctx.db.transaction() as session:
        visible_task(session, task_id)
    try:
        tasks.save_draft(ctx, task_id, _submitted_data(), current_user.username)
    except RavandError as exc:
        return error_response(exc)
    return jsonify(message=_("The draft was saved."))


@bp.post("/inbox/tasks/<task_id>/complete")
@login_required
def complete(task_id: str):
    ctx = engine()
    with ctx.db.transaction() as session:
        name = visible_task(session, task_id).name
    try:
        done = tasks.complete(ctx, task_id, _submitted_data(), current_user.username)
    except RavandError as exc:
        return error_response(exc)
    flash(_("The task '{name}' was completed.").format(name=name), "success")
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
        _("The task was given to %(name)s.", name=full_name(assignee)),
    )


def full_name(username: str) -> str:
    with engine().db.read() as session:
        return full_names(session, [username]).get(username, username)
