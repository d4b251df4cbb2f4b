"""Starting a process (the processes the user may start, grouped by department) and "my requests"."""

from __future__ import annotations

from flask import abort, flash, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from engine.definitions.forms import validate_submission
from engine.errors import RavandError
from engine.models import HumanTask, OrgUnit, Position, ProcessDefinition, ProcessInstance, Role
from engine.org.access import candidate_filter
from engine.runtime.starting import start as start_instance
from web.catalog import CatalogEntry, current_catalog
from web.i18n import is_persian
from web.inbox import bp
from web.inbox.common import engine, error_response
from web.inbox.forms import viewer_data, viewer_schema

PER_PAGE = 20


def startable() -> list[tuple[CatalogEntry, ProcessDefinition]]:
    """The latest version of each process the current user may start."""
    catalog = current_catalog() or None
    with engine().db.transaction() as session:
        definitions = session.scalars(
            select(ProcessDefinition).where(
                ProcessDefinition.id.in_(
                    select(func.max(ProcessDefinition.id)).group_by(ProcessDefinition.key)
                )
            )
        ).all()
    found = []
    for definition in definitions:
        if catalog is None:
            entry = CatalogEntry(key=definition.key, name_fa=definition.name, starters=("*",))
        else:
            entry = catalog.get(definition.key)
        if entry is not None and entry.may_start(current_user.role_codes, current_user.is_admin):
            found.append((entry, definition))
    return found


def label(entry: CatalogEntry, definition: ProcessDefinition) -> str:
    return (entry.name_fa if is_persian() else entry.name_en) or definition.name


@bp.get("/start/")
@login_required
def start():
    groups: dict[str, list] = {}
    for entry, definition in startable():
        groups.setdefault(entry.department or "", []).append(
            {"key": definition.key, "name": label(entry, definition), "version": definition.version}
        )
    for items in groups.values():
        items.sort(key=lambda item: item["name"])
    return render_template("inbox/start.html", groups=sorted(groups.items()))


def _entry_or_404(key: str) -> tuple[CatalogEntry, ProcessDefinition]:
    for entry, definition in startable():
        if definition.key == key:
            return entry, definition
    abort(404)


@bp.get("/start/<key>")
@login_required
def start_form(key: str):
    entry, definition = _entry_or_404(key)
    ctx = engine()
    with ctx.db.transaction() as session:
        form = ctx.form(session, definition.id, entry.start_form) if entry.start_form else None
    return render_template(
        "inbox/start_form.html",
        key=key,
        name=label(entry, definition),
        schema=viewer_schema(form) if form else None,
        data=viewer_data(form, {}, is_persian()) if form else {},
    )


def _starter_unit(entry: CatalogEntry) -> str | None:
    """The unit the new instance belongs to: that of the position the user starts it from."""
    with engine().db.transaction() as session:
        rows = session.execute(
            select(Role.code, OrgUnit.code)
            .join(Position, Position.role_id == Role.id)
            .join(OrgUnit, OrgUnit.id == Position.unit_id)
            .where(Position.user_id == current_user.id)
            .order_by(Position.id)
        ).all()
    for role, unit in rows:
        if role in entry.starters:
            return unit
    return rows[0][1] if rows else None


@bp.post("/start/<key>")
@login_required
def start_submit(key: str):
    entry, definition = _entry_or_404(key)
    ctx = engine()
    payload = request.get_json(silent=True)
    data = payload.get("data") if isinstance(payload, dict) and isinstance(payload.get("data"), dict) else {}
    try:
        with ctx.db.transaction() as session:
            form = ctx.form(session, definition.id, entry.start_form) if entry.start_form else None
        cleaned = validate_submission(form, data) if form is not None else {}
        instance = start_instance(ctx, key, cleaned, user=current_user.username, unit=_starter_unit(entry))
    except RavandError as exc:
        return error_response(exc)
    first = _first_task_of_mine(instance.id)
    flash(_("The process '{name}' was started.").format(name=label(entry, definition)), "success")
    target = url_for("inbox.task", task_id=first) if first else url_for("inbox.my_requests")
    return jsonify(message=_("Done."), redirect=target, instance_id=instance.id)


def _first_task_of_mine(instance_id: int) -> str | None:
    with engine().db.transaction() as session:
        return session.scalar(
            select(HumanTask.id)
            .where(
                HumanTask.instance_id == instance_id,
                HumanTask.state == "open",
                (HumanTask.assignee == current_user.username)
                | (HumanTask.assignee.is_(None) & candidate_filter(current_user.positions)),
            )
            .order_by(HumanTask.created_at)
        )


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
