"""The public side of a door: the page a link opens, and the answer that moves the waiting case.

A door is found by its tracking code and the SHA-256 of its token; a wrong pair is simply not
found (404), a used one is refused (409). The answer is validated against the door's form and
delivered as the waited-for message in the same transaction that marks the door used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.attachments import AttachmentStore, attach_in_session, check_file
from engine.cases.public_status import normalize_code
from engine.context import Context
from engine.definitions.forms import validate_submission
from engine.errors import N_, Conflict, FieldErrors, InvalidData, Message, NotFound
from engine.models import Door, MessageSubscription, ProcessInstance
from engine.runtime.doors import token_hash
from engine.runtime.messages import send_message
from engine.states import ACTIVE


@dataclass(frozen=True)
class DoorPage:
    tracking_code: str
    process_key: str
    element_id: str
    audience: str
    form: dict


def _find(session: Session, code: str, token: str) -> tuple[Door, ProcessInstance]:
    found = session.execute(
        select(Door, ProcessInstance)
        .join(ProcessInstance, ProcessInstance.id == Door.instance_id)
        .where(
            Door.token_hash == token_hash(token or ""), ProcessInstance.tracking_code == normalize_code(code)
        )
    ).first()
    if found is None:
        raise NotFound(N_("This link is not valid."))
    door, instance = found
    waiting = session.scalar(
        select(MessageSubscription.id).where(
            MessageSubscription.instance_id == instance.id, MessageSubscription.task_id == door.task_id
        )
    )
    if door.used_at is not None:
        raise Conflict(N_("This link has already been used: your answer was received."))
    if waiting is None or door.closed_at is not None or instance.status not in ACTIVE:
        raise Conflict(N_("This request no longer waits for an answer."))
    return door, instance


def open_door(ctx: Context, code: str, token: str) -> DoorPage:
    """What the link's page shows: the form to answer, for an open door."""
    with ctx.db.read() as session:
        door, instance = _find(session, code, token)
        return DoorPage(
            tracking_code=instance.tracking_code,
            process_key=instance.process_key,
            element_id=door.element_id,
            audience=door.audience,
            form=ctx.form(session, instance.definition_id, door.form_key) or {"components": []},
        )


def answer_door(
    ctx: Context,
    code: str,
    token: str,
    data: dict,
    files: tuple[tuple[str, str, bytes], ...] = (),
    store: AttachmentStore | None = None,
) -> dict:
    """Validate the answer (and its ``(field, file name, content)`` files, kept as attachments of the
    case) and deliver it to the waiting case; the door is then used. Nothing is saved on a refusal."""
    errors, checked = FieldErrors(), []
    for form_field, name, content in files:
        try:
            checked.append((form_field, name, content, check_file(store, name, content)))
        except InvalidData as exc:
            errors.add(form_field, Message(exc.template, exc.params))
    written: list[Path] = []
    try:
        with ctx.db.transaction() as session:
            return _answer(ctx, session, code, token, data, errors, checked, store, written)
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def _answer(ctx, session, code, token, data, errors: FieldErrors, checked, store, written) -> dict:
    door, instance = _find(session, code, token)
    form = ctx.form(session, instance.definition_id, door.form_key) or {"components": []}
    try:
        answer = validate_submission(form, data, ctx.clock.now())
    except InvalidData as exc:
        for name, message in exc.field_errors.items():
            errors.add(name, message)
    errors.raise_if_any()
    door.used_at = ctx.clock.now()
    written += attach_in_session(session, store, instance.id, checked, None, door.used_at)
    session.flush()
    send_message(
        ctx,
        door.message_name,
        {**answer, "tracking_code": instance.tracking_code},
        correlation={"tracking_code": instance.tracking_code},
        session=session,
    )
    return {"tracking_code": instance.tracking_code, "process_key": instance.process_key}
