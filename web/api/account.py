"""The current user's personal API token and notifications."""

from __future__ import annotations

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from engine.notify import notices as notifications
from engine.org import tokens
from web.api.schemas import (
    ChangedSchema,
    CountSchema,
    NotificationArgs,
    NotificationSchema,
    TokenSchema,
)
from web.api_access import api_blueprint, ctx, require_user
from web.api_errors import ErrorSchema, api_locale

blp = api_blueprint("api_account", __name__, "The current user's API token and notifications.")


@blp.route("/token", methods=["POST"])
@blp.response(201, TokenSchema)
def create_token():
    """A new personal API token, shown this once; it replaces any earlier token."""
    return {"token": tokens.create_token(ctx(), require_user().username)}


@blp.route("/token", methods=["DELETE"])
@blp.response(204)
def revoke_token():
    """Revoke my personal API token."""
    tokens.revoke_token(ctx(), require_user().username)


@blp.route("/notifications")
@blp.arguments(NotificationArgs, location="query")
@blp.response(200, NotificationSchema(many=True))
def list_notifications(args):
    """My notifications, newest first (``unread=true`` for the unread ones only)."""
    user = require_user()
    rows = notifications.list_for(ctx(), user.username, args["unread"], args["limit"], args["offset"])
    with force_locale(api_locale()):
        return [
            {
                **row,
                "message": notification_message(row),
                "url": url_for("inbox.task", task_id=row["task_id"]) if row["task_id"] else None,
            }
            for row in rows
        ]


@blp.route("/notifications/unread-count")
@blp.response(200, CountSchema)
def unread_count():
    """The number for the badge."""
    user = require_user()
    return {"unread": notifications.unread_count(ctx(), user.username)}


@blp.route("/notifications/<id:notification_id>/read", methods=["POST"])
@blp.response(200, ChangedSchema)
@blp.alt_response(404, schema=ErrorSchema)
def mark_read(notification_id):
    """Mark one of my notifications read."""
    user = require_user()
    return {"changed": notifications.mark_read(ctx(), user.username, notification_id)}


@blp.route("/notifications/read", methods=["POST"])
@blp.response(200, ChangedSchema)
def mark_all_read():
    """Mark all my notifications read."""
    user = require_user()
    return {"changed": notifications.mark_read(ctx(), user.username)}


def notification_message(row: dict) -> str:
    task = row["task_name"] or ""
    if row["kind"] == notifications.TASK_REASSIGNED:
        return _("The task '%(task)s' was assigned to you.", task=task)
    if row["kind"] == notifications.TASK_OVERDUE:
        return _("The task '%(task)s' is overdue.", task=task)
    return _("A new task has arrived: '%(task)s'.", task=task)
