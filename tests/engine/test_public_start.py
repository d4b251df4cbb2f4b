"""A public request starts its case and stores its files in one go: never a case without its files."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.cases.attachments import AttachmentStore
from engine.cases.start import StartRequest, start_process
from engine.context import Context
from engine.definitions.deployment import deploy
from engine.errors import InvalidData
from engine.models import Attachment, ProcessInstance, Role
from tests.conftest import FIXTURES, bundle_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _count(ctx, model) -> int:
    with ctx.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


GOOD = {
    "full_name": "مریم رضایی",
    "phone": "09121234567",
    "topic": "urban",
    "description": "چراغ کوچه خاموش است.",
}


@pytest.fixture
def public(ctx):
    """A context whose catalog opens ``public_request`` to the public, with the process deployed."""
    public = Context(ctx.db, catalog_path=FIXTURES / "public_request" / "catalog.yaml")
    with public.db.transaction() as session:
        session.add(Role(code="coord_expert", name_fa="کارشناس هماهنگی", name_en="Expert", per_unit=False))
    deploy(public, bundle_of("public_request"))
    return public


def _request(files) -> StartRequest:
    return StartRequest("public_request", GOOD, files=tuple(files), public=True)


def test_the_case_and_its_files_are_saved_together(public, tmp_path):
    store = AttachmentStore(tmp_path / "files", 1024 * 1024)
    started = start_process(public, _request([("letter", "نامه.pdf", PDF)]), store)
    assert started.tracking_code and _count(public, Attachment) == 1
    assert len(list((tmp_path / "files").rglob("*"))) >= 1


def test_a_refused_file_or_a_failing_store_leaves_no_case(public, tmp_path):
    store = AttachmentStore(tmp_path / "files", 1024 * 1024)
    with pytest.raises(InvalidData) as refused:
        start_process(public, _request([("letter", "x.pdf", b"MZ\x90\x00 not a pdf")]), store)
    assert set(refused.value.field_errors) == {"letter"}
    (tmp_path / "blocked").write_text("a file where the store wants a folder")
    broken = AttachmentStore(tmp_path / "blocked", 1024 * 1024)
    with pytest.raises(OSError):
        start_process(public, _request([("letter", "a.pdf", PDF)]), broken)
    assert _count(public, ProcessInstance) == 0 and _count(public, Attachment) == 0


def test_a_bad_file_and_bad_fields_are_reported_together(public, tmp_path):
    store = AttachmentStore(tmp_path / "files", 1024 * 1024)
    request = StartRequest(
        "public_request", {**GOOD, "phone": ""}, files=(("letter", "x.pdf", b"not a pdf"),), public=True
    )
    with pytest.raises(InvalidData) as refused:
        start_process(public, request, store)
    assert set(refused.value.field_errors) == {"letter", "phone"}
    assert _count(public, ProcessInstance) == 0
