"""E-mail: one notice at once in the user's language, or a day's digest, over SMTP.

Active whenever ``RAVAND_SMTP_HOST`` is set (``RAVAND_SMTP_PORT``, ``RAVAND_SMTP_FROM``,
``RAVAND_BASE_URL`` for the links in the mail).
"""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

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
# Folding a Persian subject into several encoded words loses the space at the fold (CPython's encoder):
# long header lines keep each subject whole.
_UNFOLDED = policy.default.clone(max_line_length=998)
NOTE = {"fa": "هامش: {note}\n", "en": "Note: {note}\n"}


def subject_of(message: OutgoingMessage) -> str:
    locale = message.locale if message.locale in SUBJECTS else "fa"
    return SUBJECTS[locale][message.kind].format(task=message.task_name, title=message.instance_title)


def base_url() -> str:
    return (os.environ.get("RAVAND_BASE_URL") or "").rstrip("/")


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
            base_url=base_url(),
        )

    def compose(self, message: OutgoingMessage) -> EmailMessage:
        locale = message.locale if message.locale in SUBJECTS else "fa"
        subject = subject_of(message)
        link = f"{self.base_url}/inbox/tasks/{message.task_id}" if self.base_url else ""
        note = NOTE[locale].format(note=message.note) if message.note else ""
        body = BODIES[locale].format(
            name=message.full_name, subject=subject, title=message.instance_title, note=note, link=link
        )
        return self.mail(message.email or "", subject, body)

    def mail(self, to: str, subject: str, body: str) -> EmailMessage:
        mail = EmailMessage(policy=_UNFOLDED)
        mail["Subject"] = subject
        mail["From"] = self.sender
        mail["To"] = to
        mail.set_content(body)
        return mail

    def send(self, message: OutgoingMessage) -> None:
        if not message.email:
            return
        self.send_mail(self.compose(message))

    def send_mail(self, mail: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(mail)
