"""The case on paper: a printable Persian case file, as a page and as a PDF (right to left, Vazirmatn,
Jalali dates, the history, the submitted forms with their labels, the letters with their numbers)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from engine.calendar.jalali import to_latin_digits
from engine.cases.case_file import case_file
from engine.errors import RavandError
from web.documents import error_page, pdf_response

bp = Blueprint("printing", __name__, url_prefix="/cases")

EVENTS = {
    "started": _l("Case opened"),
    "task_completed": _l("Step completed"),
    "task_claimed": _l("Step taken"),
    "task_assigned": _l("Step handed over"),
    "message_received": _l("Answer received from outside"),
    "timer_fired": _l("Deadline reached"),
    "incident": _l("Incident"),
    "completed": _l("Case closed"),
    "terminated": _l("Case stopped"),
    "error_uncaught": _l("Case failed on an error"),
    "suspended": _l("Case suspended"),
    "resumed": _l("Case resumed"),
}
STATUSES = {
    "running": _l("In progress"),
    "incident": _l("Stopped by an incident"),
    "suspended": _l("Suspended"),
    "completed": _l("Closed"),
    "terminated": _l("Stopped"),
    "failed": _l("Failed"),
}


@bp.app_template_filter("latin_digits")
def latin_digits(value) -> str:
    return to_latin_digits(str(value))


def _render(instance_id: int, for_pdf: bool) -> str:
    ctx = current_app.extensions["ravand"]
    shown = case_file(ctx, current_user.username, instance_id)
    return render_template(
        "printing/case.html",
        case=shown,
        events=EVENTS,
        statuses=STATUSES,
        for_pdf=for_pdf,
        now=ctx.clock.now(),
    )


@bp.get("/<int:instance_id>/print")
@login_required
def case(instance_id: int):
    try:
        return _render(instance_id, for_pdf=False)
    except RavandError as exc:
        return error_page(exc)


@bp.get("/<int:instance_id>/print.pdf")
@login_required
def case_pdf(instance_id: int):
    try:
        html = _render(instance_id, for_pdf=True)
    except RavandError as exc:
        return error_page(exc)
    return pdf_response(html, f"case-{instance_id}.pdf")
