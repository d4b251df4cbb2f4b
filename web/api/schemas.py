"""The API's request and response bodies (marshmallow), which also make the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from engine.errors import N_
from web.bounds import MAX_ID, MAX_PAGE

DATE_HELP = "ISO 8601, UTC"
ID_RANGE = validate.Range(min=1, max=MAX_ID)


class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID))


class TaskListArgs(Schema):
    view = fields.String(
        load_default="mine",
        validate=validate.OneOf(["mine", "group", "completed"]),
        metadata={
            "description": "mine: assigned to me; group: my positions' unclaimed tasks; completed: by me"
        },
    )
    process = fields.String(
        validate=validate.Length(max=128),
        metadata={"description": "A process key (its tasks and those of the processes it calls)"},
    )
    department = fields.String(
        validate=validate.Length(max=64),
        metadata={"description": "A department of the catalog (coord, social, ...)"},
    )
    unit = fields.Integer(validate=ID_RANGE, metadata={"description": "A unit id"})
    due = fields.String(validate=validate.OneOf(["overdue", "today", "week"]))
    q = fields.String(
        validate=validate.Length(max=100), metadata={"description": "Search in titles and keys"}
    )
    sort = fields.String(load_default="due", validate=validate.OneOf(["due", "priority", "created"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class TaskSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    process_key = fields.String()
    element_id = fields.String()
    name = fields.String()
    lane = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    form_key = fields.String(allow_none=True)
    state = fields.String()
    assignee = fields.String(allow_none=True)
    created_at = fields.String(metadata={"description": DATE_HELP})
    due_at = fields.String(allow_none=True, metadata={"description": DATE_HELP})
    completed_by = fields.String(allow_none=True)


class InboxTaskSchema(TaskSchema):
    priority = fields.Integer()
    overdue = fields.Boolean()
    process_name = fields.String()
    instance_title = fields.String(allow_none=True)
    business_key = fields.String(allow_none=True)
    unit_fa = fields.String(allow_none=True)
    unit_en = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(InboxTaskSchema))
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()
    per_page = fields.Integer()


class SubmittedFieldSchema(Schema):
    key = fields.String()
    label = fields.String(metadata={"description": "The label of the form that collected it"})
    kind = fields.String(metadata={"description": "text, number, bool, date (ISO) or rows"})
    value = fields.Method("_value", metadata={"description": "For rows: a list of rows of fields"})

    def _value(self, field: dict):
        value = field["value"]
        if field["kind"] == "rows":
            return [SubmittedFieldSchema(many=True).dump(row) for row in value]
        return value.isoformat() if field["kind"] == "date" else value


class SubmissionSectionSchema(Schema):
    title = fields.String(allow_none=True, metadata={"description": "The step that submitted it"})
    kind = fields.String(metadata={"description": "started, task_completed or message_received"})
    element_id = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    at = fields.DateTime()
    actor = fields.String(allow_none=True)
    needed = fields.Boolean(metadata={"description": "It holds a field the task's caseFields lists"})
    fields_ = fields.List(fields.Nested(SubmittedFieldSchema), data_key="fields", attribute="fields")


class CaseAtHandSchema(Schema):
    sections = fields.List(fields.Nested(SubmissionSectionSchema), metadata={"description": "Earlier steps"})
    submitted = fields.Nested(
        SubmissionSectionSchema, allow_none=True, metadata={"description": "What this task submitted"}
    )


class TaskDetailSchema(TaskSchema):
    instructions = fields.String(allow_none=True)
    instance_title = fields.String(allow_none=True)
    form = fields.Dict(allow_none=True, metadata={"description": "The task's form-js schema"})
    draft = fields.Dict(allow_none=True)
    case = fields.Nested(CaseAtHandSchema, metadata={"description": "The case's data so far, labelled"})
    attachments = fields.List(fields.Dict(), metadata={"description": "The case's files"})


class SubmissionSchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict, metadata={"description": "The form's fields"})


class CommentSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class AssignSchema(Schema):
    # Needed, but judged by the engine once it knows the caller may reassign (else 403 comes first).
    assignee = fields.String(
        load_default="",
        validate=validate.Length(max=64),
        metadata={"description": "Needed. A username holding the task's position"},
    )
    reason = fields.String(validate=validate.Length(max=500))


class CompletedSchema(Schema):
    task = fields.Nested(TaskSchema)
    next_tasks = fields.List(
        fields.Nested(TaskSchema), metadata={"description": "The tasks this completion opened that are yours"}
    )


class ProcessSchema(Schema):
    key = fields.String()
    name = fields.String()
    department = fields.String()
    public = fields.Boolean()
    start_form = fields.Dict(allow_none=True)


class StartSchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)
    title = fields.String(validate=validate.Length(max=300))
    business_key = fields.String(validate=validate.Length(max=128))
    unit = fields.String(
        validate=validate.Length(max=64),
        metadata={"description": "A unit code; by default the unit of the starter's position"},
    )


class InstanceSummarySchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    title = fields.String(allow_none=True)
    business_key = fields.String(allow_none=True)
    tracking_code = fields.String(allow_none=True)
    status = fields.String()
    started_by = fields.String(allow_none=True)
    started_at = fields.String(metadata={"description": DATE_HELP})
    ended_at = fields.String(allow_none=True)
    open_tasks = fields.List(fields.String(), metadata={"description": "Names of the open steps"})


class StartedSchema(Schema):
    instance = fields.Nested(InstanceSummarySchema)
    next_task = fields.Nested(
        TaskSchema, allow_none=True, metadata={"description": "The first task, if yours"}
    )


class HistorySchema(Schema):
    kind = fields.String()
    at = fields.String()
    actor = fields.String(allow_none=True)
    element_name = fields.String(allow_none=True)


class AttachmentSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    task_id = fields.String(allow_none=True)
    field = fields.String(allow_none=True)
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String(allow_none=True)
    uploaded_at = fields.String()
    url = fields.String()


class InstanceStatusSchema(InstanceSummarySchema):
    version = fields.Integer()
    tasks = fields.List(fields.Nested(TaskSchema))
    history = fields.List(fields.Nested(HistorySchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))


class PublicStatusSchema(Schema):
    tracking_code = fields.String()
    process = fields.String()
    state = fields.String(metadata={"description": "in_progress | waiting_for_you | on_hold | done | closed"})
    message = fields.String()
    steps = fields.List(fields.String())
    received_at = fields.String()
    updated_at = fields.String()
    ended_at = fields.String(allow_none=True)


class FileField(fields.Field):
    """A file part of a multipart body (a plain text field of the same name is refused)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError(N_("Not a file: send it as a file part of a multipart/form-data body."))
        return value


class UploadSchema(Schema):
    """One multipart/form-data body: the file and, optionally, the task and form field it is for."""

    file = FileField(metadata={"type": "string", "format": "binary"}, required=True)
    task_id = fields.String(validate=validate.Length(max=36), metadata={"description": "A task of the case"})
    field = fields.String(validate=validate.Length(max=128), metadata={"description": "The form field"})


class TokenSchema(Schema):
    token = fields.String(metadata={"description": "Shown once; send it as Authorization: Bearer <token>"})


class NotificationArgs(PageArgs):
    unread = fields.Boolean(load_default=False)


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(
        metadata={
            "description": "task_arrived | task_reassigned | task_overdue | task_referred | case_copied"
            " | task_returned"
        }
    )
    message = fields.String()
    url = fields.String(allow_none=True, metadata={"description": "The task's page"})
    task_id = fields.String(allow_none=True)
    task_name = fields.String(allow_none=True)
    task_open = fields.Boolean()
    instance_id = fields.Integer(allow_none=True)
    instance_title = fields.String(allow_none=True)
    created_at = fields.String()
    read = fields.Boolean()


class NotificationGroupArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    unread = fields.Boolean(load_default=False)


class NoticeGroupSchema(NotificationSchema):
    count = fields.Integer(metadata={"description": "The case's notifications"})
    unread = fields.Integer(metadata={"description": "Those not read yet"})

    class Meta:
        exclude = ("read",)


class NoticeGroupPageSchema(Schema):
    items = fields.List(fields.Nested(NoticeGroupSchema))
    total = fields.Integer(metadata={"description": "Cases"})
    page = fields.Integer()
    pages = fields.Integer()
    unread = fields.Integer(metadata={"description": "Cases with an unread notification"})


class NotificationSettingsSchema(Schema):
    mode = fields.String(required=True, metadata={"description": "immediate | daily | off"})
    channel = fields.String(required=True, metadata={"description": "email | sms"})
    mobile = fields.String(allow_none=True, validate=validate.Length(max=32))
    email = fields.String(dump_only=True, allow_none=True)


class ReferSchema(Schema):
    to = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "A colleague in the task's position, the head of its unit, or an expert of it"
        },
    )
    note = fields.String(validate=validate.Length(max=2000), metadata={"description": "Required"})
    copies = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "Usernames who get a copy of the case for their information"},
    )


class ReferredSchema(TaskSchema):
    assignee_name = fields.String(allow_none=True)
    copies = fields.List(fields.String())


class CandidateSchema(Schema):
    username = fields.String()
    full_name = fields.String()
    direction = fields.String(metadata={"description": "colleague | up | down"})
    role = fields.String()


class CountSchema(Schema):
    unread = fields.Integer()


class ChangedSchema(Schema):
    changed = fields.Integer()
