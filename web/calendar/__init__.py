"""The mayor's calendar (تقویم حضور شهردار): a Jalali month, a week, and the iCalendar export."""

from __future__ import annotations

from datetime import date, timedelta

import jdatetime
from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user, login_required

from engine.calendar.jalali import TEHRAN, to_latin_digits
from engine.errors import RavandError
from engine.protocol import calendar_views
from engine.protocol.calendar import TRAVEL_MINUTES
from web.documents import MONTHS, WEEKDAYS, error_page

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


def _ctx():
    return current_app.extensions["ravand"]


def _today() -> date:
    return _ctx().clock.now().astimezone(TEHRAN).date()


def _int_arg(name: str, default: int) -> int:
    text = to_latin_digits(request.args.get(name, "")).strip()
    return int(text) if text.isdigit() else default


def _day_arg(name: str) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return _today()


@bp.get("/")
@login_required
def month():
    today = jdatetime.date.fromgregorian(date=_today())
    year, number = _int_arg("year", today.year), _int_arg("month", today.month)
    try:
        shown = calendar_views.month(_ctx(), current_user.username, year, number)
    except RavandError as exc:
        return error_page(exc)
    return render_template(
        "calendar/month.html", cal=shown, months=MONTHS, weekdays=WEEKDAYS, travel_minutes=TRAVEL_MINUTES
    )


@bp.get("/week")
@login_required
def week():
    try:
        shown = calendar_views.week(_ctx(), current_user.username, _day_arg("date"))
    except RavandError as exc:
        return error_page(exc)
    return render_template(
        "calendar/week.html", cal=shown, months=MONTHS, weekdays=WEEKDAYS, travel_minutes=TRAVEL_MINUTES
    )


@bp.get("/mayor.ics")
@login_required
def ics():
    first = _day_arg("from") if request.args.get("from") else _today() - timedelta(days=31)
    last = _day_arg("to") if request.args.get("to") else first + timedelta(days=365)
    try:
        body = calendar_views.ics(
            _ctx(), current_user.username, first, min(last, first + timedelta(days=800))
        )
    except RavandError as exc:
        return error_page(exc)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'attachment; filename="mayor-calendar.ics"'
    return response
