"""The process catalog as the web layer reads it: ``RAVAND_CATALOG`` (a file or folder) or processes/."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from engine.definitions.catalog import PROCESSES_DIR, CatalogEntry, load_catalog

__all__ = ["CatalogEntry", "current_catalog", "public_entries"]


def current_catalog() -> dict[str, CatalogEntry]:
    configured = current_app.config.get("RAVAND_CATALOG")
    path = Path(configured) if configured else PROCESSES_DIR
    return load_catalog(path) if path.exists() else {}


def public_entries() -> list[CatalogEntry]:
    return [entry for entry in current_catalog().values() if entry.is_public]
