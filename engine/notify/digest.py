"""The daily digest: one message a day per user instead of one per event.

A ``digest`` job (in the job table, run by the worker's tick like every other job) falls due each day
at ``DIGEST_HOUR`` in Tehran. It gathers every user's unread notices that no message has carried yet
(group tasks, and everything of those who chose the daily digest), one line per case, and queues one
e-mail or SMS job per user — the job queue retries them and a failure is visible in the monitor —
then schedules the next day's digest. Users who chose "off" get nothing outside the app.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.calendar.jalali import TEHRAN, to_persian_digits
from engine.context import Context
from engine.models import Job, Notification, ProcessInstance, User
from engine.notify.email import base_url
from engine.notify.settings import OFF, SMS, settings_in
from engine.states import JobStatus

JOB_KIND = "digest"
DIGEST_HOUR = 7
#: Lines (cases) a digest lists; the rest are counted.
MAX_LINES = 10

SUBJECT = {"fa": "روند: {n} پرونده در کارتابل شما", "en": "Ravand: {n} cases in your inbox"}
GREETING = {
    "fa": "{name} گرامی،\n\nاز آخرین خلاصه، این پرونده‌ها خبر تازه دارند:\n",
    "en": "Dear {name},\n\nSince the last digest, these cases have news:\n",
}
LINE = {"fa": "- {title} ({n} اعلان)", "en": "- {title} ({n} notices)"}
MORE = {"fa": "و {n} پرونده دیگر.", "en": "and {n} more cases."}
SIGNATURE = {
    "fa": "\nروند — معاونت روابط عمومی شهرداری تهران\n",
    "en": "\nRavand — Public Relations Deputy, Tehran Municipality\n",
}


def next_digest_at(now: datetime) -> datetime:
    """The next ``DIGEST_HOUR`` o'clock in Tehran after ``now``."""
    local = now.astimezone(TEHRAN)
    moment = datetime.combine(local.date(), time(DIGEST_HOUR), tzinfo=TEHRAN)
    return moment if moment > local else moment + timedelta(days=1)


def schedule_digest(ctx: Context) -> None:
    """Make sure a digest job is waiting (the worker and the web scheduler call this when they start)."""
    with ctx.db.transaction() as session:
        waiting = (JobStatus.PENDING, JobStatus.RUNNING)
        pending = select(Job.id).where(Job.kind == JOB_KIND, Job.status.in_(waiting)).limit(1)
        if session.scalar(pending) is None:
            session.add(Job(kind=JOB_KIND, due_at=next_digest_at(ctx.clock.now())))


def send_digests(session: Session, now: datetime) -> int:
    """The digest job: one message per user with notices no message has carried; schedules the next
    one. Returns how many messages were queued."""
    pending = (
        select(Notification.user_id, Notification.instance_id, func.count().label("n"), ProcessInstance.title)
        .outerjoin(ProcessInstance, ProcessInstance.id == Notification.instance_id)
        .where(Notification.read_at.is_(None), Notification.sent_at.is_(None), Notification.created_at <= now)
        .group_by(Notification.user_id, Notification.instance_id, ProcessInstance.title)
        .order_by(Notification.user_id, func.max(Notification.created_at).desc())
    )
    cases: dict[int, list[tuple[str, int]]] = {}
    for row in session.execute(pending):
        cases.setdefault(row.user_id, []).append((row.title or "-", row.n))
    users = {
        u.id: u for u in session.scalars(select(User).where(User.id.in_(cases), User.is_active.is_(True)))
    }
    settings = settings_in(session, list(users))
    queued = 0
    for user_id, user in users.items():
        setting = settings[user_id]
        if setting.mode == OFF:
            continue
        locale = "en" if user.locale == "en" else "fa"
        if setting.channel == SMS and setting.mobile:
            payload = {"receptor": setting.mobile, "message": _sms(locale, cases[user_id])}
            session.add(Job(kind="sms", due_at=now, payload=payload))
        elif setting.channel != SMS and user.email:
            subject, body = _mail(locale, user.full_name, cases[user_id])
            session.add(
                Job(kind="email", due_at=now, payload={"to": user.email, "subject": subject, "body": body})
            )
        else:
            continue
        queued += 1
        session.execute(
            update(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.read_at.is_(None),
                Notification.sent_at.is_(None),
            )
            .where(Notification.created_at <= now)
            .values(sent_at=now)
        )
    session.add(Job(kind=JOB_KIND, due_at=next_digest_at(now), status=JobStatus.PENDING))
    return queued


def _digits(locale: str, text: str) -> str:
    return to_persian_digits(text) if locale == "fa" else text


def _mail(locale: str, name: str, cases: list[tuple[str, int]]) -> tuple[str, str]:
    subject = _digits(locale, SUBJECT[locale].format(n=len(cases)))
    lines = [GREETING[locale].format(name=name)]
    lines += [_digits(locale, LINE[locale].format(title=title, n=n)) for title, n in cases[:MAX_LINES]]
    if len(cases) > MAX_LINES:
        lines.append(_digits(locale, MORE[locale].format(n=len(cases) - MAX_LINES)))
    link = base_url()
    if link:
        lines.append(f"\n{link}/inbox/notifications/")
    return subject, "\n".join(lines) + "\n" + SIGNATURE[locale]


def _sms(locale: str, cases: list[tuple[str, int]]) -> str:
    text = _digits(locale, SUBJECT[locale].format(n=len(cases)))
    link = base_url()
    return text + (f"\n{link}/inbox/notifications/" if link else "")
