"""Text as Iranians type it, made one form for searching.

A clerk on a Persian keyboard types Persian digits and ی/ک; text pasted from Arabic sources carries
Arabic-Indic digits and ي/ك; half-spaces (ZWNJ) come and go. The stored search text of cases and
tasks and every query are put through ``searchable`` so they meet: the inbox, the monitor's
instance list and the public status lookup all compare normalised text.
"""

from __future__ import annotations

import re

from engine.calendar.jalali import to_latin_digits

_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه", "ـ": None})
# zero-width characters and bidi marks that are invisible on the screen but break a match
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c\u00ad"), None)
_INVISIBLE.update(dict.fromkeys(range(0x202A, 0x202F)))
_INVISIBLE.update(dict.fromkeys(range(0x2066, 0x206A)))
_SPACES = re.compile(r"\s+")


def searchable(*parts: str | None) -> str:
    """The search form of the parts joined by spaces: Latin digits, Persian ی and ک, no zero-width
    characters, one space between words, lower case."""
    text = " ".join(p for p in parts if p)
    text = to_latin_digits(text).translate(_LETTERS).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip().casefold()
