"""The instance list as CSV or Excel: headers in the page's language, Jalali dates, newest first."""

from __future__ import annotations

from flask import Response
from flask_babel import get_locale
from flask_babel import gettext as _

from engine.calendar.jalali import to_jalali_str
from web.monitor.labels import STATUSES
from web.spreadsheets import XLSX_MIMETYPE, csv_bytes, xlsx_bytes


def columns() -> list[tuple[str, str]]:
    return [
        ("id", _("Number")),
        ("process_name", _("Process")),
        ("version", _("Version")),
        ("title", _("Title")),
        ("business_key", _("Business key")),
        ("tracking_code", _("Tracking code")),
        ("status", _("Status")),
        ("unit", _("Unit")),
        ("started_by", _("Started by")),
        ("started_at", _("Started")),
        ("ended_at", _("Ended")),
        ("open_tasks", _("Open tasks")),
        ("overdue", _("Overdue")),
    ]


def cell(row: dict, key: str):
    value = row[key]
    if key in ("started_at", "ended_at"):
        return to_jalali_str(value, with_time=True, persian_digits=False) if value else ""
    if key == "status":
        return str(STATUSES.get(value, value))
    if key == "overdue":
        return _("Yes") if value else _("No")
    return "" if value is None else value


def export_response(rows: list[dict], fmt: str) -> Response:
    header = [label for _key, label in columns()]
    table = [[cell(row, key) for key, _label in columns()] for row in rows]
    if fmt == "csv":
        return _attachment(csv_bytes(header, table), "text/csv; charset=utf-8", "csv")
    widths = (8, 30, 7, 36, 18, 14, 14, 18, 16, 18, 18, 10, 10)
    book = xlsx_bytes(header, table, _("Instances"), str(get_locale()) == "fa", widths)
    return _attachment(book, XLSX_MIMETYPE, "xlsx")


def _attachment(body: bytes, mimetype: str, suffix: str) -> Response:
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename=instances.{suffix}"}
    )
