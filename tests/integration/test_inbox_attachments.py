"""Files on a task's page: listed with their size, uploader and Jalali date; uploaded; downloaded."""

from __future__ import annotations

import io
import re

import pytest

from tests.integration.support import LEAVE_CATALOG, client_of, text
from tests.integration.test_inbox_pages import new_case

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)


@pytest.fixture
def app(make_app):
    """The inbox pages' app (the leave process), with files of at most 1 MB kept under tmp_path."""
    return make_app(LEAVE_CATALOG, RAVAND_ATTACHMENT_MAX_MB=1)


def upload(client, task_id, content, name):
    return client.post(
        f"/inbox/tasks/{task_id}/attachments",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_a_pdf_is_uploaded_listed_and_downloaded(app):
    _, task_id = new_case(app)
    expert = client_of(app, "coord.expert")
    assert "هنوز فایلی پیوست نشده است" in text(expert.get(f"/inbox/tasks/{task_id}"))

    page = text(upload(expert, task_id, PDF, "صورتجلسه.pdf"))
    assert "فایل «صورتجلسه.pdf» پیوست شد" in page
    assert "هنوز فایلی پیوست نشده است" not in page
    assert "زهرا محمدی" in page and "۱ کیلوبایت" in page
    assert re.search(r"۱۴۰\d/[۰-۹]{2}/[۰-۹]{2}", page)  # the Jalali date
    (link,) = re.findall(r'href="(/api/v1/attachments/\d+)"', page)

    download = expert.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]


def test_refused_files_are_explained_in_persian(app, tmp_path):
    _, task_id = new_case(app)
    expert = client_of(app, "coord.expert")
    page = text(upload(expert, task_id, EXE, "report.pdf"))
    assert "فایل «report.pdf» از نوع PDF، PNG، JPEG، ورد، اکسل یا پاورپوینت نیست" in page
    page = text(upload(expert, task_id, PDF + bytes(1024 * 1024), "big.pdf"))
    assert "حجم فایل «big.pdf» بیش از ۱ مگابایت است" in page
    page = text(expert.post(f"/inbox/tasks/{task_id}/attachments", data={}, follow_redirects=True))
    assert "ابتدا فایلی انتخاب کنید" in page
    assert "هنوز فایلی پیوست نشده است" in page
    assert not [p for p in (tmp_path / "files").rglob("*") if p.is_file()]


def test_another_regions_manager_neither_sees_nor_adds_files(app):
    _, task_id = new_case(app)
    expert = client_of(app, "coord.expert")
    page = text(upload(expert, task_id, PDF, "minutes.pdf"))
    (link,) = re.findall(r'href="(/api/v1/attachments/\d+)"', page)
    outsider = client_of(app, "region05.manager")
    assert outsider.get(f"/inbox/tasks/{task_id}").status_code == 404
    response = outsider.post(
        f"/inbox/tasks/{task_id}/attachments",
        data={"file": (io.BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    assert outsider.get(link).status_code == 404
    assert "x.pdf" not in text(expert.get(f"/inbox/tasks/{task_id}"))
