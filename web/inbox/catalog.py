"""The process catalog as the start page and the inbox need it: names, departments, who may start what,
with which start form. The catalog is ``processes/catalog.yaml`` and/or one ``catalog.yaml`` per
department folder (``processes/coord/catalog.yaml`` ...): lists of entries with ``key``, ``department``,
``name_fa``, ``name_en``, ``starters`` (role codes, or ``public``) and ``start_form``.
``RAVAND_CATALOG`` names another file or folder. Without any catalog every deployed process is offered
to every user."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask import current_app

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "public"
_cache: dict[tuple, dict] = {}


@dataclass
class CatalogEntry:
    key: str
    department: str | None = None
    name_fa: str | None = None
    name_en: str | None = None
    starters: list[str] = field(default_factory=list)
    start_form: str | None = None

    def startable_by(self, role_codes: set[str], is_admin: bool) -> bool:
        staff = [s for s in self.starters if s != PUBLIC]
        return bool(staff) and (is_admin or bool(role_codes.intersection(staff)) or "*" in staff)


def catalog_files() -> list[Path]:
    configured = current_app.config.get("RAVAND_CATALOG")
    path = Path(configured) if configured else ROOT / "processes"
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(path.glob("catalog.yaml")) + sorted(path.glob("*/catalog.yaml"))
    return []


def load_catalog() -> dict[str, CatalogEntry] | None:
    """The catalog's entries by process key (read again when a file changes), or None without a catalog."""
    files = catalog_files()
    if not files:
        return None
    stamp = tuple((str(f), f.stat().st_mtime) for f in files)
    if stamp not in _cache:
        entries: dict[str, CatalogEntry] = {}
        for file in files:
            for item in yaml.safe_load(file.read_text(encoding="utf-8")) or []:
                entry = CatalogEntry(
                    key=str(item["key"]),
                    department=item.get("department"),
                    name_fa=item.get("name_fa"),
                    name_en=item.get("name_en"),
                    starters=[str(s) for s in item.get("starters") or []],
                    start_form=item.get("start_form"),
                )
                entries[entry.key] = entry
        _cache.clear()
        _cache[stamp] = entries
    return _cache[stamp]
