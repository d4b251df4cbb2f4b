"""The monitor's figures and actions in the REST API, under /api/v1/monitor/ (OpenAPI documented).

Supervisors only (the same roles as the pages); every answer is limited to the caller's scope.
Dates in arguments are Jalali days ('1405/09/07'); dates in answers are ISO 8601.
"""

from __future__ import annotations

from datetime import date

from flask import g, request

from engine.cases import show, supervision
from engine.org.access import scope_for_user
from engine.org.scopes import MONITOR_ROLES
from engine.reporting import flow, heatmap, instances, job_list, regions, task_list, tasks
from engine.reporting import processes as process_figures
from engine.runtime import lifecycle as instance_lifecycle
from engine.runtime import retry as retries
from engine.work import tasks as task_actions
from web.api_access import api_blueprint, ctx, require_user
from web.api_errors import ApiError, ErrorSchema
from web.i18n import message_text
from web.monitor import schemas as s
from web.monitor.common import (
    current_scope,
    dashboard_page,
    departments,
    due_from_jalali,
    engine,
    filters_from_args,
    period,
    task_filter_from_args,
)

CASE_ARGUMENTS = {"instance_id", "task_id", "incident_id"}
blp = api_blueprint(
    "api_monitor",
    __name__,
    "The supervisor's monitor: figures, instances and actions.",
    tag="Supervisors",
    restricted="Supervisors only (the monitor's roles)",
)


@blp.before_request
def _supervisors_only() -> None:
    """Supervisors only, but for the routes about one case, task or incident: there the engine answers
    not found for what the caller may not see and forbidden for what they may not act on."""
    user = require_user()
    if not user.has_role(*MONITOR_ROLES) and not CASE_ARGUMENTS & set(request.view_args or {}):
        raise ApiError(403)
    g.monitor_scope = scope_for_user(ctx(), user.username)


def _args(args: dict) -> dict:
    """Query arguments back under their names in the URL (``from`` is ``from_`` in the schemas)."""
    return {("from" if k == "from_" else k): str(v) for k, v in args.items()}


def _period(args: dict) -> tuple[date, date]:
    return period(_args(args))


@blp.route("/monitor/dashboard")
@blp.arguments(s.DashboardArgs, location="query")
@blp.response(200, s.DashboardSchema)
def dashboard(args):
    """Every figure of the dashboard: instances per process; open and overdue tasks per department, unit
    and person; SLA compliance per process and unit; weekly throughput and cycle time; regions compared."""
    return dashboard_page(_args(args))["figures"]


@blp.route("/monitor/instances-per-process")
@blp.response(200, s.InstanceCountSchema(many=True))
def instances_per_process():
    """Per process: running, waiting, suspended, incident, completed and terminated instances."""
    return instances.instance_counts(engine(), current_scope())


@blp.route("/monitor/open-tasks")
@blp.arguments(s.TaskGroupArgs, location="query")
@blp.response(200, s.TaskCountSchema(many=True))
def open_tasks(args):
    """Open and overdue tasks per department, unit or person (the assignee; unclaimed tasks: key null)."""
    return tasks.open_task_counts(engine(), current_scope(), args["by"], departments=departments())


@blp.route("/monitor/overdue-tasks")
@blp.response(200, s.OverdueTaskSchema(many=True))
def overdue_tasks():
    """Open tasks past their due date, the most overdue first, with the working days they are late."""
    return tasks.overdue_tasks(engine(), current_scope())


@blp.route("/monitor/sla")
@blp.arguments(s.SlaArgs, location="query")
@blp.response(200, s.SlaSchema(many=True))
def sla(args):
    """SLA compliance per process or unit: of the tasks with a due date completed in the period, the share
    completed by their due date."""
    return tasks.sla_compliance(engine(), current_scope(), *_period(args), by=args["by"])


@blp.route("/monitor/weeks")
@blp.arguments(s.PeriodArgs, location="query")
@blp.response(200, s.WeekSchema(many=True))
def weeks(args):
    """Per Jalali week: instances started and completed, and the completed ones' average cycle time."""
    return flow.weekly_flow(engine(), current_scope(), *_period(args))


@blp.route("/monitor/units")
@blp.arguments(s.UnitsArgs, location="query")
@blp.response(200, s.UnitComparisonSchema)
def units(args):
    """The regions side by side on one process (a policy rollout): done, late, open and overdue per task."""
    return regions.unit_comparison(engine(), current_scope(), args["process"], *_period(args))


@blp.route("/monitor/definitions/<id:definition_id>/elements")
@blp.response(200, s.ElementsSchema)
def elements(definition_id):
    """The heat map of one process version: per element, the instances that passed it, their average wait
    in working days, the instances waiting there now and its open incidents."""
    if definition_id not in {
        d["id"] for d in process_figures.definitions_in_scope(engine(), current_scope())
    }:
        raise ApiError(404)
    stats = heatmap.element_stats(engine(), current_scope(), definition_id)
    return {"definition_id": definition_id, "elements": list(stats.values())}


@blp.route("/monitor/instances")
@blp.arguments(s.InstanceArgs, location="query")
@blp.response(200, s.InstancePageSchema)
def instance_list(args):
    """The instances the filters select, newest first, with how many there are in all."""
    limit, offset = args.pop("limit"), args.pop("offset")
    rows, total = instances.list_instances(
        engine(), current_scope(), filters_from_args(_args(args)), limit, offset
    )
    return {"total": total, "items": rows}


def _instance(instance_id: int) -> dict:
    return show.show(engine(), instance_id, supervisor=require_user().username)


# The module under another name: ``lifecycle`` is the view below (its endpoint's name).
LIFECYCLE = {
    "suspend": instance_lifecycle.suspend,
    "resume": instance_lifecycle.resume,
    "terminate": instance_lifecycle.terminate,
}


@blp.route("/monitor/instances/<id:instance_id>/<any(suspend, resume, terminate):action>", methods=["POST"])
@blp.arguments(s.ReasonSchema)
@blp.response(200, s.InstanceDetailSchema)
@blp.alt_response(409, schema=ErrorSchema, description="The instance's status does not allow it")
def lifecycle(body, instance_id, action):
    """Suspend, resume or terminate an instance, with a reason for the audit log."""
    LIFECYCLE[action](engine(), instance_id, require_user().username, body.get("reason"))
    return _instance(instance_id)


@blp.route("/monitor/incidents/<id:incident_id>/retry", methods=["POST"])
@blp.arguments(s.ReasonSchema)
@blp.response(200, s.RetriedSchema)
@blp.alt_response(409, schema=ErrorSchema, description="The incident was already resolved")
def retry(body, incident_id):
    """Run an incident's failed element (or job) again at once, with a reason for the audit log. The
    answer says whether it worked: ``retry.outcome`` is ``resolved`` or ``failed_again`` (the same
    incident stays open, with its attempts and last error), beside the instance."""
    return _retried(
        retries.retry_incident(engine(), incident_id, require_user().username, body.get("reason"))
    )


def _retried(outcome: retries.Retried) -> dict:
    answer = _instance(outcome.instance_id) if outcome.instance_id is not None else {}
    return answer | {"retry": outcome.to_dict() | {"message": message_text(outcome.message)}}


@blp.route("/monitor/tasks")
@blp.arguments(s.TaskListArgs, location="query")
@blp.response(200, s.MonitorTaskPageSchema)
def task_list_(args):
    """The open tasks the filters select within the caller's scope, the most overdue first: what the
    dashboard's task figures count (``open-tasks``, ``overdue-tasks``)."""
    limit, offset = args.pop("limit"), args.pop("offset")
    filters = task_filter_from_args(_args(args))
    return task_list.task_list(engine(), require_user().username, filters, limit, offset)


@blp.route("/monitor/jobs")
@blp.arguments(s.JobArgs, location="query")
@blp.response(200, s.JobPageSchema)
def jobs(args):
    """The queue's jobs the caller may see: failed ones, those past their due moment that nobody ran
    (pending), with their case (null: a job of no case), attempts, last error and whether the caller
    may retry them."""
    return job_list.job_list(
        engine(), require_user().username, args["show"], limit=args["limit"], offset=args["offset"]
    )


@blp.route("/monitor/jobs/<id:job_id>/retry", methods=["POST"])
@blp.arguments(s.ReasonSchema)
@blp.response(200, s.JobRetriedSchema)
def retry_job(body, job_id):
    """Run a failed job again at once (authority over its case; an administrator for a job of no case).
    ``retry.outcome`` says whether it worked."""
    outcome = retries.retry_job(engine(), job_id, require_user().username, body.get("reason"))
    return {"retry": outcome.to_dict() | {"message": message_text(outcome.message)}}


@blp.route("/monitor/tasks/<task_id>/reassign", methods=["POST"])
@blp.arguments(s.ReassignSchema)
@blp.response(204)
@blp.alt_response(409, schema=ErrorSchema, description="The task is no longer open")
def reassign(body, task_id):
    """Give an open task to another user, with a reason for the audit log."""
    task_actions.assign(engine(), task_id, body["assignee"], require_user().username, body["reason"])


@blp.route("/monitor/tasks/<task_id>/due", methods=["POST"])
@blp.arguments(s.DueSchema)
@blp.response(200, s.DueResultSchema)
@blp.alt_response(409, schema=ErrorSchema, description="The task is no longer open")
def change_due(body, task_id):
    """Move an open task's due date to the end of a Jalali working day, with a reason."""
    due = due_from_jalali(body["due"])
    return supervision.change_due_date(engine(), task_id, due, require_user().username, body["reason"])


@blp.route("/monitor/instances/<id:instance_id>/data", methods=["POST"])
@blp.arguments(s.DataEditSchema)
@blp.response(200, s.DataEditResultSchema)
@blp.alt_response(403, schema=ErrorSchema, description="Administrators only")
def edit_data(body, instance_id):
    """An administrator's correction of one data field; the old and new values go to the audit log."""
    return supervision.edit_data(
        engine(), instance_id, body["field"], body["value"], require_user().username, body["reason"]
    )


@blp.route("/monitor/bulk/preview", methods=["POST"])
@blp.arguments(s.BulkSchema)
@blp.response(200, s.PreviewSchema)
def bulk_preview(body):
    """How many instances the filters select, and which of them the action applies to."""
    return supervision.preview(
        engine(), require_user().username, filters_from_args(body["filters"]), body["action"]
    )


@blp.route("/monitor/bulk", methods=["POST"])
@blp.arguments(s.BulkSchema)
@blp.response(200, s.BulkReportSchema)
def bulk(body):
    """Carry out the action on every selected instance; one line per instance: done, skipped or failed."""
    filters = filters_from_args(body["filters"])
    user = require_user().username
    return {"report": supervision.bulk(engine(), user, filters, body["action"], body.get("reason"))}
