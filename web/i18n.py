"""The engine's structured messages in the reader's language, for every blueprint.

The engine never formats what people read: an error, a field message or a deploy problem is a
template (the English msgid, marked with ``N_``) and its values. Here the template is translated by
Flask-Babel and the values are shown as the reader expects them: numbers in Persian digits and dates
in the Jalali calendar when the page is Persian.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from flask_babel import get_locale
from flask_babel import gettext as _

from engine.calendar.jalali import to_jalali_str, to_persian_digits
from engine.errors import InvalidData, Message, Problem, RavandError, as_message


def is_persian() -> bool:
    return str(get_locale()) == "fa"


def localized_number(value: object) -> str:
    """A number as the page writes it: Persian digits (and decimal separator) in Persian."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return to_persian_digits(text).replace(".", "٫") if is_persian() else text


def _shown(value: object) -> object:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return localized_number(value)
    if isinstance(value, datetime):
        return to_jalali_str(value, with_time=True, persian_digits=is_persian())
    if isinstance(value, date):
        return to_jalali_str(value, persian_digits=is_persian())
    return value


def translate(template: str, params: Mapping[str, object] | None = None) -> str:
    """A template in the page's language with its values filled in."""
    text = _(template)
    if not params:
        return text
    return text.format(**{name: _shown(value) for name, value in params.items()})


def message_text(message: Message | str) -> str:
    message = as_message(message)
    return translate(message.template, message.params)


def error_text(error: RavandError) -> str:
    return translate(error.template, error.params)


def field_texts(error: RavandError) -> dict[str, str]:
    """The message of each bad field of an ``InvalidData`` (empty for any other error)."""
    if not isinstance(error, InvalidData):
        return {}
    return {name: message_text(message) for name, message in error.field_errors.items()}


def problem_dict(problem: Problem) -> dict:
    """A deploy problem as the studio shows it: where it is, and what is wrong in the reader's language."""
    return {
        "file": problem.file,
        "line": problem.line,
        "element": problem.element,
        "rule": problem.rule,
        "message": translate(problem.message, problem.params),
    }
