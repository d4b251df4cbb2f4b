"""CSV and Excel files of tables, for every export of the web: no cell is ever a live formula.

Citizens' and respondents' text reaches these files (a request's title, a poll answer). A spreadsheet
reads a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one)
as a formula, so such text is written with a leading apostrophe, as OWASP advises for CSV injection;
numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    """The value as a cell that a spreadsheet shows and never evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the Persian text as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([inert(v) for v in header])
    writer.writerows([inert(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(
    header: Sequence, rows: Iterable[Sequence], title: str, rtl: bool, widths: Sequence[int] = ()
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.sheet_view.rightToLeft = rtl
    sheet.append([inert(v) for v in header])
    for item in sheet[1]:
        item.font = Font(bold=True)
    for row in rows:
        sheet.append([inert(v) for v in row])
    for index, width in enumerate(widths):
        sheet.column_dimensions[sheet.cell(row=1, column=index + 1).column_letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
