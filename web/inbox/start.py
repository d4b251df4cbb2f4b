"""Starting a process (the processes the user may start, grouped by department) and "my requests"."""

from __future__ import annotations

from flask import abort, flash, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from engine.cases.start import StartRequest, start_process
from engine.definitions.starters import StartableProcess, startable_processes
from engine.errors import RavandError
from engine.models import HumanTask, ProcessDefinition, ProcessInstance
from web.catalog import current_catalog
from web.i18n import is_persian
from web.inbox import bp
from web.inbox.common import engine, error_response
from web.inbox.forms import viewer_data, viewer_schema

PER_PAGE = 20


def _startable() -> list[StartableProcess]:
    return startable_processes(engine(), current_user.username)


@bp.get("/start/")
@login_required
def start():
    groups: dict[str, list] = {}
    locale = "fa" if is_persian() else "en"
    for process in _startable():
        groups.setdefault(process.department or "", []).append(
            {"key": process.key, "name": process.name(locale), "version": process.version}
        )
    for items in groups.values():
        items.sort(key=lambda item: item["name"])
    return render_template("inbox/start.html", groups=sorted(groups.items()))


def _process_or_404(key: str) -> StartableProcess:
    for process in _startable():
        if process.key == key:
            return process
    abort(404)


@bp.get("/start/<key>")
@login_required
def start_form(key: str):
    process = _process_or_404(key)
    form = process.form
    return render_template(
        "inbox/start_form.html",
        key=key,
        name=process.name("fa" if is_persian() else "en"),
        schema=viewer_schema(form) if form else None,
        data=viewer_data(form, {}, is_persian()) if form else {},
    )


@bp.post("/start/<key>")
@login_required
def start_submit(key: str):
    process = _process_or_404(key)
    payload = request.get_json(silent=True)
    data = payload.get("data") if isinstance(payload, dict) and isinstance(payload.get("data"), dict) else {}
    try:
        started = start_process(engine(), StartRequest(key, data, user=current_user.username))
    except RavandError as exc:
        return error_response(exc)
    name = process.name("fa" if is_persian() else "en")
    flash(_("The process '{name}' was started.").format(name=name), "success")
    first = started.next_tasks[0]["id"] if started.next_tasks else None
    target = url_for("inbox.task", task_id=first) if first else url_for("inbox.my_requests")
    return jsonify(message=_("Done."), redirect=target, instance_id=started.instance_id)


@bp.get("/my-requests/")
@login_required
def my_requests():
    page = max(1, request.args.get("page", 1, type=int))
    catalog = current_catalog()
    with engine().db.transaction() as session:
        mine = select(ProcessInstance).where(ProcessInstance.started_by == current_user.username)
        total = session.scalar(select(func.count()).select_from(mine.subquery()))
        instances = session.scalars(
            mine.order_by(ProcessInstance.started_at.desc(), ProcessInstance.id.desc())
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        ).all()
        ids = [i.id for i in instances]
        open_steps: dict[int, list[str]] = {}
        for instance_id, name in session.execute(
            select(HumanTask.instance_id, HumanTask.name)
            .where(HumanTask.instance_id.in_(ids), HumanTask.state == "open")
            .order_by(HumanTask.created_at)
        ):
            open_steps.setdefault(instance_id, []).append(name)
        names = dict(
            session.execute(
                select(ProcessDefinition.id, ProcessDefinition.name).where(
                    ProcessDefinition.id.in_({i.definition_id for i in instances})
                )
            ).all()
        )
        rows = [
            {
                "id": i.id,
                "title": i.title,
                "business_key": i.business_key,
                "tracking_code": i.tracking_code,
                "process": _name(catalog, i.process_key, names.get(i.definition_id, i.process_key)),
                "status": i.status,
                "started_at": i.started_at,
                "ended_at": i.ended_at,
                "steps": open_steps.get(i.id, []),
            }
            for i in instances
        ]
    pages = max(1, -(-total // PER_PAGE))
    return render_template("inbox/my_requests.html", rows=rows, page=page, pages=pages, total=total)


def _name(catalog: dict, key: str, default: str) -> str:
    entry = catalog.get(key)
    return ((entry.name_fa if is_persian() else entry.name_en) if entry else None) or default
