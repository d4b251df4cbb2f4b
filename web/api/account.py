"""The current user's personal API token and notifications."""

from __future__ import annotations

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from engine.notify import kinds, reading, settings
from engine.org import tokens
from web.api.schemas import (
    ChangedSchema,
    CountSchema,
    NoticeGroupPageSchema,
    NotificationArgs,
    NotificationGroupArgs,
    NotificationSchema,
    NotificationSettingsSchema,
    TokenSchema,
)
from web.api_access import api_blueprint, ctx, require_user
from web.api_errors import ErrorSchema, api_locale

blp = api_blueprint(
    "api_account",
    __name__,
    "The current user's API token and notifications.",
    tag="Staff: token and notifications",
)


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
    rows = reading.list_for(ctx(), user.username, args["unread"], args["limit"], args["offset"])
    with force_locale(api_locale()):
        return [
            {
                **row,
                "message": notification_message(row),
                "url": url_for("inbox.task", task_id=row["task_id"]) if row["task_id"] else None,
            }
            for row in rows
        ]


@blp.route("/notifications/cases")
@blp.arguments(NotificationGroupArgs, location="query")
@blp.response(200, NoticeGroupPageSchema)
def list_notification_cases(args):
    """My notifications by case, newest first, paged: each case's latest notice with how many it
    brought and how many are unread."""
    user = require_user()
    page = reading.notices_page(ctx(), user.username, args["page"], args["per_page"], args["unread"])
    with force_locale(api_locale()):
        items = [
            {
                **row,
                "message": notification_message(row),
                "url": url_for("inbox.task", task_id=row["task_id"]) if row["task_id"] else None,
            }
            for row in page.groups
        ]
    return {
        "items": items,
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
        "unread": page.unread,
    }


@blp.route("/notifications/cases/<id:instance_id>/read", methods=["POST"])
@blp.response(200, ChangedSchema)
@blp.alt_response(404, schema=ErrorSchema)
def mark_case_read(instance_id):
    """Mark my notifications about one case read."""
    return {"changed": reading.mark_read(ctx(), require_user().username, instance_id=instance_id)}


@blp.route("/notification-settings")
@blp.response(200, NotificationSettingsSchema)
def get_notification_settings():
    """How my notices reach me outside Ravand: mode (immediate, daily, off) and channel (email, sms)."""
    return settings.get_settings(ctx(), require_user().username)


@blp.route("/notification-settings", methods=["PUT"])
@blp.arguments(NotificationSettingsSchema)
@blp.response(200, NotificationSettingsSchema)
@blp.alt_response(422, schema=ErrorSchema, description="An unknown mode or channel, a bad mobile number")
def put_notification_settings(body):
    """Change how my notices reach me; SMS needs a mobile number (09xxxxxxxxx)."""
    user = require_user()
    return settings.update_settings(ctx(), user.username, body["mode"], body["channel"], body.get("mobile"))


@blp.route("/notifications/unread-count")
@blp.response(200, CountSchema)
def unread_count():
    """The number for the badge: the cases with an unread notification."""
    user = require_user()
    return {"unread": reading.unread_count(ctx(), user.username)}


@blp.route("/notifications/<id:notification_id>/read", methods=["POST"])
@blp.response(200, ChangedSchema)
@blp.alt_response(404, schema=ErrorSchema)
def mark_read(notification_id):
    """Mark one of my notifications read."""
    user = require_user()
    return {"changed": reading.mark_read(ctx(), user.username, notification_id)}


@blp.route("/notifications/read", methods=["POST"])
@blp.response(200, ChangedSchema)
def mark_all_read():
    """Mark all my notifications read."""
    user = require_user()
    return {"changed": reading.mark_read(ctx(), user.username)}


def notification_message(row: dict) -> str:
    task = row["task_name"] or ""
    kind = row["kind"]
    if kind == kinds.TASK_REASSIGNED:
        return _("The task '%(task)s' was assigned to you.", task=task)
    if kind == kinds.TASK_OVERDUE:
        return _("The task '%(task)s' is overdue.", task=task)
    if kind == kinds.TASK_REFERRED:
        return _("The task '%(task)s' was referred to you.", task=task)
    if kind == kinds.CASE_COPIED:
        return _("A copy of the case of '%(task)s', for your information.", task=task)
    if kind == kinds.TASK_RETURNED:
        return _("The task '%(task)s' came back to your group.", task=task)
    return _("A new task has arrived: '%(task)s'.", task=task)
