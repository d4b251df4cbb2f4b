"""Opening and closing doors as instances come to wait for someone outside (see engine/models/doors.py).

When a waiting message catch that the catalog names in ``doors`` gets its subscription, a door with
a fresh secret token is opened and the link is sent through the job queue: by SMS (kind ``sms``)
unless the person opted out (``sms_opt_out`` in the case's data) or left no mobile, and by e-mail
(kind ``email``) when the door names an ``email`` field the person filled in and Ravand has an SMTP
server (``RAVAND_SMTP_HOST``). A door whose wait has ended (answered, timed out, instance ended) is
closed.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar.jalali import to_persian_digits
from engine.context import Context
from engine.models import Door, Job, MessageSubscription, ProcessInstance
from engine.notify.mail import mail_enabled
from engine.notify.sms import normalize_mobile


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def door_link(code: str, token: str) -> str:
    """The public link; ``RAVAND_PUBLIC_URL`` is the site's address as citizens reach it."""
    base = os.environ.get("RAVAND_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    return f"{base}/public/door/{code}/{token}"


def sync_doors(ctx: Context, session: Session, instance: ProcessInstance, workflow, now: datetime) -> None:
    """Open a door for each newly waiting public catch, close those whose wait is over."""
    entry = ctx.catalog.get(instance.process_key)
    if entry is None or not entry.doors or not instance.tracking_code:
        return
    waiting = {
        s.task_id: s
        for s in session.scalars(
            select(MessageSubscription).where(MessageSubscription.instance_id == instance.id)
        )
    }
    doors = session.scalars(select(Door).where(Door.instance_id == instance.id)).all()
    for door in doors:
        if door.closed_at is None and door.task_id not in waiting:
            door.closed_at = now
    known = {door.task_id for door in doors}
    for task_id, sub in waiting.items():
        spec = entry.door(sub.element_id)
        if spec is None or task_id in known:
            continue
        token = secrets.token_urlsafe(24)
        session.add(
            Door(
                instance_id=instance.id,
                task_id=task_id,
                element_id=sub.element_id,
                message_name=sub.message_name,
                form_key=spec["form"],
                audience=spec.get("audience", "citizen"),
                token_hash=token_hash(token),
                created_at=now,
            )
        )
        data = workflow.get_task_from_id(UUID(task_id)).data
        _send_link(session, instance, spec, data, token, now)


def _send_link(
    session: Session, instance: ProcessInstance, spec: dict, data: dict, token: str, now: datetime
) -> None:
    code = instance.tracking_code
    invitation = spec.get("sms_fa", "لطفاً به درخواست شما پاسخ دهید")
    text = (
        f"{invitation}:\n{door_link(code, token)}\n"
        f"کد رهگیری: {to_persian_digits(code)}\nروابط عمومی شهرداری تهران"
    )
    # The jobs are not the instance's (a suspended case still gets its link); after the last retry a
    # failure is an incident of the case (``from_instance``), seen in the monitor, and the door stays
    # open: an instance with an incident still takes messages.
    receptor = normalize_mobile(str(data.get(spec.get("mobile", "phone")) or ""))
    if receptor is not None and not data.get("sms_opt_out"):
        session.add(
            Job(
                kind="sms",
                due_at=now,
                payload={"receptor": receptor, "message": text, "from_instance": instance.id},
            )
        )
    address = str(data.get(spec["email"]) or "").strip() if spec.get("email") else ""
    if "@" in address and mail_enabled():
        subject = f"روابط عمومی شهرداری تهران — کد رهگیری {to_persian_digits(code)}"
        session.add(
            Job(
                kind="email",
                due_at=now,
                payload={"to": address, "subject": subject, "body": text, "from_instance": instance.id},
            )
        )
