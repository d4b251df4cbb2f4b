"""A form-js schema as plain HTML inputs, and a posted HTML form read back into form-js data.

The public pages work without JavaScript: each input field of the schema becomes an ordinary input
named by its key; dates are typed in Jalali (``۱۴۰۵/۰۱/۱۲``), which the server-side validation
converts. Uploads (``filepicker``) come back separately, to be checked and stored as attachments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from werkzeug.datastructures import FileStorage, ImmutableMultiDict

from engine.definitions.forms import INPUT_TYPES

DISPLAY = {"text", "spacer", "separator"}


@dataclass
class Field:
    """One thing to draw: an input, a display text, or a group with its own fields."""

    type: str
    key: str | None
    label: str
    description: str = ""
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    subtype: str | None = None
    multiline: bool = False
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    kind: str | None = None  # validate.validationType: nationalId, mobile, phone, postalCode, sheba, email
    text: str = ""
    children: list[Field] = field(default_factory=list)


def layout(schema: dict) -> list[Field]:
    """The fields of a schema to draw, in order (dynamic lists and embedded content are left out)."""
    return [f for f in (_field(c) for c in schema.get("components", [])) if f is not None]


def _field(component: dict) -> Field | None:
    kind = component.get("type")
    label = str(component.get("label") or "")
    if kind == "group":
        return Field("group", None, label, children=layout(component))
    if kind in DISPLAY:
        return Field(kind, None, label, text=str(component.get("text") or ""))
    if kind not in INPUT_TYPES or component.get("hidden"):
        return None
    rules = component.get("validate") or {}
    return Field(
        type=kind,
        key=component["key"],
        label=label,
        description=str(component.get("description") or ""),
        required=bool(rules.get("required")),
        options=[
            (str(v.get("value")), str(v.get("label", v.get("value")))) for v in component.get("values") or []
        ],
        subtype=component.get("subtype"),
        min=rules.get("min"),
        max=rules.get("max"),
        max_length=rules.get("maxLength"),
        kind=rules.get("validationType"),
    )


def inputs(fields: list[Field]) -> list[Field]:
    """The input fields, groups flattened."""
    flat = []
    for f in fields:
        if f.type == "group":
            flat.extend(inputs(f.children))
        elif f.key is not None:
            flat.append(f)
    return flat


def read_submission(
    fields: list[Field], form: ImmutableMultiDict, files: ImmutableMultiDict
) -> tuple[dict, dict[str, list[FileStorage]]]:
    """The posted values as form-js data, and the uploaded files by field key."""
    data: dict = {}
    uploads: dict[str, list[FileStorage]] = {}
    for f in inputs(fields):
        if f.type == "checkbox":
            data[f.key] = f.key in form
        elif f.type == "checklist":
            data[f.key] = form.getlist(f.key)
        elif f.type == "taglist":
            data[f.key] = [t.strip() for t in re.split(r"[,،\n]", form.get(f.key, "")) if t.strip()]
        elif f.type == "filepicker":
            chosen = [u for u in files.getlist(f.key) if u and u.filename]
            uploads[f.key] = chosen
            data[f.key] = [u.filename for u in chosen]
        else:
            data[f.key] = form.get(f.key, "")
    return data, uploads
