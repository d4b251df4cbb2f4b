"""Notifications: an in-app notice when a task arrives, is reassigned, referred, copied, returned or
falls overdue, and how it goes further (e-mail, SMS) as each user chose.

Notices are rows written in the transaction that creates the task, so they exist exactly when the
task does. A notice meant for one person by name (a task given or referred to them, a copy, their
own task falling overdue) goes out at once to whoever chose "immediately", by e-mail or SMS: a job
written in the same transaction, sent by the job runner (a request never waits for a gateway, a
rolled-back transaction sends nothing, a failure is retried and then an incident). A group task's
notices — one per holder of its role — stay in the app: the daily digest (``engine/notify/digest.py``)
carries them, so nobody gets one message per colleague's task. E-mail is on while
``RAVAND_SMTP_HOST`` is set.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Row, bindparam, distinct, func, insert, select
from sqlalchemy.orm import Session

from engine.calendar.jalali import to_persian_digits
from engine.models import HumanTask, Job, Notification, ProcessInstance, User
from engine.notify import mail
from engine.notify.email import base_url, mail_payload, subject_of
from engine.notify.kinds import (
    CASE_COPIED,
    TASK_ARRIVED,
    TASK_OVERDUE,
    TASK_REASSIGNED,
    TASK_REFERRED,
    TASK_RETURNED,
    OutgoingMessage,
)
from engine.notify.settings import IMMEDIATE, SMS, settings_in
from engine.org.holders import HOLDERS

# --- creating notices --------------------------------------------------------------------------------


def notify_new_tasks(session: Session, rows: Iterable, now: datetime) -> None:
    """A notice to each person a new task is for: its assignee (told at once, as they chose), else
    every holder of its role and unit (in the app; the digest tells them).

    ``rows`` are human-task rows or anything with their attributes (the projection passes the values it
    has just inserted). The notices of an unassigned task are written by one INSERT ... SELECT: this
    runs for every task that arrives.
    """
    for row in rows:
        if row.assignee is None and row.role_code is not None:
            params = {"role": row.role_code, "unit": row.unit_id, "now": now}
            params |= {"kind": TASK_ARRIVED, "task": row.id, "instance": row.instance_id, "created_at": now}
            session.connection().execute(_INSERT_HOLDER_NOTICES, params)
        elif row.assignee is not None:
            _notify(session, row, TASK_ARRIVED, _active_user(session, row.assignee), now, direct=True)


def notify_assigned(session: Session, task: HumanTask, now: datetime) -> None:
    """A notice to the user a task has just been given to."""
    _notify(session, task, TASK_REASSIGNED, _active_user(session, task.assignee), now, direct=True)


def notify_referred(session: Session, task: HumanTask, now: datetime, note: str) -> None:
    """A notice, with the referral's note, to the user a task has just been referred to."""
    _notify(session, task, TASK_REFERRED, _active_user(session, task.assignee), now, direct=True, note=note)


def notify_copied(session: Session, task: HumanTask, usernames: list[str], now: datetime, note: str) -> None:
    """A notice to each user who got a copy of the task's case for their information."""
    users = [row for name in usernames for row in _active_user(session, name)]
    _notify(session, task, CASE_COPIED, users, now, direct=True, note=note)


def notify_returned(session: Session, task: HumanTask, now: datetime) -> None:
    """A notice to the holders of a task that went back to their group (its claim lapsed)."""
    _notify(session, task, TASK_RETURNED, recipients(session, task, now), now, direct=False)


def notify_overdue(session: Session, task: HumanTask, now: datetime) -> None:
    """A notice to the people an open task is for, once its due time has passed: its assignee at
    once, a group in the app (and the digest)."""
    _notify(
        session, task, TASK_OVERDUE, recipients(session, task, now), now, direct=task.assignee is not None
    )


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


def _notify(
    session: Session, task, kind: str, users: list[Row], now: datetime, direct: bool, note: str | None = None
) -> None:
    """Write the notices; for a ``direct`` one, send it at once to whoever wants it at once."""
    if not users:
        return
    settings = settings_in(session, [user.id for user in users]) if direct else {}
    at_once = {user.id for user in users if direct and settings[user.id].mode == IMMEDIATE}
    session.connection().execute(
        _INSERT_NOTICES,
        [
            {
                "user_id": user.id,
                "kind": kind,
                "task_id": task.id,
                "instance_id": task.instance_id,
                "created_at": now,
                "sent_at": now if user.id in at_once else None,
            }
            for user in users
        ],
    )
    if not at_once:
        return
    instance = session.get(ProcessInstance, task.instance_id)
    title = (instance.title if instance is not None else None) or task.process_key
    for user in users:
        if user.id not in at_once:
            continue
        message = OutgoingMessage(
            kind=kind,
            username=user.username,
            full_name=user.full_name,
            email=user.email,
            locale=user.locale or "fa",
            task_id=task.id,
            task_name=task.name,
            instance_id=task.instance_id,
            instance_title=title,
            note=note,
        )
        setting = settings[user.id]
        if setting.channel != SMS:
            if user.email and mail.mail_enabled():
                session.add(Job(kind=mail.KIND, due_at=now, payload=mail_payload(message)))
        elif setting.mobile:
            session.add(
                Job(
                    kind="sms", due_at=now, payload={"receptor": setting.mobile, "message": sms_text(message)}
                )
            )


def sms_text(message: OutgoingMessage) -> str:
    """A notice as a short text: its subject and note (Persian digits for a Persian reader), and the link."""
    text = subject_of(message) + (f"\n{message.note[:120]}" if message.note else "")
    if message.locale != "en":
        text = to_persian_digits(text)
    link = base_url()
    return text + (f"\n{link}/inbox/tasks/{message.task_id}" if link else "")


# --- the badge ---------------------------------------------------------------------------------------

#: Notices are read by case: a notice without a case (none today) is a group of its own.
NOTICE_GROUP = func.coalesce(Notification.instance_id, -Notification.id)


def unread_in(session: Session, username: str) -> int:
    """The number on a user's badge, in the caller's session: the cases with an unread notice."""
    return session.scalar(
        select(func.count(distinct(NOTICE_GROUP)))
        .select_from(Notification)
        .join(User, User.id == Notification.user_id)
        .where(User.username == username, Notification.read_at.is_(None))
    )
