"""Opinion polls (افکارسنجی): the public questionnaire anyone with the link answers, and the staff's live
results with their charts, QR code and CSV/Excel export, and closing a poll early."""

from __future__ import annotations

import io
from datetime import datetime

import segno
from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import RavandError
from engine.polls import answers, results
from web.documents import error_page
from web.i18n import error_text, field_texts, localized_number
from web.spreadsheets import XLSX_MIMETYPE, csv_bytes, xlsx_bytes

bp = Blueprint("polls", __name__, url_prefix="/polls")
bp.add_app_template_filter(localized_number, "number")


def _ctx():
    return current_app.extensions["ravand"]


def _with_times(poll: dict) -> dict:
    """The poll's moments as datetimes, for the pages' Jalali dates."""
    keys = ("opened_at", "closes_at", "closed_at")
    return poll | {k: datetime.fromisoformat(poll[k]) for k in keys if poll.get(k)}


@bp.route("/<code>", methods=["GET", "POST"])
def questionnaire(code: str):
    """The public questionnaire: no login; one answer per mobile number."""
    try:
        poll = _with_times(answers.questionnaire(_ctx(), code))
    except RavandError as exc:
        return error_page(exc)
    given, errors, message = {}, {}, None
    if request.method == "POST":
        given = {q["id"]: request.form.get(q["id"], "") for q in poll["questions"]}
        given["phone"] = request.form.get("phone", "")
        try:
            answers.answer(_ctx(), code, given["phone"], given)
        except RavandError as exc:
            errors, message = field_texts(exc), error_text(exc)
            status = exc.http_status
        else:
            return redirect(url_for("polls.thanks", code=code))
        return render_template(
            "polls/questionnaire.html", poll=poll, given=given, errors=errors, message=message
        ), status
    return render_template("polls/questionnaire.html", poll=poll, given=given, errors=errors, message=message)


@bp.get("/<code>/thanks")
def thanks(code: str):
    try:
        poll = answers.questionnaire(_ctx(), code)
    except RavandError as exc:
        return error_page(exc)
    return render_template("polls/thanks.html", poll=poll)


def _public_url(code: str) -> str:
    return url_for("polls.questionnaire", code=code, _external=True)


@bp.get("/<code>/results")
@login_required
def results_page(code: str):
    try:
        shown = _with_times(results.results(_ctx(), current_user.username, code))
    except RavandError as exc:
        return error_page(exc)
    link = _public_url(code)
    qr = segno.make(link, error="m").svg_inline(scale=4, dark="#0d3b66", title=_("Questionnaire link"))
    return render_template("polls/results.html", poll=shown, link=link, qr=qr)


@bp.get("/<code>/results.json")
@login_required
def results_json(code: str):
    try:
        return results.results(_ctx(), current_user.username, code)
    except RavandError as exc:
        return {"code": exc.code, "message": error_text(exc)}, exc.http_status


@bp.get("/<code>/qr.svg")
@login_required
def qr_svg(code: str):
    """The questionnaire's link as a QR code to print on posters and cards."""
    try:
        results.results(_ctx(), current_user.username, code)
    except RavandError as exc:
        return error_page(exc)
    out = io.BytesIO()
    segno.make(_public_url(code), error="m").save(out, kind="svg", scale=10, dark="#0d3b66")
    return Response(out.getvalue(), mimetype="image/svg+xml")


def _table(code: str):
    header, rows = results.export_table(_ctx(), current_user.username, code)
    return [_("Answered at"), *header[1:]], rows


@bp.get("/<code>/answers.csv")
@login_required
def export_csv(code: str):
    try:
        header, rows = _table(code)
    except RavandError as exc:
        return error_page(exc)
    response = Response(csv_bytes(header, rows), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="poll-{code}.csv"'
    return response


@bp.get("/<code>/answers.xlsx")
@login_required
def export_xlsx(code: str):
    try:
        header, rows = _table(code)
    except RavandError as exc:
        return error_page(exc)
    response = Response(xlsx_bytes(header, rows, _("Answers"), rtl=True), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="poll-{code}.xlsx"'
    return response


@bp.post("/<code>/close")
@login_required
def close(code: str):
    try:
        results.close(_ctx(), code, current_user.username)
    except RavandError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("The poll is closed; its case goes on to the analysis."), "success")
    return redirect(url_for("polls.results_page", code=code))
