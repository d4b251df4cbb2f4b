"""Attachments: judged by their bytes, stored outside the web root, shown to who may see the instance."""

from __future__ import annotations

import io
import zipfile

import pytest

from engine.cases import attachments
from engine.cases.attachments import AttachmentStore, check_file, clean_filename, detect_content_type
from engine.errors import InvalidData, NotFound
from engine.runtime.starting import start

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20


def office(part: str, content_types: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<xml/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, attachments.PDF),
        (PNG, attachments.PNG),
        (JPEG, attachments.JPEG),
        (office("word/document.xml"), attachments.DOCX),
        (office("xl/workbook.xml"), attachments.XLSX),
        (office("ppt/presentation.xml"), attachments.PPTX),
        (office("word/document.xml", content_types=False), None),
        (office("scripts/run.sh"), None),
        (b"PK\x03\x04 not really a zip", None),
        (b"MZ\x90\x00 a Windows program", None),
        (b"<html><script>alert(1)</script></html>", None),
        (b"", None),
    ],
)
def test_the_type_comes_from_the_bytes(content, expected):
    assert detect_content_type(content) == expected


def test_file_names_lose_their_path_and_control_characters():
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("C:\\Users\\x\\نامه.pdf") == "نامه.pdf"
    assert clean_filename('a"b\x00<c>.pdf') == "abc.pdf"
    assert clean_filename("") == "file"


def test_a_refused_file_is_named_in_the_error(tmp_path):
    store = AttachmentStore(tmp_path, max_bytes=100)
    assert check_file(store, "a.pdf", PDF) == attachments.PDF
    with pytest.raises(InvalidData) as too_large:
        check_file(store, "big.pdf", PDF + b"0" * 100)
    assert too_large.value.params["name"] == "big.pdf"
    with pytest.raises(InvalidData) as wrong:
        check_file(store, "photo.jpg", b"GIF89a")
    assert "photo.jpg" in wrong.value.message


def test_the_store_is_configured_by_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RAVAND_ATTACHMENTS_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("RAVAND_ATTACHMENT_MAX_MB", "2")
    store = AttachmentStore.from_env()
    assert store.directory == (tmp_path / "elsewhere").resolve() and store.max_bytes == 2 * 1024 * 1024
    monkeypatch.delenv("RAVAND_ATTACHMENTS_DIR")
    assert AttachmentStore.from_env(tmp_path / "default").directory == (tmp_path / "default").resolve()


def test_files_are_served_only_to_people_who_may_see_the_instance(ctx, approval, tmp_path):
    store = AttachmentStore(tmp_path / "files")
    instance = start(ctx, "approval", user="alice", unit="region-01")
    added = attachments.add(ctx, store, instance.id, "policy.pdf", PDF, user="alice", field="policy")
    assert added["content_type"] == attachments.PDF and added["size"] == len(PDF)

    meta, path = attachments.open_for(ctx, store, added["id"], "bob")  # a candidate of its open task
    assert path.read_bytes() == PDF and path.is_relative_to(store.directory)
    assert meta["filename"] == "policy.pdf"
    assert attachments.open_for(ctx, store, added["id"], "root")[0]["id"] == added["id"]
    for outsider in ("dave", "carol"):  # another region's expert; a head with no task in it yet
        with pytest.raises(NotFound):
            attachments.open_for(ctx, store, added["id"], outsider)
    assert [a["id"] for a in attachments.list_for_instance(ctx, instance.id, user="bob")] == [added["id"]]


def test_nothing_stays_on_disk_when_the_record_cannot_be_saved(ctx, approval, tmp_path):
    store = AttachmentStore(tmp_path / "files")
    with pytest.raises(NotFound):
        attachments.add(ctx, store, 999, "a.pdf", PDF)
    assert not [p for p in store.directory.rglob("*") if p.is_file()]
