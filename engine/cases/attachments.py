"""Files attached to an instance: policies, minutes, NGO documents, event plans.

A file is accepted by what its bytes are, never by its name: PDF, PNG, JPEG and the Office OOXML
formats (Word, Excel, PowerPoint), up to a configured size. The bytes are stored under a random name
in a folder outside the web root (``instance/attachments`` or ``RAVAND_ATTACHMENTS_DIR``); the table
keeps the original name, the detected type and a SHA-256. Only people who may see the instance may
read its files.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.errors import N_, InvalidData, NotFound
from engine.models import Attachment, HumanTask, ProcessInstance
from engine.org.access import load_viewer, visible_instance

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
MAX_UNPACKED = 200 * 1024 * 1024  # what an Office file may unpack to
# Bidi embeddings, overrides and isolates, zero-width space and joiner, word joiner, BOM (not ZWNJ).
INVISIBLE = re.compile("[\u200b\u200d\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", DOCX: ".docx", XLSX: ".xlsx", PPTX: ".pptx"}
DEFAULT_MAX_MB = 10


@dataclass(frozen=True)
class AttachmentStore:
    """Where attachments are kept and how large one may be."""

    directory: Path
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024

    @classmethod
    def from_env(cls, default_directory: Path | None = None) -> AttachmentStore:
        """``RAVAND_ATTACHMENTS_DIR``, ``RAVAND_ATTACHMENT_MAX_MB``; else ``instance/attachments``, 10 MB."""
        directory = (
            os.environ.get("RAVAND_ATTACHMENTS_DIR") or default_directory or Path("instance") / "attachments"
        )
        megabytes = float(os.environ.get("RAVAND_ATTACHMENT_MAX_MB") or DEFAULT_MAX_MB)
        return cls(Path(directory).resolve(), int(megabytes * 1024 * 1024))

    def path(self, storage_name: str) -> Path:
        return self.directory / storage_name[:2] / storage_name


def detect_content_type(content: bytes) -> str | None:
    """The type the bytes really are, among the accepted ones; None for anything else."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _ooxml_type(content)
    return None


def _ooxml_type(content: bytes) -> str | None:
    """Word, Excel or PowerPoint without macros, with no entry outside the archive and no zip bomb."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return None
    names = [entry.filename for entry in entries]
    if "[Content_Types].xml" not in names:
        return None
    if any(_unsafe_entry(name) for name in names):
        return None
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED:
        return None
    for prefix, content_type in OOXML_PARTS.items():
        if any(name.startswith(prefix) for name in names):
            return content_type
    return None


def _unsafe_entry(name: str) -> bool:
    """A macro project, or a path that climbs out of the archive or starts at its root."""
    parts = name.replace("\\", "/").split("/")
    return name.lower().endswith("vbaproject.bin") or ".." in parts or name.startswith("/")


def clean_filename(filename: str) -> str:
    """The last path component, without control characters, bidi overrides or invisible characters
    (the zero-width non-joiner stays: Persian words need it), at most 200 characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "", name)
    name = INVISIBLE.sub("", name).strip(" .")
    return name[-200:] or "file"


def served_name(filename: str, content_type: str) -> str:
    """The cleaned name with the extension of what the bytes are, whatever the uploader called it."""
    stem = clean_filename(filename)
    known = EXTENSIONS[content_type]
    if stem.lower().endswith(known):
        return stem
    stem = (stem.rsplit(".", 1)[0] if "." in stem else stem) or "file"
    return stem if stem.lower().endswith(known) else stem + known


def check_file(store: AttachmentStore, filename: str, content: bytes) -> str:
    """The detected content type, or InvalidData when the file is too large or of a refused kind."""
    name = clean_filename(filename)
    if len(content) > store.max_bytes:
        raise InvalidData(
            N_("The file '{name}' is larger than {mb} MB."),
            name=name,
            mb=round(store.max_bytes / 1024 / 1024, 1),
        )
    content_type = detect_content_type(content)
    if content_type is None:
        raise InvalidData(
            N_("The file '{name}' is not a PDF, PNG, JPEG, Word, Excel or PowerPoint file."),
            name=name,
        )
    return content_type


def add(
    ctx: Context,
    store: AttachmentStore,
    instance_id: int,
    filename: str,
    content: bytes,
    user: str | None = None,
    task_id: str | None = None,
    field: str | None = None,
) -> dict:
    """Check a file, store its bytes and record it on the instance.

    With ``user``, the user must be allowed to see the instance; without, the caller has decided
    (a citizen's public form, the engine itself).
    """
    content_type = check_file(store, filename, content)
    storage_name, path = _write(store, content)
    try:
        with ctx.db.transaction() as session:
            if user is not None:
                visible_instance(session, load_viewer(ctx, session, user, ctx.clock.now()), instance_id)
            else:
                _instance(session, instance_id)
            _ensure_task_of(session, task_id, instance_id)
            attachment = _record(
                instance_id,
                filename,
                content,
                content_type,
                storage_name,
                user,
                task_id,
                field,
                ctx.clock.now(),
            )
            session.add(attachment)
            session.flush()
            return attachment_dict(attachment)
    except Exception:
        path.unlink(missing_ok=True)
        raise


def attach_in_session(
    session: Session,
    store: AttachmentStore,
    instance_id: int,
    files: list[tuple[str, str, bytes, str]],
    user: str | None,
    at: datetime,
) -> list[Path]:
    """Store checked ``(field, file name, content, content type)`` files and record them on the
    instance in the caller's transaction; returns the paths written (for the caller to remove if the
    transaction fails)."""
    written = []
    for field, name, content, content_type in files:
        storage_name, path = _write(store, content)
        written.append(path)
        session.add(_record(instance_id, name, content, content_type, storage_name, user, None, field, at))
    return written


def _write(store: AttachmentStore, content: bytes) -> tuple[str, Path]:
    storage_name = uuid.uuid4().hex
    path = store.path(storage_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return storage_name, path


def _record(
    instance_id: int,
    filename: str,
    content: bytes,
    content_type: str,
    storage_name: str,
    user: str | None,
    task_id: str | None,
    field: str | None,
    uploaded_at: datetime,
) -> Attachment:
    return Attachment(
        instance_id=instance_id,
        task_id=task_id,
        field=field,
        filename=served_name(filename, content_type),
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_name=storage_name,
        uploaded_by=user,
        uploaded_at=uploaded_at,
    )


def list_for_instance(ctx: Context, instance_id: int, user: str | None = None) -> list[dict]:
    """The files of an instance, oldest first."""
    with ctx.db.read() as session:
        if user is not None:
            visible_instance(session, load_viewer(ctx, session, user, ctx.clock.now()), instance_id)
        else:
            _instance(session, instance_id)
        rows = session.scalars(
            select(Attachment).where(Attachment.instance_id == instance_id).order_by(Attachment.id)
        )
        return [attachment_dict(a) for a in rows]


def open_for(ctx: Context, store: AttachmentStore, attachment_id: int, user: str) -> tuple[dict, Path]:
    """An attachment's record and the path of its bytes, for a user who may see its instance."""
    with ctx.db.read() as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None:
            raise NotFound(N_("Attachment {id} does not exist."), id=attachment_id)
        viewer = load_viewer(ctx, session, user, ctx.clock.now())
        if not viewer.may_see_instance(session, _instance(session, attachment.instance_id)):
            # Not 403: whether a file exists is itself none of their business.
            raise NotFound(N_("Attachment {id} does not exist."), id=attachment_id)
        return attachment_dict(attachment), store.path(attachment.storage_name)


def _ensure_task_of(session: Session, task_id: str | None, instance_id: int) -> None:
    """A file named after a task belongs to that task's own case: never to another one (whose task the
    uploader may not even see)."""
    if task_id is not None and session.scalar(
        select(HumanTask.instance_id).where(HumanTask.id == task_id)
    ) != (instance_id):
        raise InvalidData(
            N_("The task is not one of this case's steps."),
            field_errors={"task_id": N_("Not a step of this case.")},
        )


def _instance(session: Session, instance_id: int) -> ProcessInstance:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(N_("Process instance {id} does not exist."), id=instance_id)
    return instance


def attachment_dict(attachment: Attachment) -> dict:
    return {
        "id": attachment.id,
        "instance_id": attachment.instance_id,
        "task_id": attachment.task_id,
        "field": attachment.field,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_by": attachment.uploaded_by,
        "uploaded_at": attachment.uploaded_at.isoformat(),
    }
