"""What a notice's e-mail says, in the user's language (``engine.notify.mail`` sends it through the
job queue; ``RAVAND_BASE_URL`` gives the links in the mail)."""

from __future__ import annotations

import os

from engine.notify.kinds import (
    CASE_COPIED,
    TASK_ARRIVED,
    TASK_OVERDUE,
    TASK_REASSIGNED,
    TASK_REFERRED,
    TASK_RETURNED,
    OutgoingMessage,
)

SUBJECTS = {
    "fa": {
        TASK_ARRIVED: "روند: کار تازه «{task}»",
        TASK_REASSIGNED: "روند: کار «{task}» به شما واگذار شد",
        TASK_OVERDUE: "روند: مهلت کار «{task}» گذشته است",
        TASK_REFERRED: "روند: کار «{task}» به شما ارجاع شد",
        CASE_COPIED: "روند: رونوشت پرونده «{title}» برای آگاهی شما",
        TASK_RETURNED: "روند: کار «{task}» به کارتابل گروه برگشت",
    },
    "en": {
        TASK_ARRIVED: "Ravand: new task '{task}'",
        TASK_REASSIGNED: "Ravand: the task '{task}' was assigned to you",
        TASK_OVERDUE: "Ravand: the task '{task}' is overdue",
        TASK_REFERRED: "Ravand: the task '{task}' was referred to you",
        CASE_COPIED: "Ravand: a copy of the case '{title}' for your information",
        TASK_RETURNED: "Ravand: the task '{task}' went back to the group",
    },
}
BODIES = {
    "fa": (
        "{name} گرامی،\n\n{subject}\nپرونده: {title}\n{note}\n{link}\n\n"
        "روند — معاونت روابط عمومی شهرداری تهران\n"
    ),
    "en": (
        "Dear {name},\n\n{subject}\nCase: {title}\n{note}\n{link}\n\n"
        "Ravand — Public Relations Deputy, Tehran Municipality\n"
    ),
}
NOTE = {"fa": "هامش: {note}\n", "en": "Note: {note}\n"}


def subject_of(message: OutgoingMessage) -> str:
    locale = message.locale if message.locale in SUBJECTS else "fa"
    return SUBJECTS[locale][message.kind].format(task=message.task_name, title=message.instance_title)


def base_url() -> str:
    return (os.environ.get("RAVAND_BASE_URL") or "").rstrip("/")


def mail_payload(message: OutgoingMessage) -> dict:
    """The ``email`` job of one notice (``engine.notify.mail`` sends it): address, subject, body."""
    locale = message.locale if message.locale in SUBJECTS else "fa"
    subject = subject_of(message)
    link = f"{base_url()}/inbox/tasks/{message.task_id}" if base_url() else ""
    note = NOTE[locale].format(note=message.note) if message.note else ""
    body = BODIES[locale].format(
        name=message.full_name, subject=subject, title=message.instance_title, note=note, link=link
    )
    # The job is not the instance's (a suspended case still tells its people); a last failure is an
    # incident of the case.
    return {"to": message.email, "subject": subject, "body": body, "from_instance": message.instance_id}
