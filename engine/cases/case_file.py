"""A case as it goes on paper (the printed case file, for the archive and for letters).

Everything comes from the database in one read-only transaction, for whoever may see the case: the
case itself, its history, every form submitted in it with the labels of the form that collected it
(the start form's and each completed task's, as snapshotted with the case's version), and its letters.
Values stay values: the printout formats dates, digits and yes/no in the reader's language.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from engine.context import Context
from engine.definitions.forms import INPUT_TYPES
from engine.letters.registry import letters_of
from engine.models import AuditEvent, HumanTask, OrgUnit, User
from engine.org.access import load_viewer, visible_instance

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HISTORY_KINDS = (
    "started",
    "task_completed",
    "task_claimed",
    "task_assigned",
    "message_received",
    "timer_fired",
    "incident",
    "completed",
    "terminated",
    "error_uncaught",
    "suspended",
    "resumed",
)


def case_file(ctx: Context, user: str, instance_id: int) -> dict:
    """The case's file: its header, history, labelled submissions and letters (without the steps the
    user may not see)."""
    with ctx.db.read() as session:
        viewer = load_viewer(ctx, session, user, ctx.clock.now())
        instance = visible_instance(session, viewer, instance_id)
        definition_id = instance.definition_id
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.instance_id == instance_id, AuditEvent.kind.in_(HISTORY_KINDS))
            .order_by(AuditEvent.id)
        ).all()
        steps = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).all()
        form_keys = {t.id: t.form_key for t in steps}
        # What was done in a step the reader may not see (another region's report) is not in their file.
        hidden = {t.id for t in steps if not viewer.may_see_task(t)}
        events = [e for e in events if e.task_id not in hidden]
        people = dict(
            session.execute(
                select(User.username, User.full_name).where(
                    User.username.in_({e.actor for e in events if e.actor})
                )
            ).all()
        )
        entry = ctx.catalog.get(instance.process_key)
        sections = []
        for event in events:
            form_key = entry.start_form if event.kind == "started" and entry else form_keys.get(event.task_id)
            if event.kind not in ("started", "task_completed") or not event.data or not form_key:
                continue
            form = ctx.form(session, definition_id, form_key)
            fields = labelled_fields(form, event.data) if form else []
            if fields:
                sections.append(
                    {
                        "title": event.element_name,
                        "kind": event.kind,
                        "at": event.at,
                        "actor": event.actor,
                        "fields": fields,
                    }
                )
        unit = session.get(OrgUnit, instance.unit_id) if instance.unit_id else None
        return {
            "id": instance.id,
            "process_key": instance.process_key,
            "process_name_fa": entry.name_fa if entry else instance.definition.name,
            "process_name_en": entry.name_en if entry else instance.definition.name,
            "version": instance.definition.version,
            "title": instance.title,
            "tracking_code": instance.tracking_code,
            "status": instance.status,
            "unit_fa": unit.name_fa if unit else None,
            "unit_en": unit.name_en if unit else None,
            "started_at": instance.started_at,
            "ended_at": instance.ended_at,
            "started_by": instance.started_by,
            "history": [
                {"kind": e.kind, "at": e.at, "actor": e.actor, "element_name": e.element_name} for e in events
            ],
            "sections": sections,
            "letters": letters_of(session, instance.id),
            "people": people,
        }


def labelled_fields(form: dict, data: dict) -> list[dict]:
    """The submitted values of a form's fields, in the form's order, each with its label, and with an
    option's label for a chosen option."""
    shown = []
    for component in _components(form.get("components", [])):
        key = component.get("key")
        if key not in data or data[key] in (None, "", []):
            continue
        if component["type"] == "dynamiclist":
            rows = [labelled_fields(component, row) for row in data[key] if isinstance(row, dict)]
            shown.append({"label": component.get("label") or key, "kind": "rows", "value": rows})
            continue
        shown.append({"label": _label(component, key), **_value(component, data[key])})
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
