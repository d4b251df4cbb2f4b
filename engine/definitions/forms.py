"""Server-side validation of a submission against its form-js definition.

The browser's form-js viewer validates too, but only this check counts: required fields, types,
min/max, length, pattern and option values, the Iranian identifiers a text field declares with
``validate.validationType`` (``nationalId``, ``mobile``, ``phone``, ``postalCode``, ``sheba``:
``engine.definitions.identifiers``; ``email`` too) and, on a date field with form-js's
``disallowPassedDates``, no day before today in Tehran. Values are normalised: numbers become numbers
(Persian and Arabic-Indic digits accepted), identifiers their one form in Latin digits, dates ISO
``YYYY-MM-DD`` (a Jalali ``1405/01/12`` is converted); unknown keys are dropped so a form can only
write the fields it declares. A field inside a repeating row is named ``list[i].key``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime

import jdatetime

from engine.calendar.jalali import TEHRAN, to_latin_digits
from engine.definitions.identifiers import CHECKS
from engine.errors import N_, FieldErrors, Message

INPUT_TYPES = {
    "textfield",
    "textarea",
    "number",
    "checkbox",
    "checklist",
    "radio",
    "select",
    "taglist",
    "datetime",
    "filepicker",
}
CONTAINER_TYPES = {"group", "dynamiclist"}
DISPLAY_TYPES = {"text", "button", "spacer", "separator", "image", "html", "iframe", "table", "expression"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class FormError(ValueError):
    """A form definition that Ravand cannot use."""


def load_form(definition: dict) -> dict:
    """Check that a form-js schema is usable: a components list whose input fields have unique keys."""
    if not isinstance(definition, dict) or not isinstance(definition.get("components"), list):
        raise FormError("a form-js schema needs a 'components' list")
    seen = set()
    for component in _walk(definition["components"]):
        kind = component.get("type")
        if kind not in INPUT_TYPES | CONTAINER_TYPES | DISPLAY_TYPES:
            raise FormError(f"unknown component type '{kind}'")
        if kind in INPUT_TYPES:
            key = component.get("key")
            if not key or not isinstance(key, str):
                raise FormError(f"a '{kind}' field has no key")
            if key in seen:
                raise FormError(f"the key '{key}' is used twice")
            seen.add(key)
    return definition


def _walk(components: list) -> Iterator[dict]:
    for component in components:
        if not isinstance(component, dict):
            raise FormError("every component must be an object")
        if component.get("type") == "group":
            yield from _walk(component.get("components", []))
        else:
            yield component


def fields(definition: dict) -> list[dict]:
    """The input fields of a form (groups flattened), in order."""
    return [
        c for c in _walk(definition.get("components", [])) if c.get("type") in INPUT_TYPES | {"dynamiclist"}
    ]


def validate_submission(definition: dict, data: dict, now: datetime | None = None) -> dict:
    """Return the submission cleaned and normalised, or raise InvalidData naming each bad field.
    ``now`` (the engine's clock; by default the wall clock) says which days are past."""
    errors = FieldErrors()
    today = (now or datetime.now(TEHRAN)).astimezone(TEHRAN).date()
    cleaned = _validate_fields(fields(definition), data or {}, errors, prefix="", today=today)
    errors.raise_if_any()
    return cleaned


def _validate_fields(
    components: list[dict], data: dict, errors: FieldErrors, prefix: str, today: date
) -> dict:
    cleaned = {}
    for component in components:
        key = component["key"]
        name = prefix + key
        if component["type"] == "dynamiclist":
            rows = data.get(key) or []
            if not isinstance(rows, list):
                errors.add(name, N_("must be a list"))
                continue
            inner = fields(component)
            cleaned[key] = [
                _validate_fields(inner, row if isinstance(row, dict) else {}, errors, f"{name}[{i}].", today)
                for i, row in enumerate(rows)
            ]
            continue
        if component.get("disabled") or component.get("readonly"):
            continue
        value = _clean_value(component, data.get(key), name, errors, today)
        if value is not None:
            cleaned[key] = value
    return cleaned


def _empty(value) -> bool:
    return value is None or (isinstance(value, (str, list)) and not value)


def _clean_value(component: dict, value, name: str, errors: FieldErrors, today: date):
    rules = component.get("validate") or {}
    if _empty(value):
        if rules.get("required"):
            errors.add(name, N_("this field is required"))
        return None
    try:
        value = _convert(component, value, today)
        check = CHECKS.get(rules.get("validationType"))
        if check is not None and isinstance(value, str):
            value = check(value)
    except (TypeError, ValueError) as exc:
        errors.add(name, exc.args[0] if exc.args else N_("invalid value"))
        return None
    if value is False and rules.get("required"):
        errors.add(name, N_("this field is required"))
        return None
    message = _check_rules(component, rules, value)
    if message:
        errors.add(name, message)
        return None
    return value


def _convert(component: dict, value, today: date):
    kind = component["type"]
    if kind == "number":
        if isinstance(value, bool):
            raise ValueError(N_("must be a number"))
        if isinstance(value, str):
            text = to_latin_digits(value).replace("٫", ".").replace(",", "").strip()
            try:
                value = float(text) if "." in text else int(text)
            except ValueError:
                raise ValueError(N_("must be a number")) from None
        if not isinstance(value, (int, float)):
            raise ValueError(N_("must be a number"))
        return value
    if kind == "checkbox":
        if isinstance(value, str):
            return value.lower() in ("true", "on", "1", "yes")
        return bool(value)
    if kind in ("checklist", "taglist"):
        values = value if isinstance(value, list) else [value]
        return [str(v) for v in values]
    if kind == "datetime":
        return _convert_datetime(component, value, today)
    if kind == "filepicker":
        return value
    if not isinstance(value, (str, int, float)):
        raise ValueError(N_("must be text"))
    return str(value).strip()


def _convert_datetime(component: dict, value, today: date) -> str:
    if not isinstance(value, str):
        raise ValueError(N_("must be a date"))
    text = to_latin_digits(value).strip()
    if component.get("subtype", "date") == "time":
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError(N_("must be a time like 14:30"))
        return f"{int(match[1]):02d}:{match[2]}"
    date_part, _, time_part = text.partition("T")
    date_part = date_part.replace("/", "-")
    try:
        year, month, day = (int(p) for p in date_part.split("-"))
        parsed = jdatetime.date(year, month, day).togregorian() if year < 1700 else date(year, month, day)
    except (ValueError, TypeError):
        raise ValueError(N_("must be a date like 1405/01/12")) from None
    if component.get("disallowPassedDates") and parsed < today:
        raise ValueError(N_("must be today or a later day"))
    return parsed.isoformat() + (f"T{time_part}" if time_part else "")


def _check_rules(component: dict, rules: dict, value) -> Message | None:
    kind = component["type"]
    if kind == "number":
        if rules.get("min") is not None and value < rules["min"]:
            return Message(N_("must be at least {min}"), {"min": rules["min"]})
        if rules.get("max") is not None and value > rules["max"]:
            return Message(N_("must be at most {max}"), {"max": rules["max"]})
    if isinstance(value, str):
        if rules.get("minLength") is not None and len(value) < rules["minLength"]:
            return Message(N_("must be at least {n} characters"), {"n": rules["minLength"]})
        if rules.get("maxLength") is not None and len(value) > rules["maxLength"]:
            return Message(N_("must be at most {n} characters"), {"n": rules["maxLength"]})
        if rules.get("pattern") and not re.fullmatch(rules["pattern"], value):
            return Message(N_("does not have the expected format"))
        if rules.get("validationType") == "email" and not _EMAIL.match(value):
            return Message(N_("must be an e-mail address"))
    options = _option_values(component)
    if options is not None:
        chosen = value if isinstance(value, list) else [value]
        if any(str(v) not in options for v in chosen):
            return Message(N_("is not one of the allowed choices"))
    return None


def _option_values(component: dict) -> set[str] | None:
    if component["type"] not in ("radio", "select", "checklist", "taglist"):
        return None
    values = component.get("values")
    if not values:
        return None
    return {str(v.get("value")) for v in values if isinstance(v, dict)}
