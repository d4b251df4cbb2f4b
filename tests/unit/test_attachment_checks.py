"""An upload is what its bytes are: the served name and type follow them, and Office files carry no
macros, no path out of the archive and no zip bomb."""

from __future__ import annotations

import io
import zipfile

import pytest

from engine.cases.attachments import (
    DOCX,
    JPEG,
    PDF,
    AttachmentStore,
    check_file,
    clean_filename,
    served_name,
)
from engine.errors import InvalidData

JPEG_THEN_HTML = b"\xff\xd8\xff\xe0" + b"<html><script>alert(document.cookie)</script></html>"


def office(*entries: tuple[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def store(tmp_path):
    return AttachmentStore(tmp_path, 10 * 1024 * 1024)


def test_the_name_and_type_follow_the_bytes(store):
    assert check_file(store, "x.html", JPEG_THEN_HTML) == JPEG
    assert served_name("x.html", JPEG) == "x.jpg"
    assert served_name("report.pdf.exe", PDF) == "report.pdf"
    assert served_name("photo.JPG", JPEG) == "photo.JPG"


@pytest.mark.parametrize(
    "name, clean",
    [
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("a\u200bb\u2066c\u2069.pdf", "abc.pdf"),
        ("\ufeffnote.pdf", "note.pdf"),
        ("نامه\u200cها.pdf", "نامه\u200cها.pdf"),  # the zero-width non-joiner is Persian spelling
        ("../../etc/passwd", "passwd"),
    ],
)
def test_invisible_and_reordering_characters_are_stripped(name, clean):
    assert clean_filename(name) == clean


def test_a_clean_office_file_passes(store):
    assert check_file(store, "letter.docx", office()) == DOCX


@pytest.mark.parametrize(
    "entries",
    [
        [("word/vbaProject.bin", b"macro")],
        [("../../evil.sh", b"#!/bin/sh")],
        [("word/../../evil.xml", b"<x/>")],
        [("/etc/cron.d/x", b"x")],
        [("word/media/bomb.bin", b"\0" * (210 * 1024 * 1024))],
    ],
    ids=["macro", "dotdot", "nested-dotdot", "absolute", "zip-bomb"],
)
def test_unsafe_office_files_are_refused(store, entries):
    with pytest.raises(InvalidData):
        check_file(store, "letter.docx", office(*entries))
