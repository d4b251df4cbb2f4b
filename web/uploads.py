"""Where uploaded files go and how large one may be, for every page and the API that take files."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from engine.cases.attachments import AttachmentStore


def attachment_store() -> AttachmentStore:
    """The app's attachment folder and size limit: app config, else the environment, else the defaults."""
    store = current_app.extensions.get("ravand_attachments")
    if store is None:
        base = AttachmentStore.from_env(Path(current_app.instance_path) / "attachments")
        directory = current_app.config.get("RAVAND_ATTACHMENTS_DIR") or base.directory
        megabytes = current_app.config.get("RAVAND_ATTACHMENT_MAX_MB")
        store = AttachmentStore(
            Path(directory).resolve(), int(megabytes * 1024 * 1024) if megabytes else base.max_bytes
        )
        current_app.extensions["ravand_attachments"] = store
    return store
