"""Tasks of the current user: list, read, claim, unclaim, save a draft, complete."""

from __future__ import annotations

from engine.work import inbox, referral, tasks
from engine.work.views import task_document
from web.api.schemas import (
    AssignSchema,
    CandidateSchema,
    CommentSchema,
    CompletedSchema,
    ReferredSchema,
    ReferSchema,
    SubmissionSchema,
    TaskDetailSchema,
    TaskListArgs,
    TaskPageSchema,
    TaskSchema,
)
from web.api_access import api_blueprint, ctx, require_user
from web.api_errors import ErrorSchema

blp = api_blueprint("api_tasks", __name__, "Human tasks: the inbox of the current user.", tag="Staff: tasks")


@blp.route("/tasks")
@blp.arguments(TaskListArgs, location="query")
@blp.response(200, TaskPageSchema)
@blp.alt_response(401, schema=ErrorSchema)
def list_my_tasks(args):
    """A page of my inbox, with the inbox filters: view, process or department (with the processes they
    call), unit, due, search, sort."""
    user = require_user()
    query = inbox.InboxQuery(
        user=user.username,
        view=args["view"],
        process=args.get("process"),
        department=None if args.get("process") else args.get("department"),
        unit_id=args.get("unit"),
        due=args.get("due"),
        search=(args.get("q") or "").strip() or None,
        sort=args["sort"],
        page=args["page"],
        per_page=args["per_page"],
    )
    page = inbox.inbox(ctx(), query)
    return {
        "items": page.rows,
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
        "per_page": page.per_page,
    }


@blp.route("/tasks/<task_id>")
@blp.response(200, TaskDetailSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_task(task_id):
    """One task with its instructions, its form (form-js schema) and the saved draft."""
    return task_document(ctx(), task_id, require_user().username)


@blp.route("/tasks/<task_id>/claim", methods=["POST"])
@blp.response(200, TaskSchema)
@blp.alt_response(409, schema=ErrorSchema, description="Claimed by someone else, or no longer open")
@blp.alt_response(403, schema=ErrorSchema, description="You do not hold the task's position")
def claim(task_id):
    """Take a group task: it becomes mine alone."""
    return tasks.claim(ctx(), task_id, require_user().username)


@blp.route("/tasks/<task_id>/unclaim", methods=["POST"])
@blp.response(200, TaskSchema)
@blp.alt_response(403, schema=ErrorSchema, description="Not claimed by you")
@blp.alt_response(409, schema=ErrorSchema, description="The task is no longer open")
def unclaim(task_id):
    """Give a claimed task back to the group."""
    return tasks.unclaim(ctx(), task_id, require_user().username)


@blp.route("/tasks/<task_id>/draft", methods=["PUT"])
@blp.arguments(SubmissionSchema)
@blp.response(204)
@blp.alt_response(403, schema=ErrorSchema, description="Not yours: you may see the task but not work on it")
@blp.alt_response(409, schema=ErrorSchema, description="The task is no longer open")
def save_draft(body, task_id):
    """Keep what was typed so far, without validating or completing."""
    user = require_user()
    tasks.save_draft(ctx(), task_id, body["data"], user.username)


@blp.route("/tasks/<task_id>/complete", methods=["POST"])
@blp.arguments(SubmissionSchema)
@blp.response(200, CompletedSchema)
@blp.alt_response(422, schema=ErrorSchema, description="The form data are not valid: per-field messages")
@blp.alt_response(409, schema=ErrorSchema, description="Already completed (by whom), or no longer open")
@blp.alt_response(403, schema=ErrorSchema, description="Not yours: you may see the task but not work on it")
def complete(body, task_id):
    """Submit the task's form; the data are validated on the server against the form."""
    user = require_user()
    done = tasks.complete(ctx(), task_id, body["data"], user.username)
    return {"task": done, "next_tasks": done.pop("next_tasks")}


@blp.route("/tasks/<task_id>/comments", methods=["POST"])
@blp.arguments(CommentSchema)
@blp.response(204)
def comment(body, task_id):
    """A note on the task's instance, for everyone who may see the task."""
    user = require_user()
    tasks.add_comment(ctx(), task_id, body["body"], user.username)


@blp.route("/tasks/<task_id>/assign", methods=["POST"], tags=["Supervisors"])
@blp.arguments(AssignSchema)
@blp.response(200, TaskSchema)
@blp.alt_response(403, schema=ErrorSchema, description="Only supervisors with authority over the task")
@blp.alt_response(422, schema=ErrorSchema, description="The assignee does not hold the task's position")
@blp.alt_response(409, schema=ErrorSchema, description="The task is no longer open")
def assign(body, task_id):
    """Give the task to one of the holders of its position (supervisors)."""
    user = require_user()
    return tasks.assign(ctx(), task_id, body["assignee"], user=user.username, reason=body.get("reason"))


@blp.route("/tasks/<task_id>/referral-candidates")
@blp.response(200, CandidateSchema(many=True))
@blp.alt_response(404, schema=ErrorSchema)
def referral_candidates(task_id):
    """Whom I may refer the task to: colleagues in its position, the head of its unit, its experts
    (empty when I may not refer it)."""
    return referral.referral_options(ctx(), task_id, require_user().username)


@blp.route("/tasks/<task_id>/refer", methods=["POST"])
@blp.arguments(ReferSchema)
@blp.response(200, ReferredSchema)
@blp.alt_response(403, schema=ErrorSchema, description="The task is not mine to refer")
@blp.alt_response(422, schema=ErrorSchema, description="No note, or someone the task may not go to")
def refer(body, task_id):
    """Refer the task with a note (ارجاع با هامش) and/or send copies of its case (رونوشت)."""
    user = require_user()
    return referral.refer(ctx(), task_id, user.username, body.get("note"), body.get("to"), body["copies"])
