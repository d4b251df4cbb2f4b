"""Build the Flask-Babel catalogs: extract every msgid, fill Persian from web/translations/parts/*.json.

Each part file maps English msgids to Persian; several people can add strings without editing one
shared .po file. English needs no translation (the msgids are English). Run by ``make``; prints the
msgids that still lack a Persian translation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "web" / "translations"


def extract(pot: Path) -> None:
    """Write every msgid of engine/ and web/ to ``pot``."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "_l",
            "--no-location",
            "--sort-output",
            "-o",
            str(pot),
            "engine",
            "web",
        ],
        check=True,
        cwd=ROOT,
    )


def persian_parts() -> dict[str, str]:
    """English msgid to Persian, from every part file."""
    persian: dict[str, str] = {}
    for part in sorted((TRANSLATIONS / "parts").glob("*.json")):
        persian.update(json.loads(part.read_text(encoding="utf-8")))
    return persian


def untranslated(template: Catalog, persian: dict[str, str]) -> list[str]:
    """The msgids of ``template`` that have no Persian text."""
    return [
        message.id
        for message in template
        if message.id and not persian.get(message.id if isinstance(message.id, str) else message.id[0])
    ]


def main() -> int:
    pot = TRANSLATIONS / "messages.pot"
    extract(pot)
    persian = persian_parts()
    with pot.open("rb") as f:
        template = read_po(f)
    missing = untranslated(template, persian)
    for lang in ("fa", "en"):
        catalog = Catalog(locale=lang, project="Ravand")
        for message in template:
            if not message.id:
                continue
            text = persian.get(message.id if isinstance(message.id, str) else message.id[0], "")
            catalog.add(message.id, text if lang == "fa" else "")
        folder = TRANSLATIONS / lang / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "messages.po").open("wb") as f:
            write_po(f, catalog, omit_header=True)
        with (folder / "messages.mo").open("wb") as f:
            write_mo(f, catalog)
    if missing:
        print(f"{len(missing)} msgid(s) without a Persian translation:", *missing[:20], sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
