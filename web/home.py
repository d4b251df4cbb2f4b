"""The home page: what is deployed and running, until the inbox takes its place."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import get_locale
from sqlalchemy import func, select

from engine.calendar import to_jalali_str
from engine.models import HumanTask, ProcessDefinition, ProcessInstance, utcnow

bp = Blueprint("home", __name__)


@bp.app_template_filter("jalali")
def jalali(value, with_time: bool = False) -> str:
    if value is None:
        return ""
    return to_jalali_str(value, with_time=with_time, persian_digits=str(get_locale()) == "fa")


@bp.app_template_filter("digits")
def digits(value) -> str:
    from engine.calendar import to_persian_digits

    return to_persian_digits(str(value)) if str(get_locale()) == "fa" else str(value)


@bp.get("/")
def index():
    ctx = current_app.extensions["ravand"]
    with ctx.db.transaction() as session:
        latest = (
            select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
            .group_by(ProcessDefinition.key)
            .subquery()
        )
        definitions = (
            session.execute(
                select(ProcessDefinition)
                .join(
                    latest,
                    (ProcessDefinition.key == latest.c.key) & (ProcessDefinition.version == latest.c.version),
                )
                .order_by(ProcessDefinition.key)
            )
            .scalars()
            .all()
        )
        running = dict(
            session.execute(
                select(ProcessInstance.process_key, func.count())
                .where(ProcessInstance.status == "running")
                .group_by(ProcessInstance.process_key)
            ).all()
        )
        open_tasks = session.scalar(
            select(func.count()).select_from(HumanTask).where(HumanTask.state == "open")
        )
    return render_template(
        "home.html", definitions=definitions, running=running, open_tasks=open_tasks, now=utcnow()
    )
