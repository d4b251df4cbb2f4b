"""Scorecards (کارنامه واحدها): every unit's figures for a Jalali period, and one unit's printable report
(a page, and a PDF)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from engine.calendar.jalali import to_latin_digits
from engine.errors import RavandError
from engine.scorecards.periods import PERIODS, current_period
from engine.scorecards.views import scorecards
from web.documents import error_page, pdf_response
from web.i18n import localized_number

bp = Blueprint("scorecards", __name__, url_prefix="/scorecards")
bp.add_app_template_filter(localized_number, "number")  # 87.5 is ۸۷٫۵ on a Persian page, 85.0 is ۸۵
PERIOD_NAMES = {"first_half": _l("First half"), "second_half": _l("Second half"), "year": _l("Whole year")}


def _ctx():
    return current_app.extensions["ravand"]


def _period() -> tuple[str, str]:
    year, half = current_period(_ctx().clock.now())
    chosen = request.args.get("period")
    return to_latin_digits(request.args.get("year") or str(year)), chosen if chosen in PERIODS else half


def _page(template: str, unit: str | None = None, **extra):
    year, period = _period()
    cards = scorecards(_ctx(), current_user.username, year, period, unit=unit)
    return render_template(template, cards=cards, period_names=PERIOD_NAMES, now=_ctx().clock.now(), **extra)


@bp.get("/")
@login_required
def index():
    try:
        return _page("scorecards/index.html")
    except RavandError as exc:
        return error_page(exc)


@bp.get("/<unit>")
@login_required
def unit_report(unit: str):
    try:
        return _page("scorecards/report.html", unit=unit, for_pdf=False)
    except RavandError as exc:
        return error_page(exc)


@bp.get("/<unit>.pdf")
@login_required
def unit_report_pdf(unit: str):
    try:
        html = _page("scorecards/report.html", unit=unit, for_pdf=True)
    except RavandError as exc:
        return error_page(exc)
    return pdf_response(html, f"scorecard-{unit}.pdf")
