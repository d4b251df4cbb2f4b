"""Every message Ravand shows has its Persian text: Persian is the first language, not a fallback."""

import sys
from pathlib import Path

from babel.messages.pofile import read_po

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import compile_translations


def test_every_msgid_has_a_persian_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    compile_translations.extract(pot)
    with pot.open("rb") as f:
        template = read_po(f)
    assert len(template) > 500
    assert compile_translations.untranslated(template, compile_translations.persian_parts()) == []
