"""What the departments' tool pages share: the engine's errors as a page, Jalali month names, and
HTML rendered to a PDF (WeasyPrint, with the Vazirmatn TTF the front-end build copies)."""

from __future__ import annotations

from pathlib import Path

from flask import Response, render_template
from flask_babel import lazy_gettext as _l

from engine.errors import RavandError
from web.i18n import error_text

STATIC = Path(__file__).resolve().parent / "static"
MONTHS = [
    _l("Farvardin"),
    _l("Ordibehesht"),
    _l("Khordad"),
    _l("Tir"),
    _l("Mordad"),
    _l("Shahrivar"),
    _l("Mehr"),
    _l("Aban"),
    _l("Azar"),
    _l("Dey"),
    _l("Bahman"),
    _l("Esfand"),
]
WEEKDAYS = [
    _l("Saturday"),
    _l("Sunday"),
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
]


def error_page(exc: RavandError):
    """An engine error as a page, in the reader's language, with its HTTP status."""
    return render_template(
        "auth/error.html", status=exc.http_status, message=error_text(exc)
    ), exc.http_status


def pdf_response(html: str, filename: str) -> Response:
    """The HTML of a printable page as a PDF download; its fonts and styles come from ``web/static``."""
    from weasyprint import HTML  # Pango is loaded only when someone prints

    pdf = HTML(string=html, base_url=str(STATIC) + "/").write_pdf()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
