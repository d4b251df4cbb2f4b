"""The NGO's door: missing documents are asked for by SMS and sent back, with files, from the link."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from engine.cases.attachments import AttachmentStore
from engine.cases.doors import answer_door
from engine.cases.public_status import public_status
from engine.cases.show import show
from engine.errors import InvalidData
from engine.models import Attachment
from engine.notify.fake_gateway import FakeGateway
from engine.runtime import starting
from engine.runtime.jobs import run_due_jobs
from tests.processes.conftest import complete_named, task_named
from tests.processes.test_ngo_partnership import APPLICATION
from tests.unit.test_mail import smtp  # noqa: F401 (the fixture)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def ngo(catalog):
    catalog.deploy("ngo_partnership")
    return catalog.context


def test_missing_documents_come_back_through_the_door_with_their_files(ngo, monkeypatch, tmp_path):
    gateway = FakeGateway(key="k").start()
    monkeypatch.setenv("RAVAND_SMS_SENDER", "kavenegar")
    monkeypatch.setenv("RAVAND_SMS_API_KEY", "k")
    monkeypatch.setenv("RAVAND_SMS_URL", gateway.url)
    try:
        iid = starting.start(ngo, "ngo_partnership", dict(APPLICATION), public=True).id
        code = show(ngo, iid)["tracking_code"]
        incomplete = {"documents_complete": "no", "missing_documents": "اساسنامه"}
        complete_named(ngo, iid, "check_documents", incomplete, "social.expert")
        status = public_status(ngo, code)
        assert status.door == "ngo_documents_upload.json"
        assert status.facts[0].value_fa.endswith("اساسنامه")
        run_due_jobs(ngo)
        (sms,) = gateway.messages
        assert sms["receptor"] == "09121234567" and "مدارک" in sms["message"]
        token = re.search(r"/public/door/\d{10}/(\S+)", sms["message"]).group(1)
    finally:
        gateway.shutdown()
        gateway.server_close()

    store = AttachmentStore(tmp_path / "files")
    with pytest.raises(InvalidData) as bad:
        answer_door(
            ngo, code, token, {"documents_note": "اساسنامه"}, (("document_files", "x.exe", b"MZ"),), store
        )
    assert "document_files" in bad.value.field_errors
    answer_door(
        ngo, code, token, {"documents_note": "اساسنامه"}, (("document_files", "statute.pdf", PDF),), store
    )
    assert show(ngo, iid)["data"]["ngo_resubmission"]["documents_note"] == "اساسنامه"
    assert task_named(ngo, iid, "check_documents")
    with ngo.db.read() as session:
        assert [
            a.filename for a in session.scalars(select(Attachment).where(Attachment.instance_id == iid))
        ] == ["statute.pdf"]


def test_the_door_link_also_goes_by_email_when_the_ngo_gave_an_address(ngo, smtp):  # noqa: F811
    """An e-mail door: the same link and tracking code as the SMS, through the job queue, over SMTP."""
    mailbox = smtp()
    application = dict(APPLICATION, contact_email="info@ngo.example")
    iid = starting.start(ngo, "ngo_partnership", application, public=True).id
    code = show(ngo, iid)["tracking_code"]
    incomplete = {"documents_complete": "no", "missing_documents": "اساسنامه"}
    complete_named(ngo, iid, "check_documents", incomplete, "social.expert")
    assert mailbox.messages == []  # queued with the step, sent by the job runner
    run_due_jobs(ngo)
    (mail,) = mailbox.messages
    assert mail.rcpt_tos == ["info@ngo.example"]
    body = message_from_bytes(mail.content, policy=policy.default).get_content()
    token = re.search(r"/public/door/(\d{10})/([A-Za-z0-9_\-]+)", body)
    assert token is not None and token.group(1) == code
    assert public_status(ngo, code).door == "ngo_documents_upload.json"
