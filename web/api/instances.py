"""Processes I may start, starting one, my requests, an instance's status and its attachments."""

from __future__ import annotations

from flask import request, send_file, url_for
from flask_babel import get_locale

from engine.cases import attachments
from engine.cases.requests import instance_status as status_of
from engine.cases.requests import my_requests as requests_of
from engine.cases.start import StartRequest, start_process
from engine.definitions import starters
from web.api.schemas import (
    AttachmentSchema,
    InstanceStatusSchema,
    InstanceSummarySchema,
    PageArgs,
    ProcessSchema,
    StartedSchema,
    StartSchema,
    UploadSchema,
)
from web.api_access import api_blueprint, ctx, require_user
from web.api_errors import ErrorSchema
from web.uploads import attachment_store

blp = api_blueprint(
    "api_instances",
    __name__,
    "Starting processes, my requests, instances and their files.",
    tag="Staff: requests and files",
)


@blp.route("/processes")
@blp.response(200, ProcessSchema(many=True))
def startable_processes():
    """The deployed processes of the catalog I may start, with their start forms."""
    user = require_user()
    locale = str(get_locale())
    return [
        {
            "key": p.key,
            "name": p.name(locale),
            "department": p.department,
            "public": p.public,
            "start_form": p.form,
        }
        for p in starters.startable_processes(ctx(), user.username)
    ]


@blp.route("/processes/<key>/instances", methods=["POST"])
@blp.arguments(StartSchema)
@blp.response(201, StartedSchema)
@blp.alt_response(422, schema=ErrorSchema, description="The start form's data are not valid")
@blp.alt_response(403, schema=ErrorSchema)
def start(body, key):
    """Start a process with its start form's data; a process open to the public gets a tracking code."""
    user = require_user()
    started = start_process(
        ctx(),
        StartRequest(
            key,
            body["data"],
            user=user.username,
            unit=body.get("unit"),
            business_key=body.get("business_key"),
            title=body.get("title"),
        ),
    )
    instance = {
        "id": started.instance_id,
        "process_key": started.process_key,
        "title": started.title,
        "business_key": started.business_key,
        "tracking_code": started.tracking_code,
        "status": started.status,
        "started_by": started.started_by,
        "started_at": started.started_at.isoformat(),
        "ended_at": None,
        "open_tasks": started.open_steps,
    }
    return {"instance": instance, "next_task": started.next_tasks[0] if started.next_tasks else None}


@blp.route("/requests")
@blp.arguments(PageArgs, location="query")
@blp.response(200, InstanceSummarySchema(many=True))
def my_requests(args):
    """The instances I started, newest first, with the names of their open steps."""
    found = requests_of(ctx(), require_user().username, args["limit"], args["offset"])
    return found.rows


@blp.route("/instances/<id:instance_id>")
@blp.response(200, InstanceStatusSchema)
@blp.alt_response(404, schema=ErrorSchema)
def instance_status(instance_id):
    """Where an instance stands: its status, tasks, history and files (for those who may see it)."""
    status = status_of(ctx(), require_user().username, instance_id)
    return status | {"attachments": [_with_url(a) for a in status["attachments"]]}


@blp.route("/instances/<id:instance_id>/attachments")
@blp.response(200, AttachmentSchema(many=True))
@blp.alt_response(404, schema=ErrorSchema)
def list_attachments(instance_id):
    """The files of an instance."""
    files = attachments.list_for_instance(ctx(), instance_id, user=require_user().username)
    return [_with_url(a) for a in files]


@blp.route("/instances/<id:instance_id>/attachments", methods=["POST"])
@blp.arguments(UploadSchema, location="multipart")
@blp.response(201, AttachmentSchema)
@blp.alt_response(422, schema=ErrorSchema, description="Not a PDF, PNG, JPEG or Office file, or too large")
@blp.alt_response(413, schema=ErrorSchema, description="The request is larger than the server takes")
def upload_attachment(form, instance_id):
    """Attach a file (multipart/form-data, field ``file``): checked by its content and size."""
    user = require_user()
    upload = form["file"]
    store = attachment_store()
    added = attachments.add(
        ctx(),
        store,
        instance_id,
        upload.filename or "file",
        upload.stream.read(store.max_bytes + 1),
        user=user.username,
        task_id=form.get("task_id"),
        field=form.get("field"),
    )
    return _with_url(added)


@blp.route("/attachments/<id:attachment_id>")
@blp.response(200, description="The file's bytes, as a download")
@blp.alt_response(404, schema=ErrorSchema)
def download_attachment(attachment_id):
    """A file, for those who may see its instance (others are told it does not exist)."""
    user = require_user()
    meta, path = attachments.open_for(ctx(), attachment_store(), attachment_id, user.username)
    response = send_file(
        path,
        mimetype=meta["content_type"],
        as_attachment=request.args.get("inline") != "1",
        download_name=meta["filename"],
        conditional=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _with_url(attachment: dict) -> dict:
    return {**attachment, "url": url_for("api_instances.download_attachment", attachment_id=attachment["id"])}
