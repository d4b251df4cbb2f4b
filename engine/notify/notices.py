"""Notifications: an in-app notice when a task arrives, is reassigned or falls overdue, and the senders
(e-mail, SMS, ...) that carry it further.

Notices are rows written in the transaction that creates the task, so they exist exactly when the
task does. Senders run only after that transaction has committed, and a sender that fails is logged
and never undoes the work. ``register_sender`` adds a sender (an SMS gateway, say); an SMTP sender is
active whenever ``RAVAND_SMTP_HOST`` is set (``RAVAND_SMTP_PORT``, ``RAVAND_SMTP_FROM``,
``RAVAND_BASE_URL`` for the link in the mail).
"""

from __future__ import annotations

import logging
import os
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import Row, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from engine.context import Context
from engine.errors import N_, NotFound
from engine.models import (
    HumanTask,
    Notification,
    ProcessInstance,
    User,
)
from engine.org.holders import HOLDERS

log = logging.getLogger(__name__)

TASK_ARRIVED = "task_arrived"
TASK_REASSIGNED = "task_reassigned"
TASK_OVERDUE = "task_overdue"
KINDS = (TASK_ARRIVED, TASK_REASSIGNED, TASK_OVERDUE)


@dataclass(frozen=True)
class OutgoingMessage:
    """What a sender needs to tell one person about one task, copied out of the transaction."""

    kind: str
    username: str
    full_name: str
    email: str | None
    locale: str
    task_id: str
    task_name: str
    instance_id: int
    instance_title: str


class Sender(Protocol):
    def send(self, message: OutgoingMessage) -> None: ...


_registered: list[Sender] = []


def register_sender(sender: Sender) -> None:
    _registered.append(sender)


def unregister_sender(sender: Sender) -> None:
    _registered.remove(sender)


def active_senders() -> list[Sender]:
    smtp = SmtpSender.from_env()
    return [*_registered, *([smtp] if smtp is not None else [])]


# --- creating notices --------------------------------------------------------------------------------


def notify_new_tasks(session: Session, rows: Iterable, now: datetime) -> None:
    """A notice to each person a new task is for: its assignee, else every holder of its role and unit.

    ``rows`` are human-task rows or anything with their attributes (the projection passes the values it
    has just inserted). With no sender to hand them to, the notices of an unassigned task are written
    by one INSERT ... SELECT: this runs for every task that arrives.
    """
    quiet = not active_senders()
    for row in rows:
        if quiet and row.assignee is None and row.role_code is not None:
            params = {"role": row.role_code, "unit": row.unit_id, "now": now}
            params |= {"kind": TASK_ARRIVED, "task": row.id, "instance": row.instance_id, "created_at": now}
            session.connection().execute(_INSERT_HOLDER_NOTICES, params)
        else:
            _notify(session, row, TASK_ARRIVED, recipients(session, row, now), now)


def notify_assigned(session: Session, task: HumanTask, now: datetime) -> None:
    """A notice to the user a task has just been given to."""
    _notify(session, task, TASK_REASSIGNED, _active_user(session, task.assignee), now)


def notify_overdue(session: Session, task: HumanTask, now: datetime) -> None:
    """A notice to the people an open task is for, once its due time has passed."""
    _notify(session, task, TASK_OVERDUE, recipients(session, task, now), now)


# Notices are written on every step that creates a task, so the statements are Core ones, built once.
_USERS = User.__table__
_RECIPIENT = select(_USERS.c.id, _USERS.c.username, _USERS.c.full_name, _USERS.c.email, _USERS.c.locale)
_BY_USERNAME = _RECIPIENT.where(_USERS.c.username == bindparam("username"), _USERS.c.is_active.is_(True))


_NOTICES = Notification.__table__
_INSERT_NOTICES = insert(_NOTICES)
_HOLDER_IDS = HOLDERS.subquery()
_INSERT_HOLDER_NOTICES = insert(_NOTICES).from_select(
    ["user_id", "kind", "task_id", "instance_id", "created_at"],
    select(
        _HOLDER_IDS.c.id,
        bindparam("kind", type_=_NOTICES.c.kind.type),
        bindparam("task", type_=_NOTICES.c.task_id.type),
        bindparam("instance", type_=_NOTICES.c.instance_id.type),
        bindparam("created_at", type_=_NOTICES.c.created_at.type),
    ),
)


def _active_user(session: Session, username: str | None) -> list[Row]:
    if username is None:
        return []
    return list(session.connection().execute(_BY_USERNAME, {"username": username}))


def recipients(session: Session, task, now: datetime) -> list[Row]:
    """The assignee; else the holders of the task's role (in its unit if per-unit) and their substitutes.

    Each is a row with the user's id, username, full_name, email and locale.
    """
    if task.assignee is not None:
        return _active_user(session, task.assignee)
    if task.role_code is None:
        return []
    params = {"role": task.role_code, "unit": task.unit_id, "now": now}
    return list(session.connection().execute(HOLDERS, params))


def _notify(session: Session, task, kind: str, users: list[Row], now: datetime) -> None:
    if not users:
        return
    created_at = now
    session.connection().execute(
        _INSERT_NOTICES,
        [
            {
                "user_id": user.id,
                "kind": kind,
                "task_id": task.id,
                "instance_id": task.instance_id,
                "created_at": created_at,
            }
            for user in users
        ],
    )
    instance = session.get(ProcessInstance, task.instance_id)
    title = (instance.title if instance is not None else None) or task.process_key
    messages = [
        OutgoingMessage(
            kind=kind,
            username=user.username,
            full_name=user.full_name,
            email=user.email,
            locale=user.locale or "fa",
            task_id=task.id,
            task_name=task.name,
            instance_id=task.instance_id,
            instance_title=title,
        )
        for user in users
    ]
    session.info.setdefault("after_commit", []).append(lambda: deliver(messages))


def deliver(messages: list[OutgoingMessage]) -> None:
    """Hand each message to every active sender; a failing sender is logged, never raised."""
    senders = active_senders()
    for message in messages:
        for sender in senders:
            try:
                sender.send(message)
            except Exception:
                log.exception("the %s sender failed for %s", type(sender).__name__, message.username)


# --- reading notices ---------------------------------------------------------------------------------


def unread_count(ctx: Context, username: str) -> int:
    with ctx.db.read() as session:
        return unread_in(session, username)


def unread_in(session: Session, username: str) -> int:
    """The number on a user's badge, in the caller's session."""
    return session.scalar(
        select(func.count())
        .select_from(Notification)
        .join(User, User.id == Notification.user_id)
        .where(User.username == username, Notification.read_at.is_(None))
    )


def list_for(
    ctx: Context, username: str, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> list[dict]:
    """A user's notices, newest first, with the task's name and the instance's title."""
    with ctx.db.read() as session:
        return list_in(session, username, unread_only, limit, offset)


def notices_page(ctx: Context, username: str, limit: int = 100) -> tuple[list[dict], int]:
    """The notifications page: the newest notices and the number of unread ones, in one read."""
    with ctx.db.read() as session:
        return list_in(session, username, limit=limit), unread_in(session, username)


def list_in(
    session: Session, username: str, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> list[dict]:
    """``list_for`` in the caller's session."""
    stmt = (
        select(Notification, HumanTask.name, HumanTask.state, ProcessInstance.title)
        .join(User, User.id == Notification.user_id)
        .outerjoin(HumanTask, HumanTask.id == Notification.task_id)
        .outerjoin(ProcessInstance, ProcessInstance.id == Notification.instance_id)
        .where(User.username == username)
    )
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit).offset(offset)
    return [
        {
            "id": n.id,
            "kind": n.kind,
            "task_id": n.task_id,
            "task_name": task_name,
            "task_open": task_state == "open",
            "instance_id": n.instance_id,
            "instance_title": title,
            "created_at": n.created_at.isoformat(),
            "read": n.read_at is not None,
        }
        for n, task_name, task_state, title in session.execute(stmt)
    ]


def mark_read(ctx: Context, username: str, notification_id: int | None = None) -> int:
    """Mark one notice (or, without an id, all of them) read. Returns how many changed."""
    with ctx.db.transaction() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        if notification_id is not None:
            owned = session.scalar(
                select(Notification.id).where(
                    Notification.id == notification_id, Notification.user_id == user_id
                )
            )
            if owned is None:
                raise NotFound(N_("Notification {id} does not exist."), id=notification_id)
            stmt = stmt.where(Notification.id == notification_id)
        return session.execute(stmt.values(read_at=ctx.clock.now())).rowcount


# --- e-mail --------------------------------------------------------------------------------------------

SUBJECTS = {
    "fa": {
        TASK_ARRIVED: "روند: کار تازه «{task}»",
        TASK_REASSIGNED: "روند: کار «{task}» به شما واگذار شد",
        TASK_OVERDUE: "روند: مهلت کار «{task}» گذشته است",
    },
    "en": {
        TASK_ARRIVED: "Ravand: new task '{task}'",
        TASK_REASSIGNED: "Ravand: the task '{task}' was assigned to you",
        TASK_OVERDUE: "Ravand: the task '{task}' is overdue",
    },
}
BODIES = {
    "fa": (
        "{name} گرامی،\n\n{subject}\nپرونده: {title}\n\n{link}\n\nروند — معاونت روابط عمومی شهرداری تهران\n"
    ),
    "en": (
        "Dear {name},\n\n{subject}\nCase: {title}\n\n{link}\n\n"
        "Ravand — Public Relations Deputy, Tehran Municipality\n"
    ),
}


@dataclass(frozen=True)
class SmtpSender:
    """Sends each notice as a plain-text e-mail in the user's language; skips users without an address."""

    host: str
    port: int = 25
    sender: str = "ravand@localhost"
    base_url: str = ""
    timeout: float = 10.0

    @classmethod
    def from_env(cls) -> SmtpSender | None:
        host = os.environ.get("RAVAND_SMTP_HOST")
        if not host:
            return None
        return cls(
            host=host,
            port=int(os.environ.get("RAVAND_SMTP_PORT") or 25),
            sender=os.environ.get("RAVAND_SMTP_FROM") or "ravand@localhost",
            base_url=(os.environ.get("RAVAND_BASE_URL") or "").rstrip("/"),
        )

    def compose(self, message: OutgoingMessage) -> EmailMessage:
        locale = message.locale if message.locale in SUBJECTS else "fa"
        subject = SUBJECTS[locale][message.kind].format(task=message.task_name)
        mail = EmailMessage()
        mail["Subject"] = subject
        mail["From"] = self.sender
        mail["To"] = message.email
        link = f"{self.base_url}/inbox/tasks/{message.task_id}" if self.base_url else ""
        mail.set_content(
            BODIES[locale].format(
                name=message.full_name, subject=subject, title=message.instance_title, link=link
            )
        )
        return mail

    def send(self, message: OutgoingMessage) -> None:
        if not message.email:
            return
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(self.compose(message))
