"""In-app notifications: the badge in the menu and the list (a task arrived, was given to me, is late)."""

from __future__ import annotations

import re

from flask import abort, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine.errors import NotFound
from engine.notify import notices as notifications
from web.inbox import bp
from web.inbox.common import engine, show_unread
from web.inbox.labels import parse_time


@bp.app_context_processor
def _badge() -> dict:
    """``unread_notifications()`` for the menu: the number the page's read model brought, else a query
    of its own (only when a page shows the menu)."""

    def unread() -> int:
        if not current_user.is_authenticated:
            return 0
        if "ravand_unread" not in g:
            g.ravand_unread = notifications.unread_count(engine(), current_user.username)
        return g.ravand_unread

    return {"unread_notifications": unread}


@bp.get("/inbox/notifications/")
@login_required
def notices():
    rows, unread = notifications.notices_page(engine(), current_user.username, limit=100)
    show_unread(unread)
    return render_template(
        "inbox/notifications.html", rows=[row | {"created_at": parse_time(row["created_at"])} for row in rows]
    )


@bp.post("/inbox/notifications/<id:notice_id>")
@login_required
def open_notice(notice_id: int):
    """Mark one notice read and go to its task (whose page checks, as always, who may see it)."""
    try:
        notifications.mark_read(engine(), current_user.username, notice_id)
    except NotFound:
        abort(404)
    task_id = request.form.get("task_id", "")
    if re.fullmatch(r"[0-9a-fA-F-]{36}", task_id):
        return redirect(url_for("inbox.task", task_id=task_id))
    return redirect(url_for("inbox.notices"))


@bp.post("/inbox/notifications/read")
@login_required
def read_all():
    notifications.mark_read(engine(), current_user.username)
    return redirect(url_for("inbox.notices"))
