"""The Iranian identifiers a form field can declare with ``validate.validationType``.

``nationalId`` (کد ملی: 10 digits, the last a check digit), ``mobile`` (09xxxxxxxxx; +98 and 0098
accepted), ``phone`` (a mobile or a landline with its area code, 0xxxxxxxxxx), ``postalCode`` (10
digits) and ``sheba`` (شبا: IR and 24 digits, ISO 13616 mod-97 check). Persian, Arabic-Indic and
Latin digits, spaces and dashes are accepted; the value is stored in one form, with Latin digits,
so that scripts, searches and the SMS sender read it alike. Each check returns that form or raises
``ValueError`` with a message that says what is expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from engine.calendar.jalali import to_latin_digits
from engine.errors import N_

_SEPARATORS = re.compile(r"[\s\-‐-―()/.]")


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", to_latin_digits(value))


def national_id(value: str) -> str:
    digits = _compact(value)
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise ValueError(N_("must be a national ID of 10 digits, like 0012345679"))
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11
    check = total if total < 2 else 11 - total
    if int(digits[9]) != check or len(set(digits)) == 1:
        raise ValueError(N_("is not a valid national ID: its check digit does not match"))
    return digits


def mobile(value: str) -> str:
    digits = _compact(value)
    digits = re.sub(r"^(\+98|0098|98(?=9[0-9]{9}$))", "0", digits)
    if re.fullmatch(r"9[0-9]{9}", digits):
        digits = "0" + digits
    if not re.fullmatch(r"09[0-9]{9}", digits):
        raise ValueError(N_("must be a mobile number of 11 digits starting with 09, like 09121234567"))
    return digits


def phone(value: str) -> str:
    digits = re.sub(r"^(\+98|0098)", "0", _compact(value))
    if not re.fullmatch(r"0[1-9][0-9]{9}", digits):
        raise ValueError(
            N_("must be a phone number of 11 digits with its area code, like 02188776655 or 09121234567")
        )
    return digits


def postal_code(value: str) -> str:
    digits = _compact(value)
    if not re.fullmatch(r"[1-9][0-9]{9}", digits):
        raise ValueError(N_("must be a postal code of 10 digits, like 1193653471"))
    return digits


def sheba(value: str) -> str:
    text = _compact(value).upper()
    if re.fullmatch(r"[0-9]{24}", text):
        text = "IR" + text
    if not re.fullmatch(r"IR[0-9]{24}", text):
        raise ValueError(N_("must be a Sheba number: IR and 24 digits, like IR820540102680020817909002"))
    rearranged = text[4:] + "1827" + text[2:4]  # I=18, R=27, then the check digits
    if int(rearranged) % 97 != 1:
        raise ValueError(N_("is not a valid Sheba number: its check digits do not match"))
    return text


CHECKS: dict[str, Callable[[str], str]] = {
    "nationalId": national_id,
    "mobile": mobile,
    "phone": phone,
    "postalCode": postal_code,
    "sheba": sheba,
}
