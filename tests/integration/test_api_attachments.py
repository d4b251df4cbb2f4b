"""Attachments through the API: checked by content, listed on the instance, served to those who may see it."""

from __future__ import annotations

import io

from tests.integration.support import token_for
from tests.integration.test_api_tasks import start_request

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(client, instance_id, headers, content, name="minutes.pdf"):
    return client.post(
        f"/api/v1/instances/{instance_id}/attachments",
        data={"file": (io.BytesIO(content), name), "field": "minutes"},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_a_pdf_is_stored_listed_and_served_to_those_who_may_see_the_instance(app, tmp_path):
    client, expert = app.test_client(), token_for(app, "coord.expert")
    instance_id = start_request(client, expert).get_json()["instance"]["id"]
    response = upload(client, instance_id, expert, PDF, name="../../صورتجلسه.pdf")
    assert response.status_code == 201, response.get_json()
    added = response.get_json()
    assert added["content_type"] == "application/pdf" and added["filename"] == "صورتجلسه.pdf"
    assert added["field"] == "minutes" and added["uploaded_by"] == "coord.expert"
    stored = list((tmp_path / "files").rglob("*"))
    assert [p.read_bytes() for p in stored if p.is_file()] == [PDF]

    listed = client.get(f"/api/v1/instances/{instance_id}/attachments", headers=expert).get_json()
    assert [a["id"] for a in listed] == [added["id"]]
    status = client.get(f"/api/v1/instances/{instance_id}", headers=expert).get_json()
    assert status["attachments"][0]["url"] == added["url"]

    download = client.get(added["url"], headers=expert)
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download.headers["Content-Disposition"]

    outsider = token_for(app, "region05.manager")
    assert client.get(added["url"], headers=outsider).status_code == 404
    assert client.get(f"/api/v1/instances/{instance_id}/attachments", headers=outsider).status_code == 404
    assert upload(client, instance_id, outsider, PDF).status_code == 404


def test_a_file_is_judged_by_its_content_not_its_name(app):
    client, expert = app.test_client(), token_for(app, "coord.expert")
    instance_id = start_request(client, expert).get_json()["instance"]["id"]
    response = upload(client, instance_id, expert, b"#!/bin/sh\nrm -rf /\n", name="report.pdf")
    assert response.status_code == 422 and response.get_json()["code"] == "invalid_data"
    assert "report.pdf" in response.get_json()["message"]
    missing = client.post(f"/api/v1/instances/{instance_id}/attachments", data={}, headers=expert)
    assert missing.status_code == 422 and "file" in missing.get_json()["fields"]


def test_a_file_over_the_configured_size_is_refused(make_app, tmp_path):
    app = make_app(RAVAND_ATTACHMENT_MAX_MB=0.001)
    client, expert = app.test_client(), token_for(app, "coord.expert")
    instance_id = start_request(client, expert).get_json()["instance"]["id"]
    response = upload(client, instance_id, expert, PDF + b"0" * 2000)
    assert response.status_code == 422 and "مگابایت" in response.get_json()["message"]
    assert not [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
