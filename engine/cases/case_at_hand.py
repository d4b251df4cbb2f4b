"""The case at hand: what a task's page shows of its case, read-only.

Every submission so far (the request, earlier steps' forms, answers through a public door) labelled
by the form that collected it and grouped by step (``engine.cases.submissions``). A designer limits or
orders them with the user task's ``caseFields`` property, a comma-separated list of field keys:

- absent: every field submitted earlier, step by step in the order they happened;
- ``full_name, phone``: only those fields, in the steps that collected them;
- ``phone, *``: those first (their steps first, the fields in the order listed), then the rest.

The steps holding a listed field are marked ``needed``. A completed task shows what it submitted
apart, and only what was submitted before it as its case.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.submissions import submitted_sections, task_spec_of
from engine.context import Context
from engine.definitions.parsing import ParsedBundle
from engine.models import AuditEvent, HumanTask, ProcessInstance
from engine.org.access import Viewer

CASE_FIELDS = "caseFields"
REST = "*"


def case_events(session: Session, instance_id: int, viewer: Viewer) -> list[tuple[AuditEvent, str | None]]:
    """The case's audit events but the engine's own steps, in order, each with its task's form key;
    without what happened in steps ``viewer`` may not see (another region's report, the head's note
    to the regions), unless a copy of the whole case was sent to them."""
    rows = session.execute(
        select(AuditEvent, HumanTask)
        .outerjoin(HumanTask, HumanTask.id == AuditEvent.task_id)
        .where(AuditEvent.instance_id == instance_id, AuditEvent.kind != "element")
        .order_by(AuditEvent.id)
    ).all()
    hidden = {task.id for _, task in rows if task is not None and not viewer.may_see_task(task)}
    if hidden and viewer.has_copy(session, instance_id):
        hidden = set()
    return [(event, task.form_key if task else None) for event, task in rows if event.task_id not in hidden]


def case_for_task(
    ctx: Context,
    session: Session,
    instance: ProcessInstance,
    task: HumanTask,
    events: list[tuple[AuditEvent, str | None]],
) -> dict:
    """The case at hand for ``task``, from the case's ``case_events``."""
    form_keys = {event.task_id: key for event, key in events if event.task_id}
    sections = submitted_sections(ctx, session, instance, [e for e, _ in events], form_keys)
    wanted, rest = shown_fields(ctx.parsed(session, instance.definition_id), task.element_id)
    return case_at_hand(sections, task.id, wanted, rest)


def shown_fields(parsed: ParsedBundle, element_id: str) -> tuple[list[str] | None, bool]:
    """The keys the task's ``caseFields`` lists (None: all) and whether the rest follow them."""
    spec = task_spec_of(parsed, element_id)
    props = ((getattr(spec, "extensions", None) or {}).get("properties") or {}) if spec else {}
    value = props.get(CASE_FIELDS)
    if not value or not value.strip():
        return None, True
    keys = [k.strip() for k in value.split(",") if k.strip()]
    return [k for k in keys if k != REST], REST in keys


def case_at_hand(sections: list[dict], task_id: str, wanted: list[str] | None, rest: bool = True) -> dict:
    """``sections`` (earlier submissions, needed steps first) and ``submitted`` (this task's own
    submission, or None) for the task ``task_id``."""
    own = [s for s in sections if s["task_id"] == task_id and s["kind"] == "task_completed"]
    submitted = own[-1] if own else None
    earlier = [
        s
        for s in sections
        if s is not submitted and (submitted is None or s["event_id"] < submitted["event_id"])
    ]
    if wanted is None:
        return {"sections": [s | {"needed": False} for s in earlier], "submitted": submitted}
    rank = {key: n for n, key in enumerate(wanted)}
    needed, others = [], []
    for section in earlier:
        listed = sorted((f for f in section["fields"] if f["key"] in rank), key=lambda f: rank[f["key"]])
        unlisted = [f for f in section["fields"] if f["key"] not in rank] if rest else []
        if listed:
            needed.append(section | {"fields": listed + unlisted, "needed": True})
        elif unlisted:
            others.append(section | {"fields": unlisted, "needed": False})
    needed.sort(key=lambda s: rank[s["fields"][0]["key"]])  # stable: ties keep their order in time
    return {"sections": needed + others, "submitted": submitted}
