"""Form-js schemas prepared for the browser's viewer.

Validation is the server's (engine.forms), so its messages come back beside the fields in the page's
language; the viewer gets the schema without validation rules (a required field keeps a star in its
label). Date fields become text fields that take a Jalali date (۱۴۰۵/۰۱/۱۲, Persian or Latin digits)
time fields text fields that take a 24-hour time (۱۴:۳۰; form-js's time input is 12-hour) and
number fields text fields that take Persian digits (form-js's number input refuses them); the data
shown in them is converted to match, and the engine converts the submission back.
"""

from __future__ import annotations

import copy
import re
from datetime import date

from flask_babel import gettext as _

from engine.calendar.jalali import to_jalali_str, to_persian_digits
from web.i18n import is_persian

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# what an identifier field looks like (engine.definitions.identifiers), shown under it
EXAMPLES = {
    "nationalId": "0012345679",
    "mobile": "09121234567",
    "phone": "02188776655",
    "postalCode": "1193653471",
    "sheba": "IR820540102680020817909002",
}
_KEPT = ("id", "key", "label", "description", "layout", "conditional", "disabled", "readonly")


def _is_date(component: dict) -> bool:
    return component.get("type") == "datetime" and component.get("subtype", "date") != "time"


def _is_time(component: dict) -> bool:
    return component.get("type") == "datetime" and component.get("subtype") == "time"


def viewer_schema(schema: dict) -> dict:
    schema = copy.deepcopy(schema)
    schema["components"] = [_component(c) for c in schema.get("components", [])]
    return schema


def _component(component: dict) -> dict:
    if isinstance(component.get("components"), list):
        component["components"] = [_component(c) for c in component["components"]]
    rules = component.pop("validate", None) or {}
    if _is_date(component):
        component["label"] = component.get("label") or component.get("dateLabel")
        hint = _("A Jalali date, e.g. 1405/01/12")
        component["description"] = (
            f"{component['description']} — {hint}" if component.get("description") else hint
        )
    if _is_time(component):
        component["label"] = component.get("label") or component.get("timeLabel")
        hint = _("24-hour time, e.g. 14:30")
        component["description"] = (
            f"{component['description']} — {hint}" if component.get("description") else hint
        )
    example = EXAMPLES.get(rules.get("validationType"))
    if example:
        hint = _("For example %(example)s", example=to_persian_digits(example) if is_persian() else example)
        component["description"] = (
            f"{component['description']} — {hint}" if component.get("description") else hint
        )
    if rules.get("required") and component.get("label"):
        component["label"] = f"{component['label']} *"
    if _is_date(component) or _is_time(component) or component.get("type") == "number":
        kept = {k: component[k] for k in _KEPT if k in component} | {"type": "textfield"}
        # The page's script opens a Jalali date picker on the fields so marked.
        return (kept | {"properties": {"ravand:date": "jalali"}}) if _is_date(component) else kept
    return component


def _keys(schema: dict, wanted) -> set[str]:
    keys: set[str] = set()

    def walk(components: list) -> None:
        for c in components:
            if isinstance(c.get("components"), list):
                walk(c["components"])
            if wanted(c) and c.get("key"):
                keys.add(c["key"])

    walk(schema.get("components", []))
    return keys


def viewer_data(schema: dict, data: dict, persian_digits: bool) -> dict:
    """The data the form opens with: dates in Jalali, times and numbers as text (in Persian digits on
    Persian pages)."""
    shown = dict(data)
    for key in _keys(schema, _is_date):
        value = shown.get(key)
        if isinstance(value, str) and _ISO_DATE.match(value):
            shown[key] = to_jalali_str(date.fromisoformat(value[:10]), persian_digits=persian_digits)
    for key in _keys(schema, _is_time):
        value = shown.get(key)
        if isinstance(value, str) and persian_digits:
            shown[key] = to_persian_digits(value)
    for key in _keys(schema, lambda c: c.get("type") == "number"):
        value = shown.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            shown[key] = to_persian_digits(str(value)) if persian_digits else str(value)
    return shown
