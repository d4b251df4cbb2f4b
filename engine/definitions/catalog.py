"""The process catalog (``processes/catalog.yaml``): which process serves which duty, who may start it.

One entry per process: ``key``, ``department``, ``duties`` (codes from the PR Deputy's duty list),
``name_fa``/``name_en``, ``description_fa``, ``starters`` (role codes, or ``public`` for citizens,
NGOs and inviting bodies), ``start_form``, ``forms``, ``calls`` and ``messages``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from engine.resources import resource_dir

PROCESSES_DIR = resource_dir("processes")
CATALOG_PATH = PROCESSES_DIR / "catalog.yaml"

DEPARTMENTS = {
    "coord": ("اداره هماهنگی امور مناطق، معاونت‌ها، سازمان‌ها و شرکت‌ها", "Coordination of Regions and Units"),
    "social": ("اداره ارتباطات اجتماعی", "Social Communications"),
    "opinion": ("اداره ارتباطات و افکار عمومی", "Communications and Public Opinion"),
    "protocol": ("اداره تشریفات", "Protocol"),
    "crisis": ("مدیریت ارتباطات بحران", "Crisis Communication"),
}
DUTIES = (
    *(f"COORD-{n}" for n in range(1, 6)),
    *(f"SOCIAL-{n}" for n in range(1, 5)),
    *(f"OPINION-{n}" for n in range(1, 5)),
    *(f"PROTOCOL-{n}" for n in range(1, 6)),
    "PR-CRISIS",
)
PUBLIC = "public"


@dataclass(frozen=True)
class CatalogEntry:
    key: str
    department: str = ""
    duties: tuple[str, ...] = ()
    name_fa: str = ""
    name_en: str = ""
    description_fa: str = ""
    starters: tuple[str, ...] = ()
    start_form: str | None = None
    forms: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    messages: tuple[str, ...] = field(default=())
    doors: tuple[dict, ...] = ()
    public_fields: tuple[dict, ...] = ()
    walk_in: tuple[str, ...] = ()

    @property
    def is_public(self) -> bool:
        return PUBLIC in self.starters

    def name(self, locale: str) -> str:
        return (self.name_en if locale == "en" else self.name_fa) or self.name_fa or self.key

    def door(self, element_id: str) -> dict | None:
        """The door of this waiting element, if the catalog opens one."""
        return next((d for d in self.doors if d.get("element") == element_id), None)

    def may_start(self, role_codes: set[str], is_admin: bool = False) -> bool:
        """Staff may start it from the start page: holders of a starter role, and administrators."""
        staff = set(self.starters) - {PUBLIC}
        return bool(staff) and (is_admin or "*" in staff or bool(role_codes & staff))


def load_catalog(path: Path = PROCESSES_DIR) -> dict[str, CatalogEntry]:
    """The entries by process key, from a catalog file, or a folder's ``catalog.yaml`` (else the
    ``catalog.yaml`` of its sub-folders). Read again whenever one of those files changes."""
    if path.is_file():
        files = [path]
    elif (path / "catalog.yaml").is_file():
        files = [path / "catalog.yaml"]
    else:
        files = sorted(path.glob("*/catalog.yaml"))
    return _read(tuple((f, f.stat().st_mtime_ns) for f in files))


@lru_cache(maxsize=16)
def _read(files: tuple[tuple[Path, int], ...]) -> dict[str, CatalogEntry]:
    entries = {}
    for path, _mtime in files:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for item in content.get("processes", []) if isinstance(content, dict) else content:
            entries[str(item["key"])] = _entry(item)
    return entries


def _entry(item: dict) -> CatalogEntry:
    return CatalogEntry(
        key=str(item["key"]),
        department=str(item.get("department") or "").removeprefix("dept_"),
        duties=tuple(item.get("duties") or ()),
        name_fa=str(item.get("name_fa") or ""),
        name_en=str(item.get("name_en") or ""),
        description_fa=str(item.get("description_fa") or ""),
        starters=tuple(str(s) for s in item.get("starters") or ()),
        start_form=item.get("start_form") or None,
        forms=tuple(item.get("forms") or ()),
        calls=tuple(item.get("calls") or ()),
        messages=tuple(item.get("messages") or ()),
        doors=tuple(dict(d) for d in item.get("doors") or ()),
        public_fields=tuple(dict(f) for f in item.get("public_fields") or ()),
        walk_in=tuple(str(r) for r in item.get("walk_in") or ()),
    )


def uncovered_duties(entries: dict[str, CatalogEntry]) -> list[str]:
    covered = {duty for entry in entries.values() for duty in entry.duties}
    return [duty for duty in DUTIES if duty not in covered]
