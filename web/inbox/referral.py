"""Referral with a note (ارجاع با هامش) from a task's page, and copies of its case (رونوشت)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import Forbidden, NotFound, RavandError
from engine.work import referral
from web.i18n import localized_number
from web.inbox import bp
from web.inbox.common import engine, error_text


@bp.post("/inbox/tasks/<task_id>/refer")
@login_required
def refer(task_id: str):
    """Refer the task and/or send copies; a refusal is told on the task's page, and after a referral
    the referrer goes back to the inbox (the task is no longer theirs)."""
    form = request.form
    page = url_for("inbox.task", task_id=task_id)
    try:
        done = referral.refer(
            engine(),
            task_id,
            current_user.username,
            form.get("note"),
            form.get("to") or None,
            form.getlist("copies"),
        )
    except (Forbidden, NotFound) as exc:
        abort(exc.http_status)
    except RavandError as exc:
        flash(error_text(exc), "danger")
        return redirect(page + "#referral")
    if done["assignee_name"]:
        flash(_("The task was referred to %(name)s.", name=done["assignee_name"]), "success")
    if done["copies"]:
        flash(
            _("A copy of the case went to %(n)s people.", n=localized_number(len(done["copies"]))), "success"
        )
    return redirect(url_for("inbox.index") if done["assignee_name"] else page)
