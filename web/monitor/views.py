"""The monitor's pages: dashboard, instance list and export, an instance, process versions, bulk actions."""

from __future__ import annotations

import json

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from engine.calendar.jalali import to_persian_digits
from engine.cases import supervision
from engine.errors import Forbidden, NotFound, RavandError
from engine.reporting import diagrams, heatmap, instances
from engine.reporting import instance_list as instance_listing
from engine.reporting import instance_page as instance_model
from engine.reporting import processes as process_figures
from engine.runtime import lifecycle
from engine.runtime import retry as retries
from engine.work import tasks as task_actions
from web.i18n import error_text, message_text
from web.monitor import bp
from web.monitor.common import (
    case_route,
    current_scope,
    dashboard_page,
    due_from_jalali,
    engine,
    filter_args,
    filters_from_args,
    jalali,
    monitor_required,
    without_bad_dates,
)
from web.monitor.export import export_response
from web.monitor.labels import ACTIONS, DEPARTMENTS, EVENTS, JOB_KINDS, JOB_SHOWS, STATUS_STYLES, STATUSES

PAGE_SIZE = 25


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
        "JOB_KINDS": JOB_KINDS,
        "JOB_SHOWS": JOB_SHOWS,
    }


def checked_dates(args) -> dict[str, str]:
    """The page's arguments less a mistyped date, which is said in the page's language instead (the
    form keeps what was typed)."""
    kept, problems = without_bad_dates(args)
    for problem in problems:
        flash(error_text(problem), "danger")
    return kept


# --- dashboard -----------------------------------------------------------------------------------------


@bp.get("/")
@monitor_required
def dashboard():
    args = checked_dates(request.args)
    page = dashboard_page(args)
    figures = page["figures"]
    for name in {"from", "to"} - set(args):  # what was typed stays in the form, to be corrected
        if request.args.get(name):
            figures["period"][name] = request.args[name]
    g.ravand_unread = page["unread"]  # the menu's badge, read with the page
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
        unit_codes=page["unit_codes"],
        people=page["people"],
        processes=page["processes"],
        now=engine().clock.now(),
    )


# --- instances -----------------------------------------------------------------------------------------


@bp.get("/instances")
@monitor_required
def instance_list():
    filters = filters_from_args(checked_dates(request.args))
    page = max(1, request.args.get("page", 1, type=int))
    found = instance_listing.instance_list(
        engine(), current_user.username, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    g.ravand_unread = found["unread"]  # the menu's badge, read with the page
    return render_template(
        "monitor/instances.html",
        rows=found["rows"],
        total=found["total"],
        page=page,
        pages=max(1, -(-found["total"] // PAGE_SIZE)),
        args=filter_args(request.args),
        processes=found["processes"],
        units=found["units"],
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


@bp.get("/instances/<int:instance_id>")
@case_route
def instance_page(instance_id: int):
    try:
        page = instance_model.instance_page(
            engine(), instance_id, current_user.username, request.args.get("diagram")
        )
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    g.ravand_unread = page.unread  # the menu's badge, read with the page
    return render_template(
        "monitor/instance.html",
        page=page,
        instance=page.instance,
        row=page.instance,
        status=page.status,
        unit=page.unit,
        definition=page.definition,
        markers=page.markers,
        open_tasks=page.open_tasks,
        units=page.units,
        users=page.users,
        people=dict(page.users),
        comments=page.comments,
        incidents=page.incidents,
        events=page.events,
        shown_diagram=page.shown_diagram,
        diagrams=page.diagrams,
        now=engine().clock.now(),
    )


@bp.get("/definitions/<int:definition_id>/diagram.bpmn")
@monitor_required
def diagram(definition_id: int):
    """The BPMN of the definition's main process, or of ``?process=`` (a process it calls)."""
    try:
        content = diagrams.diagram_bpmn(
            engine(),
            current_user.username,
            definition_id,
            request.args.get("process"),
            language=str(get_locale()),
        )
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


# --- actions -------------------------------------------------------------------------------------------


def said(outcome: retries.Retried) -> int | None:
    """Say what a retry came to (failed again: why, and how many attempts) and give its instance."""
    flash(message_text(outcome.message), "danger" if outcome.failed_again else "success")
    return outcome.instance_id


def _reason() -> str:
    return request.form.get("reason", "")


def _act(action, success: str | None, instance_id: int | None = None):
    """Run an engine action and go back to the instance's page (the id ``action`` returns, else
    ``instance_id``); on an engine error say why in the page's language. What the user may not see is
    not found."""
    try:
        result = action()
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    except RavandError as exc:
        flash(error_text(exc), "danger")
        result = None
    else:
        if success is not None:
            flash(success, "success")
    target = result if isinstance(result, int) else instance_id
    if target is None:
        return redirect(url_for("monitor.dashboard"))
    return redirect(url_for("monitor.instance_page", instance_id=target))


def _lifecycle(instance_id: int, run, success: str):
    reason = _reason()
    return _act(lambda: run(engine(), instance_id, current_user.username, reason), success, instance_id)


@bp.post("/instances/<int:instance_id>/suspend")
@case_route
def suspend(instance_id: int):
    return _lifecycle(instance_id, lifecycle.suspend, _("The instance was suspended."))


@bp.post("/instances/<int:instance_id>/resume")
@case_route
def resume(instance_id: int):
    return _lifecycle(instance_id, lifecycle.resume, _("The instance was resumed."))


@bp.post("/instances/<int:instance_id>/terminate")
@case_route
def terminate(instance_id: int):
    return _lifecycle(instance_id, lifecycle.terminate, _("The instance was terminated."))


@bp.post("/incidents/<int:incident_id>/retry")
@case_route
def retry(incident_id: int):
    reason = _reason()
    return _act(
        lambda: said(retries.retry_incident(engine(), incident_id, current_user.username, reason)),
        None,
        request.form.get("instance", type=int),
    )


@bp.post("/tasks/<task_id>/reassign")
@case_route
def reassign(task_id: str):
    assignee, reason = request.form.get("assignee", ""), _reason()
    return _act(
        lambda: task_actions.assign(engine(), task_id, assignee, current_user.username, reason)[
            "instance_id"
        ],
        _("The task was reassigned."),
        request.form.get("instance", type=int),
    )


@bp.post("/tasks/<task_id>/due")
@case_route
def change_due(task_id: str):
    value, reason = request.form.get("due", ""), _reason()
    return _act(
        lambda: supervision.change_due_date(
            engine(), task_id, due_from_jalali(value), current_user.username, reason
        )["instance_id"],
        _("The due date was changed."),
        request.form.get("instance", type=int),
    )


@bp.post("/instances/<int:instance_id>/data")
@case_route
def edit_data(instance_id: int):
    name, reason = request.form.get("field", "").strip(), _reason()
    value = request.form.get("value", "")
    return _act(
        lambda: supervision.edit_data(
            engine(), instance_id, name, value, current_user.username, reason, typed=True
        ),
        _("The data field was changed."),
        instance_id,
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
    shown_diagram, choices = diagrams.diagram_choices(ctx, definition_id, request.args.get("diagram"))
    return render_template(
        "monitor/process.html",
        shown_diagram=shown_diagram,
        diagrams=choices,
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
