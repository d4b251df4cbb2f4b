"""The monitor API's arguments and answers (marshmallow), which also make its OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.cases.supervision import BULK_ACTIONS
from engine.org.scopes import STATUSES
from web.monitor.common import FILTER_ARGS

JALALI = "A Jalali day, e.g. 1405/09/07"
WORKING_DAYS = "in working days of the Jalali calendar"


# --- arguments -----------------------------------------------------------------------------------------


class PeriodArgs(Schema):
    from_ = fields.String(data_key="from", metadata={"description": f"{JALALI}; default eight weeks ago"})
    to = fields.String(metadata={"description": f"{JALALI}; default today"})


class DashboardArgs(PeriodArgs):
    rollout = fields.String(metadata={"description": "The process whose regions are compared side by side"})


class SlaArgs(PeriodArgs):
    by = fields.String(required=True, validate=validate.OneOf(["process", "unit"]))


class TaskGroupArgs(Schema):
    by = fields.String(required=True, validate=validate.OneOf(["department", "unit", "person"]))


class UnitsArgs(PeriodArgs):
    process = fields.String(required=True, metadata={"description": "A process key"})


class InstanceArgs(Schema):
    process = fields.String(metadata={"description": "A process key"})
    version = fields.Integer()
    department = fields.String(metadata={"description": "coord, social, opinion, protocol or crisis"})
    unit = fields.String(metadata={"description": "A unit code, e.g. region-05"})
    status = fields.String(validate=validate.OneOf(STATUSES))
    from_ = fields.String(data_key="from", metadata={"description": f"Started on or after: {JALALI}"})
    to = fields.String(metadata={"description": f"Started on or before: {JALALI}"})
    overdue = fields.String(metadata={"description": "1: only instances with an overdue task"})
    initiator = fields.String(metadata={"description": "The username of who started it"})
    q = fields.String(metadata={"description": "Business key, tracking code or title"})
    element = fields.String(metadata={"description": "Only instances with an open task at this element"})
    assignee = fields.String(metadata={"description": "Only instances with an open task of this username"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class TaskListArgs(Schema):
    process = fields.String(metadata={"description": "A process key"})
    department = fields.String(metadata={"description": "A department's code; '-': processes of none"})
    unit = fields.String(metadata={"description": "A unit code, e.g. region-05"})
    assignee = fields.String(metadata={"description": "The username the task is claimed by"})
    unclaimed = fields.String(metadata={"description": "1: only tasks nobody has claimed"})
    overdue = fields.String(metadata={"description": "1: only tasks past their due moment"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))


class JobArgs(Schema):
    show = fields.String(
        load_default="failed",
        validate=validate.OneOf(["failed", "overdue", "pending", "running"]),
        metadata={"description": "failed; overdue (pending past its due moment); pending; running"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))


# The actions' bodies are checked by the engine once it knows the caller may act (a missing reason or
# date is 422 only for them; others learn 404 or 403 first): every field is needed, none is refused here.
class ReasonSchema(Schema):
    reason = fields.String(
        load_default=None, metadata={"description": "Needed. Why: it goes to the audit log"}
    )


class ReassignSchema(ReasonSchema):
    assignee = fields.String(
        load_default="", metadata={"description": "Needed. The username who gets the task"}
    )


class DueSchema(ReasonSchema):
    due = fields.String(
        load_default="", metadata={"description": f"Needed. {JALALI}: the end of its working hours"}
    )


class DataEditSchema(ReasonSchema):
    field = fields.String(load_default="", metadata={"description": "Needed"})
    value = fields.Raw(load_default=None, allow_none=True, metadata={"description": "Any JSON value"})


class BulkSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(list(BULK_ACTIONS)))
    filters = fields.Dict(
        keys=fields.String(validate=validate.OneOf(FILTER_ARGS)),
        values=fields.String(),
        load_default=dict,
        metadata={"description": "The instance list's filters (the arguments of GET /monitor/instances)"},
    )
    reason = fields.String(metadata={"description": "Required to carry the action out"})


# --- answers -------------------------------------------------------------------------------------------


class InstanceCountSchema(Schema):
    process_key = fields.String()
    name = fields.String()
    running = fields.Integer(metadata={"description": "All running instances, the waiting ones included"})
    waiting = fields.Integer(metadata={"description": "Running, with no open human task (timer, message)"})
    suspended = fields.Integer()
    incident = fields.Integer()
    completed = fields.Integer()
    terminated = fields.Integer()


class TaskCountSchema(Schema):
    key = fields.Raw(metadata={"description": "Department code, unit id or username (null: unclaimed)"})
    label = fields.String(allow_none=True)
    open = fields.Integer()
    overdue = fields.Integer()


class OverdueTaskSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    instance_title = fields.String(allow_none=True)
    process_key = fields.String()
    name = fields.String()
    unit = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    due_at = fields.DateTime()
    days_late = fields.Integer(metadata={"description": WORKING_DAYS})


class SlaSchema(Schema):
    key = fields.Raw(metadata={"description": "Process key or unit id"})
    label = fields.String(allow_none=True)
    completed = fields.Integer(metadata={"description": "Tasks with a due date completed in the period"})
    on_time = fields.Integer()
    late = fields.Integer()
    percent = fields.Float(allow_none=True)


class WeekSchema(Schema):
    week = fields.Date(metadata={"description": "The Saturday that begins the Jalali week"})
    label = fields.String(metadata={"description": "That Saturday in Jalali"})
    started = fields.Integer()
    completed = fields.Integer()
    cycle_days = fields.Float(allow_none=True)
    cycle_working_days = fields.Float(allow_none=True)


class UnitCellSchema(Schema):
    done = fields.Integer()
    late = fields.Integer(metadata={"description": "Done after the due date"})
    open = fields.Integer()
    overdue = fields.Integer()
    missed = fields.Integer(metadata={"description": "Taken away past its due (an escalation)"})


class UnitRowSchema(Schema):
    unit_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    elements = fields.Dict(keys=fields.String(), values=fields.Nested(UnitCellSchema))
    avg_days = fields.Float(
        metadata={"description": f"What its tasks took or have taken so far, {WORKING_DAYS}"}
    )
    late = fields.Integer(metadata={"description": "Done late, overdue or missed"})
    done = fields.Integer()
    open = fields.Integer()


class UnitComparisonSchema(Schema):
    process_key = fields.String()
    elements = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "id → name"}
    )
    units = fields.List(fields.Nested(UnitRowSchema))


class DashboardSchema(Schema):
    period = fields.Dict(keys=fields.String(), values=fields.String())
    instances = fields.List(fields.Nested(InstanceCountSchema))
    totals = fields.Dict(keys=fields.String(), values=fields.Integer())
    tasks_by_department = fields.List(fields.Nested(TaskCountSchema))
    tasks_by_unit = fields.List(fields.Nested(TaskCountSchema))
    tasks_by_person = fields.List(fields.Nested(TaskCountSchema))
    overdue_tasks = fields.List(fields.Nested(OverdueTaskSchema))
    sla_by_process = fields.List(fields.Nested(SlaSchema))
    sla_by_unit = fields.List(fields.Nested(SlaSchema))
    weeks = fields.List(fields.Nested(WeekSchema))
    regions = fields.Nested(UnitComparisonSchema, allow_none=True)
    jobs = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "Jobs per list"}
    )
    cards = fields.List(
        fields.Dict(),
        metadata={"description": "The top figures: key, count, and link (the list and its filters)"},
    )


class ElementStatSchema(Schema):
    element_id = fields.String()
    name = fields.String(allow_none=True)
    passed = fields.Integer()
    waiting_now = fields.Integer()
    avg_wait_days = fields.Float(allow_none=True, metadata={"description": WORKING_DAYS})
    median_wait_days = fields.Float(allow_none=True, metadata={"description": WORKING_DAYS})
    p90_wait_days = fields.Float(allow_none=True, metadata={"description": WORKING_DAYS})
    incidents = fields.Integer()


class ElementsSchema(Schema):
    definition_id = fields.Integer()
    elements = fields.List(fields.Nested(ElementStatSchema))


class InstanceRowSchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    process_name = fields.String()
    version = fields.Integer()
    title = fields.String(allow_none=True)
    business_key = fields.String(allow_none=True)
    tracking_code = fields.String(allow_none=True)
    status = fields.String()
    unit = fields.String(allow_none=True)
    started_by = fields.String(allow_none=True)
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    open_tasks = fields.Integer()
    overdue = fields.Boolean()


class InstancePageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(InstanceRowSchema))


class InstanceDetailSchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    title = fields.String(allow_none=True)
    business_key = fields.String(allow_none=True)
    tracking_code = fields.String(allow_none=True)
    status = fields.String()
    started_by = fields.String(allow_none=True)
    started_at = fields.String()
    ended_at = fields.String(allow_none=True)
    data = fields.Dict()
    open_tasks = fields.List(fields.Dict())
    history = fields.List(fields.Dict())
    incidents = fields.List(fields.Dict())


class RetryOutcomeSchema(Schema):
    outcome = fields.String(metadata={"description": "resolved, or failed_again"})
    instance_id = fields.Integer(allow_none=True)
    incident_id = fields.Integer(allow_none=True)
    attempts = fields.Integer()
    error = fields.String(allow_none=True)
    message = fields.String(metadata={"description": "What came of it, in the caller's language"})


class RetriedSchema(InstanceDetailSchema):
    retry = fields.Nested(RetryOutcomeSchema)


class TaskRowSchema(Schema):
    id = fields.String()
    name = fields.String()
    instance_id = fields.Integer()
    instance_title = fields.String(allow_none=True)
    process_key = fields.String()
    unit = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()


class MonitorTaskPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(TaskRowSchema), attribute="rows")


class JobRowSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "timer, timer_start, overdue, message, sms or signal"})
    status = fields.String()
    due_at = fields.DateTime()
    overdue = fields.Boolean(metadata={"description": "Pending past its due moment: nobody ran it"})
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    element_id = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True, metadata={"description": "Its case; null: none"})
    instance_title = fields.String(allow_none=True)
    process_key = fields.String(allow_none=True)
    incident_id = fields.Integer(allow_none=True)
    may_retry = fields.Boolean()


class JobPageSchema(Schema):
    show = fields.String()
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(JobRowSchema), attribute="rows")


class JobRetriedSchema(Schema):
    retry = fields.Nested(RetryOutcomeSchema)


class DueResultSchema(Schema):
    task_id = fields.String()
    from_ = fields.DateTime(data_key="from", attribute="from", allow_none=True)
    to = fields.DateTime()


class DataEditResultSchema(Schema):
    field = fields.String()
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)


class PreviewSchema(Schema):
    action = fields.String()
    selected = fields.Integer()
    affected = fields.Integer()
    ids = fields.List(fields.Integer())


class BulkLineSchema(Schema):
    instance_id = fields.Integer()
    outcome = fields.String(metadata={"description": "done, skipped or failed"})
    status = fields.String(metadata={"description": "The instance's status afterwards"})
    message = fields.String(metadata={"description": "Why it failed again (an incident's message)"})
    error = fields.Dict(metadata={"description": "The engine's error: code and message"})


class BulkReportSchema(Schema):
    report = fields.List(fields.Nested(BulkLineSchema))
