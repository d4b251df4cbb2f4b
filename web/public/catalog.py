"""The process catalog as the web layer reads it: which processes exist, who may start them, their start form.

Read from the file the app config names (``RAVAND_CATALOG``), else from ``processes/catalog.yaml`` when
it exists, else from the departments' fragments ``processes/<department>/catalog.yaml``; re-read
whenever one of those files changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask import current_app

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "public"


@dataclass(frozen=True)
class CatalogEntry:
    key: str
    department: str
    name_fa: str
    name_en: str
    description_fa: str = ""
    duties: tuple[str, ...] = ()
    starters: tuple[str, ...] = ()
    start_form: str | None = None
    forms: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_public(self) -> bool:
        return PUBLIC in self.starters

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_fa

    def may_start(self, role_codes: set[str], is_admin: bool = False) -> bool:
        """Staff with one of the starter roles (administrators always)."""
        return is_admin or bool(role_codes.intersection(self.starters))

    @classmethod
    def from_yaml(cls, item: dict) -> CatalogEntry:
        return cls(
            key=str(item["key"]),
            department=str(item.get("department") or ""),
            name_fa=str(item.get("name_fa") or item["key"]),
            name_en=str(item.get("name_en") or item["key"]),
            description_fa=str(item.get("description_fa") or ""),
            duties=tuple(item.get("duties") or ()),
            starters=tuple(str(s) for s in item.get("starters") or ()),
            start_form=item.get("start_form") or None,
            forms=tuple(item.get("forms") or ()),
        )


def catalog_files(root: Path) -> list[Path]:
    merged = root / "catalog.yaml"
    return [merged] if merged.exists() else sorted(root.glob("*/catalog.yaml"))


def read_catalog(files: list[Path]) -> dict[str, CatalogEntry]:
    entries: dict[str, CatalogEntry] = {}
    for path in (f for f in files if f.exists()):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        items = content.get("processes", []) if isinstance(content, dict) else content
        for item in (i for i in items if isinstance(i, dict) and i.get("key")):
            entry = CatalogEntry.from_yaml(item)
            entries[entry.key] = entry
    return entries


class Catalog:
    """The catalog in one file, or under one folder; cached until a catalog file changes."""

    def __init__(self, root: Path, file: Path | None = None) -> None:
        self.root, self.file = root, file
        self._lock = threading.Lock()
        self._stamp: tuple = ()
        self._entries: dict[str, CatalogEntry] = {}

    def entries(self) -> dict[str, CatalogEntry]:
        files = [self.file] if self.file is not None else catalog_files(self.root)
        stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files if p.exists())
        with self._lock:
            if stamp != self._stamp:
                self._entries, self._stamp = read_catalog(files), stamp
            return self._entries

    def get(self, key: str) -> CatalogEntry | None:
        return self.entries().get(key)

    def public(self) -> list[CatalogEntry]:
        return [e for e in self.entries().values() if e.is_public]


def current_catalog() -> Catalog:
    """The app's catalog: the ``RAVAND_CATALOG`` file if configured, else the repository's processes/."""
    catalog = current_app.extensions.get("ravand_catalog")
    if catalog is None:
        configured = current_app.config.get("RAVAND_CATALOG")
        catalog = Catalog(ROOT / "processes", Path(configured) if configured else None)
        current_app.extensions["ravand_catalog"] = catalog
    return catalog
