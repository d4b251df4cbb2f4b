"""In-app notifications: the badge in the menu (cases with news), the list by case, paged, and each
user's choice of how notices reach them outside the app."""

from __future__ import annotations

import re

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import NotFound, RavandError
from engine.notify import reading, settings
from web.bounds import page_arg
from web.i18n import localized_number
from web.inbox import bp
from web.inbox.common import engine, error_text, show_unread
from web.inbox.labels import parse_time

PER_PAGE = 20


@bp.app_context_processor
def _badge() -> dict:
    """``unread_notifications()`` for the menu: the number the page's read model brought, else a query
    of its own (only when a page shows the menu)."""

    def unread() -> int:
        if not current_user.is_authenticated:
            return 0
        if "ravand_unread" not in g:
            g.ravand_unread = reading.unread_count(engine(), current_user.username)
        return g.ravand_unread

    return {"unread_notifications": unread}


@bp.get("/inbox/notifications/")
@login_required
def notices():
    unread_only = request.args.get("unread") == "1"
    page = reading.notices_page(
        engine(),
        current_user.username,
        page=page_arg(request.args),
        per_page=PER_PAGE,
        unread_only=unread_only,
    )
    show_unread(page.unread)
    return render_template(
        "inbox/notifications.html",
        page=page,
        unread_only=unread_only,
        groups=[row | {"created_at": parse_time(row["created_at"])} for row in page.groups],
        settings=page.settings,
    )


@bp.post("/inbox/notifications/<id:notice_id>")
@login_required
def open_notice(notice_id: int):
    """Mark one notice — and the other notices of its case — read and go to its task (whose page
    checks, as always, who may see it)."""
    instance_id = request.form.get("instance_id", type=int)
    try:
        reading.mark_read(engine(), current_user.username, notice_id)
        if instance_id:
            reading.mark_read(engine(), current_user.username, instance_id=instance_id)
    except NotFound:
        abort(404)
    task_id = request.form.get("task_id", "")
    if re.fullmatch(r"[0-9a-fA-F-]{36}", task_id):
        return redirect(url_for("inbox.task", task_id=task_id))
    return redirect(url_for("inbox.notices"))


@bp.post("/inbox/notifications/read")
@login_required
def read_all():
    changed = reading.mark_read(engine(), current_user.username)
    flash(_("%(n)s notifications were marked read.", n=localized_number(changed)), "success")
    return redirect(url_for("inbox.notices"))


@bp.post("/inbox/notifications/settings")
@login_required
def save_settings():
    form = request.form
    try:
        settings.update_settings(
            engine(), current_user.username, form.get("mode", ""), form.get("channel", ""), form.get("mobile")
        )
    except RavandError as exc:
        flash(error_text(exc), "danger")
    else:
        flash(_("Your notification settings were saved."), "success")
    return redirect(url_for("inbox.notices") + "#settings")
