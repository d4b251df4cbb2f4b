"""A public request starts its case and stores its files in one go: never a case without its files."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.cases.attachments import AttachmentStore, start_with_files
from engine.errors import InvalidData
from engine.models import Attachment, ProcessInstance

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _count(ctx, model) -> int:
    with ctx.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_case_and_its_files_are_saved_together(ctx, approval, tmp_path):
    store = AttachmentStore(tmp_path / "files", 1024 * 1024)
    instance = start_with_files(
        ctx, store, "approval", {}, [("letter", "نامه.pdf", PDF)], unit="region-01", public=True
    )
    assert instance.tracking_code and _count(ctx, Attachment) == 1
    assert len(list((tmp_path / "files").rglob("*"))) >= 1


def test_a_refused_file_or_a_failing_store_leaves_no_case(ctx, approval, tmp_path):
    store = AttachmentStore(tmp_path / "files", 1024 * 1024)
    with pytest.raises(InvalidData):
        start_with_files(
            ctx, store, "approval", {}, [("letter", "x.pdf", b"MZ\x90\x00 not a pdf")], public=True
        )
    (tmp_path / "blocked").write_text("a file where the store wants a folder")
    broken = AttachmentStore(tmp_path / "blocked", 1024 * 1024)
    with pytest.raises(OSError):
        start_with_files(ctx, broken, "approval", {}, [("letter", "a.pdf", PDF)], public=True)
    assert _count(ctx, ProcessInstance) == 0 and _count(ctx, Attachment) == 0
