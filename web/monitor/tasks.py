"""The monitor's list of open tasks: what the dashboard's task figures count, one row per task."""

from __future__ import annotations

from flask import g, render_template, request
from flask_login import current_user

from engine.reporting import task_list
from web.bounds import page_arg
from web.monitor import bp
from web.monitor.common import engine, monitor_required, task_filter_from_args

PAGE_SIZE = 50
TASK_ARGS = ("process", "department", "unit", "assignee", "unclaimed", "overdue")


@bp.get("/tasks")
@monitor_required
def tasks():
    page = page_arg(request.args)
    found = task_list.task_list(
        engine(),
        current_user.username,
        task_filter_from_args(request.args),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    g.ravand_unread = found["unread"]  # the menu's badge, read with the page
    return render_template(
        "monitor/tasks.html",
        found=found,
        page=page,
        pages=max(1, -(-found["total"] // PAGE_SIZE)),
        args={name: request.args[name] for name in TASK_ARGS if request.args.get(name)},
        now=engine().clock.now(),
    )
