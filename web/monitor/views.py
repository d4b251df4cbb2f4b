"""The monitor's pages: dashboard, instance list and export, an instance, process versions, bulk actions."""

from __future__ import annotations

import json
import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engine.calendar.jalali import to_persian_digits
from engine.cases import show, supervision
from engine.errors import RavandError
from engine.models import (
    AuditEvent,
    Comment,
    DefinitionFile,
    HumanTask,
    Incident,
    Job,
    MessageSubscription,
    OrgUnit,
    ProcessDefinition,
    User,
    utcnow,
)
from engine.org.holders import holders_of
from engine.reporting import flow, heatmap, instances, regions, tasks
from engine.reporting import processes as process_figures
from engine.runtime import lifecycle
from engine.work import tasks as task_actions
from web.i18n import error_text
from web.monitor import bp
from web.monitor.common import (
    current_scope,
    departments,
    due_from_jalali,
    engine,
    filter_args,
    filters_from_args,
    instance_in_scope,
    jalali,
    monitor_required,
    period,
    task_in_scope,
)
from web.monitor.export import export_response
from web.monitor.labels import ACTIONS, DEPARTMENTS, EVENTS, STATUS_STYLES, STATUSES

PAGE_SIZE = 25
DONE_EVENTS = ("element", "task_completed", "timer_fired", "message_received")


@bp.app_template_filter("monitor_json")
def monitor_json(value, indent: int | None = None) -> str:
    """Data as JSON for people to read: Persian letters as they are."""
    return json.dumps(value, ensure_ascii=False, indent=indent, default=str)


@bp.app_template_filter("monitor_number")
def monitor_number(value) -> str:
    """A figure in the page's digits, with the Persian decimal separator in Persian."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return to_persian_digits(text).replace(".", "٫") if str(get_locale()) == "fa" else text


@bp.context_processor
def _labels() -> dict:
    return {
        "STATUSES": STATUSES,
        "STATUS_STYLES": STATUS_STYLES,
        "DEPARTMENTS": DEPARTMENTS,
        "EVENTS": EVENTS,
        "ACTIONS": ACTIONS,
    }


# --- dashboard -----------------------------------------------------------------------------------------


def dashboard_figures(args) -> dict:
    """Every figure of the dashboard for the current scope and the period in ``args``."""
    ctx, scope = engine(), current_scope()
    start, end = period(args)
    rollout = args.get("rollout") or regions.busiest_unit_process(ctx, scope)
    counts = instances.instance_counts(ctx, scope)
    return {
        "period": {"from": jalali(start), "to": jalali(end)},
        "instances": counts,
        "totals": {s: sum(row[s] for row in counts) for s in STATUSES},
        "tasks_by_department": tasks.open_task_counts(ctx, scope, "department", departments=departments()),
        "tasks_by_unit": tasks.open_task_counts(ctx, scope, "unit"),
        "tasks_by_person": tasks.open_task_counts(ctx, scope, "person"),
        "overdue_tasks": tasks.overdue_tasks(ctx, scope, limit=50),
        "sla_by_process": tasks.sla_compliance(ctx, scope, start, end, by="process"),
        "sla_by_unit": tasks.sla_compliance(ctx, scope, start, end, by="unit"),
        "weeks": flow.weekly_flow(ctx, scope, start, end),
        "regions": regions.unit_comparison(ctx, scope, rollout, start, end) if rollout else None,
    }


@bp.get("/")
@monitor_required
def dashboard():
    figures = dashboard_figures(request.args)
    ctx = engine()
    with ctx.db.transaction() as session:
        units = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
        people = dict(session.execute(select(User.username, User.full_name)).all())
    chart = {
        "labels": [w["label"] if str(get_locale()) == "fa" else jalali(w["week"]) for w in figures["weeks"]],
        "started": [w["started"] for w in figures["weeks"]],
        "completed": [w["completed"] for w in figures["weeks"]],
        "cycle": [w["cycle_working_days"] for w in figures["weeks"]],
        "text": {
            "started": _("Started"),
            "completed": _("Completed"),
            "cycle": _("Average cycle time (working days)"),
            "instances": _("Instances"),
            "days": _("Working days"),
            "week": _("Week beginning"),
        },
    }
    return render_template(
        "monitor/dashboard.html",
        f=figures,
        chart=chart,
        unit_codes=units,
        people=people,
        processes=process_figures.visible_processes(ctx, current_scope()),
        now=utcnow(),
    )


# --- instances -----------------------------------------------------------------------------------------


@bp.get("/instances")
@monitor_required
def instance_list():
    filters = filters_from_args(request.args)
    page = max(1, request.args.get("page", 1, type=int))
    ctx = engine()
    rows, total = instances.list_instances(
        ctx, current_scope(), filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    with ctx.db.transaction() as session:
        units = session.execute(select(OrgUnit.code, OrgUnit.name_fa).order_by(OrgUnit.id)).all()
    return render_template(
        "monitor/instances.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        args=filter_args(request.args),
        processes=process_figures.visible_processes(ctx, current_scope()),
        units=units,
    )


@bp.get("/instances/export.<fmt>")
@monitor_required
def instance_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    rows, _total = instances.list_instances(
        engine(), current_scope(), filters_from_args(request.args), limit=None
    )
    return export_response(rows, fmt)


def diagram_markers(session, instance_id: int) -> dict:
    """Elements done, active and failed, from the audit trail and the derived tables."""
    done = set(
        session.scalars(
            select(AuditEvent.element_id).where(
                AuditEvent.instance_id == instance_id,
                AuditEvent.kind.in_(DONE_EVENTS),
                AuditEvent.element_id.is_not(None),
            )
        )
    )
    active = set(
        session.scalars(
            select(HumanTask.element_id).where(
                HumanTask.instance_id == instance_id, HumanTask.state == "open"
            )
        )
    )
    active |= set(
        session.scalars(
            select(MessageSubscription.element_id).where(MessageSubscription.instance_id == instance_id)
        )
    )
    active |= set(
        session.scalars(
            select(Job.element_id).where(
                Job.instance_id == instance_id,
                Job.kind == "timer",
                Job.status == "pending",
                Job.element_id.is_not(None),
            )
        )
    )
    failed = set(
        session.scalars(
            select(Incident.element_id).where(
                Incident.instance_id == instance_id,
                Incident.resolved_at.is_(None),
                Incident.element_id.is_not(None),
            )
        )
    )
    return {
        "done": sorted(done - active - failed),
        "active": sorted(active - failed),
        "failed": sorted(failed),
    }


@bp.get("/instances/<int:instance_id>")
@monitor_required
def instance_page(instance_id: int):
    ctx = engine()
    with ctx.db.transaction() as session:
        instance = instance_in_scope(session, instance_id)
        markers = diagram_markers(session, instance_id)
        unit = session.get(OrgUnit, instance.unit_id) if instance.unit_id else None
        scope = current_scope()
        task_rows = session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.created_at)
        ).all()
        hidden = {t.id for t in task_rows if not scope.sees_task(t)}
        now = engine().clock.now()
        open_tasks = [
            {
                **show.task_dict(t),
                "due": t.due_at,
                "created": t.created_at,
                "holders": [
                    (p.username, p.full_name) for p in holders_of(session, t.role_code, t.unit_id, now)
                ],
            }
            for t in task_rows
            if t.state == "open" and t.id not in hidden
        ]
        units = dict(session.execute(select(OrgUnit.id, OrgUnit.name_fa)).all())
        users = session.execute(
            select(User.username, User.full_name).where(User.is_active).order_by(User.full_name)
        ).all()
        comments = session.scalars(
            select(Comment).where(Comment.instance_id == instance_id).order_by(Comment.created_at)
        ).all()
        incidents = session.scalars(
            select(Incident).where(Incident.instance_id == instance_id).order_by(Incident.id)
        ).all()
        events = [
            e
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
            )
            if e.task_id not in hidden
        ]
        definition = session.get(ProcessDefinition, instance.definition_id)
        shown_diagram, diagrams = diagram_choice(session, definition)
    shown = show.show(ctx, instance_id)
    people = dict(users)
    status = shown["status"]
    if status == "running" and not open_tasks:
        status = "waiting"
    return render_template(
        "monitor/instance.html",
        instance=shown,
        row=instance,
        status=status,
        unit=unit,
        definition=definition,
        markers=markers,
        open_tasks=open_tasks,
        units=units,
        users=users,
        people=people,
        comments=comments,
        incidents=incidents,
        events=events,
        shown_diagram=shown_diagram,
        diagrams=diagrams,
        now=utcnow(),
    )


PROCESS_TAG = re.compile(r"<(?:\w+:)?process\b[^>]*>")
ATTRIBUTE = re.compile(r'\b(id|name)="([^"]*)"')


def diagram_files(session, definition_id: int) -> dict[str, tuple[str, str]]:
    """Process id → (name, BPMN) of every process in the definition's bundle: the main one and those it
    calls. A called process's diagram shows its own elements, which the markers and the heat map name."""
    files = session.scalars(
        select(DefinitionFile).where(
            DefinitionFile.definition_id == definition_id, DefinitionFile.kind == "bpmn"
        )
    ).all()
    found = {}
    for file in files:
        for tag in PROCESS_TAG.findall(file.content):
            attributes = dict(ATTRIBUTE.findall(tag))
            if "id" in attributes:
                found[attributes["id"]] = (attributes.get("name") or attributes["id"], file.content)
    return found


def diagram_choice(session, definition: ProcessDefinition) -> tuple[str, dict[str, str]]:
    """The process whose diagram the page shows (``?diagram=``, else the main one) and the choices."""
    choices = {pid: name for pid, (name, _content) in diagram_files(session, definition.id).items()}
    chosen = request.args.get("diagram")
    return (chosen if chosen in choices else definition.key), choices


@bp.get("/definitions/<int:definition_id>/diagram.bpmn")
@monitor_required
def diagram(definition_id: int):
    """The BPMN of the definition's main process, or of ``?process=`` (a process it calls)."""
    ctx = engine()
    visible = process_figures.visible_processes(ctx, current_scope())
    with ctx.db.transaction() as session:
        definition = session.get(ProcessDefinition, definition_id)
        if definition is None or definition.key not in visible:
            abort(404)
        files = diagram_files(session, definition_id)
    chosen = files.get(request.args.get("process") or definition.key)
    if chosen is None:
        abort(404)
    return (
        chosen[1],
        200,
        {"Content-Type": "application/xml; charset=utf-8", "Cache-Control": "private, max-age=3600"},
    )


# --- actions -------------------------------------------------------------------------------------------


def _reason() -> str:
    return request.form.get("reason", "")


def _act(instance_id: int, action, success: str):
    """Run an engine action; on an engine error say why in the page's language."""
    try:
        action()
    except RavandError as exc:
        flash(error_text(exc), "danger")
    except ValueError:
        flash(_("The date is not a valid Jalali date (for example 1405/09/15)."), "danger")
    else:
        flash(success, "success")
    return redirect(url_for("monitor.instance_page", instance_id=instance_id))


def _lifecycle(instance_id: int, run, success: str):
    with engine().db.transaction() as session:
        instance_in_scope(session, instance_id)
    reason = _reason()
    return _act(
        instance_id,
        lambda: run(engine(), instance_id, current_user.username, supervision.require_reason(reason)),
        success,
    )


@bp.post("/instances/<int:instance_id>/suspend")
@monitor_required
def suspend(instance_id: int):
    return _lifecycle(instance_id, lifecycle.suspend, _("The instance was suspended."))


@bp.post("/instances/<int:instance_id>/resume")
@monitor_required
def resume(instance_id: int):
    return _lifecycle(instance_id, lifecycle.resume, _("The instance was resumed."))


@bp.post("/instances/<int:instance_id>/terminate")
@monitor_required
def terminate(instance_id: int):
    return _lifecycle(instance_id, lifecycle.terminate, _("The instance was terminated."))


@bp.post("/incidents/<int:incident_id>/retry")
@monitor_required
def retry(incident_id: int):
    ctx = engine()
    with ctx.db.transaction() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            abort(404)
        instance_id = instance_in_scope(session, incident.instance_id).id
    reason = _reason()
    return _act(
        instance_id,
        lambda: lifecycle.retry_incident(
            ctx, incident_id, current_user.username, supervision.require_reason(reason)
        ),
        _("The incident was retried."),
    )


@bp.post("/tasks/<task_id>/reassign")
@monitor_required
def reassign(task_id: str):
    ctx = engine()
    with ctx.db.transaction() as session:
        instance_id = task_in_scope(session, task_id).instance_id
    assignee, reason = request.form.get("assignee", ""), _reason()
    return _act(
        instance_id,
        lambda: task_actions.assign(ctx, task_id, assignee, current_user.username, reason),
        _("The task was reassigned."),
    )


@bp.post("/tasks/<task_id>/due")
@monitor_required
def change_due(task_id: str):
    ctx = engine()
    with ctx.db.transaction() as session:
        instance_id = task_in_scope(session, task_id).instance_id
    value, reason = request.form.get("due", ""), _reason()
    return _act(
        instance_id,
        lambda: supervision.change_due_date(
            ctx, task_id, due_from_jalali(value), current_user.username, reason
        ),
        _("The due date was changed."),
    )


def parse_value(text: str, old):
    """A value typed in a form: kept as text when the field held text, else read as JSON when it is."""
    if isinstance(old, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


@bp.post("/instances/<int:instance_id>/data")
@monitor_required
def edit_data(instance_id: int):
    if not current_user.is_admin:
        abort(403)
    ctx = engine()
    with ctx.db.transaction() as session:
        instance_in_scope(session, instance_id)
    name, reason = request.form.get("field", "").strip(), _reason()
    old = show.show(ctx, instance_id)["data"].get(name)
    value = parse_value(request.form.get("value", ""), old)
    return _act(
        instance_id,
        lambda: supervision.edit_data(ctx, instance_id, name, value, current_user.username, reason),
        _("The data field was changed."),
    )


# --- process versions and the heat map -----------------------------------------------------------------


@bp.get("/processes")
@monitor_required
def processes():
    return render_template(
        "monitor/processes.html", definitions=process_figures.definitions_in_scope(engine(), current_scope())
    )


@bp.get("/processes/<int:definition_id>")
@monitor_required
def process_version(definition_id: int):
    ctx, scope = engine(), current_scope()
    versions = process_figures.definitions_in_scope(ctx, scope)
    definition = next((d for d in versions if d["id"] == definition_id), None)
    if definition is None:
        abort(404)
    stats = heatmap.element_stats(ctx, scope, definition_id)
    ordered = sorted(stats.values(), key=lambda s: (-(s["avg_wait_days"] or 0), -s["passed"]))
    with ctx.db.transaction() as session:
        shown_diagram, diagrams = diagram_choice(session, session.get(ProcessDefinition, definition_id))
    return render_template(
        "monitor/process.html",
        shown_diagram=shown_diagram,
        diagrams=diagrams,
        definition=definition,
        versions=[d for d in versions if d["key"] == definition["key"]],
        stats=ordered,
        heat=stats,
    )


# --- bulk ----------------------------------------------------------------------------------------------


@bp.route("/bulk", methods=["GET", "POST"])
@monitor_required
def bulk():
    source = request.form if request.method == "POST" else request.args
    filters = filters_from_args(source)
    ctx, user = engine(), current_user.username
    previews = {
        action: supervision.preview(ctx, user, filters, action) for action in supervision.BULK_ACTIONS
    }
    report = None
    if request.method == "POST":
        try:
            report = supervision.bulk(ctx, user, filters, request.form.get("action", ""), _reason())
        except RavandError as exc:
            flash(error_text(exc), "danger")
        else:
            previews = {a: supervision.preview(ctx, user, filters, a) for a in supervision.BULK_ACTIONS}
    return render_template(
        "monitor/bulk.html",
        args=filter_args(source),
        previews=previews,
        report=report,
        chosen=request.form.get("action"),
    )
