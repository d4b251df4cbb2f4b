"""The monitor's jobs page: failed and overdue jobs of the queue, with a retry for who has authority."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from engine.errors import Forbidden, NotFound, RavandError
from engine.reporting import job_list
from engine.runtime import retry as retries
from web.bounds import page_arg
from web.i18n import error_text, message_text
from web.monitor import bp
from web.monitor.common import engine, monitor_required

PAGE_SIZE = 50


@bp.get("/jobs")
@monitor_required
def jobs():
    show = request.args.get("show", "failed")
    page = page_arg(request.args)
    found = job_list.job_list(
        engine(), current_user.username, show, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    g.ravand_unread = found["unread"]  # the menu's badge, read with the page
    return render_template(
        "monitor/jobs.html",
        found=found,
        page=page,
        pages=max(1, -(-found["total"] // PAGE_SIZE)),
        now=engine().clock.now(),
    )


@bp.post("/jobs/<int:job_id>/retry")
@monitor_required
def retry_job(job_id: int):
    reason = request.form.get("reason", "")
    try:
        outcome = retries.retry_job(engine(), job_id, current_user.username, reason)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    except RavandError as exc:
        flash(error_text(exc), "danger")
    else:
        flash(message_text(outcome.message), "danger" if outcome.failed_again else "success")
    return redirect(url_for("monitor.jobs", show=request.form.get("show", "failed")))
