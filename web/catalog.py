"""The process catalog as the web layer reads it: the engine context's (``RAVAND_CATALOG`` or processes/)."""

from __future__ import annotations

from flask import current_app

from engine.definitions.catalog import CatalogEntry

__all__ = ["CatalogEntry", "current_catalog", "public_entries"]


def current_catalog() -> dict[str, CatalogEntry]:
    return current_app.extensions["ravand"].catalog


def public_entries() -> list[CatalogEntry]:
    return [entry for entry in current_catalog().values() if entry.is_public]
