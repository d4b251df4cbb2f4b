"""What was submitted in a case, labelled by the forms that collected it.

The start form's data (the ``started`` event), each completed task's (``task_completed``) and each
answer through a public door (``message_received`` at a door of the catalog) are kept in the audit
trail as they were validated; here they get back the labels and option labels of their form, as
snapshotted with the case's version. The printed case file and the case at hand on a task's page
both read them this way. Values stay values: pages format dates, digits and yes/no for the reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy.orm import Session

from engine.context import Context
from engine.definitions.forms import INPUT_TYPES
from engine.definitions.parsing import ParsedBundle
from engine.models import AuditEvent, ProcessInstance

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SUBMISSION_KINDS = ("started", "task_completed", "message_received")


def submitted_sections(
    ctx: Context,
    session: Session,
    instance: ProcessInstance,
    events: Iterable[AuditEvent],
    form_keys: Mapping[str, str | None],
) -> list[dict]:
    """One section per submission among ``events`` (in their order) that has labelled fields:
    ``title`` (the step's name), ``kind``, ``element_id``, ``task_id``, ``event_id``, ``at``,
    ``actor`` and ``fields``. ``form_keys`` gives each human task's form key by task id."""
    entry = ctx.catalog.get(instance.process_key)
    sections = []
    for event in events:
        form_key, data = _submission(event, entry, form_keys)
        if not form_key or not data:
            continue
        form = ctx.form(session, instance.definition_id, form_key)
        fields = labelled_fields(form, data) if form else []
        if fields:
            title = event.element_name
            if not title and event.element_id:
                spec = task_spec_of(ctx.parsed(session, instance.definition_id), event.element_id)
                title = getattr(spec, "bpmn_name", None)
            sections.append(
                {
                    "title": title,
                    "kind": event.kind,
                    "element_id": event.element_id,
                    "task_id": event.task_id,
                    "event_id": event.id,
                    "at": event.at,
                    "actor": event.actor,
                    "fields": fields,
                }
            )
    return sections


def task_spec_of(parsed: ParsedBundle, element_id: str):
    """The task spec of an element of the bundle, in the main process or a called one; else None."""
    for spec in parsed.all_specs():
        for task_spec in spec.task_specs.values():
            if task_spec.bpmn_id == element_id:
                return task_spec
    return None


def _submission(event: AuditEvent, entry, form_keys: Mapping[str, str | None]) -> tuple[str | None, dict]:
    data = event.data if isinstance(event.data, dict) else {}
    if event.kind == "started":
        return (entry.start_form if entry else None), data
    if event.kind == "task_completed":
        return form_keys.get(event.task_id), data
    if event.kind == "message_received" and entry is not None:
        door = entry.door(event.element_id or "")
        payload = data.get("payload")
        return (door.get("form") if door else None), payload if isinstance(payload, dict) else {}
    return None, {}


def labelled_fields(form: dict, data: dict) -> list[dict]:
    """The submitted values of a form's fields, in the form's order, each with its key and label, and
    with an option's label for a chosen option."""
    shown = []
    for component in _components(form.get("components", [])):
        key = component.get("key")
        if key not in data or data[key] in (None, "", []):
            continue
        if component["type"] == "dynamiclist":
            rows = [labelled_fields(component, row) for row in data[key] if isinstance(row, dict)]
            shown.append({"key": key, "label": component.get("label") or key, "kind": "rows", "value": rows})
            continue
        shown.append({"key": key, "label": _label(component, key), **_value(component, data[key])})
    return shown


def _components(components: list) -> list[dict]:
    found = []
    for c in components:
        if c.get("type") == "group":
            found += _components(c.get("components", []))
        elif c.get("type") in INPUT_TYPES or c.get("type") == "dynamiclist":
            found.append(c)
    return found


def _label(component: dict, key: str) -> str:
    return component.get("label") or component.get("dateLabel") or key


def _value(component: dict, value) -> dict:
    options = {
        str(v.get("value")): v.get("label") for v in component.get("values") or [] if isinstance(v, dict)
    }
    if options:
        chosen = value if isinstance(value, list) else [value]
        return {"kind": "text", "value": "، ".join(str(options.get(str(v), v)) for v in chosen)}
    if isinstance(value, bool):
        return {"kind": "bool", "value": value}
    if isinstance(value, str) and _ISO_DAY.match(value):
        return {"kind": "date", "value": date.fromisoformat(value)}
    if isinstance(value, (int, float)):
        return {"kind": "number", "value": value}
    if component.get("type") == "filepicker":
        return {
            "kind": "text",
            "value": str(value.get("name", "")) if isinstance(value, dict) else str(value),
        }
    return {"kind": "text", "value": value if isinstance(value, str) else str(value)}
