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

CATALOG_PATH = Path(__file__).resolve().parent.parent / "processes" / "catalog.yaml"

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
    department: str
    duties: tuple[str, ...]
    name_fa: str
    name_en: str
    description_fa: str = ""
    starters: tuple[str, ...] = ()
    start_form: str | None = None
    forms: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    messages: tuple[str, ...] = field(default=())

    @property
    def is_public(self) -> bool:
        return PUBLIC in self.starters

    def may_start(self, role_codes: set[str]) -> bool:
        return bool(role_codes.intersection(self.starters))


def load_catalog(path: Path = CATALOG_PATH) -> dict[str, CatalogEntry]:
    """The catalog's entries by process key (re-read when the file changes)."""
    return _load(path, path.stat().st_mtime_ns if path.exists() else 0)


@lru_cache(maxsize=4)
def _load(path: Path, _mtime: int) -> dict[str, CatalogEntry]:
    if not path.exists():
        return {}
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        e["key"]: CatalogEntry(
            key=e["key"],
            department=e["department"],
            duties=tuple(e.get("duties") or ()),
            name_fa=e["name_fa"],
            name_en=e["name_en"],
            description_fa=e.get("description_fa") or "",
            starters=tuple(e.get("starters") or ()),
            start_form=e.get("start_form"),
            forms=tuple(e.get("forms") or ()),
            calls=tuple(e.get("calls") or ()),
            messages=tuple(e.get("messages") or ()),
        )
        for e in entries
    }


def uncovered_duties(entries: dict[str, CatalogEntry]) -> list[str]:
    covered = {duty for entry in entries.values() for duty in entry.duties}
    return [duty for duty in DUTIES if duty not in covered]
