"""Answering a published poll, without logging in: one answer per mobile number.

A respondent gives a mobile number (``09xxxxxxxxx``, Persian or Latin digits, ``+98`` accepted). The poll
keeps only a keyed hash of it (HMAC-SHA256 with the poll's own secret): enough to refuse a second
answer from the same number, never the number itself. A poll takes answers until it is closed by staff
or its closing moment passes.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.calendar.jalali import to_latin_digits
from engine.context import Context
from engine.definitions.identifiers import mobile
from engine.errors import N_, Conflict, FieldErrors, InvalidData, NotFound
from engine.models import Poll, PollAnswer
from engine.polls.publishing import SCALE

MAX_TEXT = 1000


def normalise_mobile(value) -> str:
    """``09121234567`` from what a person types: Persian digits, spaces, dashes, +98 or 0098."""
    try:
        return mobile(str(value or ""))
    except ValueError:
        raise InvalidData(
            N_("Enter a mobile number like 09121234567."),
            field_errors={"phone": N_("A mobile number has 11 digits and starts with 09.")},
        ) from None


def respondent_key(poll: Poll, mobile: str) -> str:
    return hmac.new(poll.secret.encode(), mobile.encode(), hashlib.sha256).hexdigest()


def is_open(poll: Poll, now: datetime) -> bool:
    return poll.closed_at is None and now < poll.closes_at


def find_poll(session: Session, code: str) -> Poll:
    poll = session.scalar(select(Poll).where(Poll.code == str(code)[:32]))
    if poll is None:
        raise NotFound(N_("There is no such poll."))
    return poll


def questionnaire(ctx: Context, code: str) -> dict:
    """What the public page shows: the poll's title, introduction, questions and whether it is open."""
    with ctx.db.read() as session:
        poll = find_poll(session, code)
        return {
            "code": poll.code,
            "title": poll.title,
            "intro": poll.intro,
            "questions": poll.questions,
            "open": is_open(poll, ctx.clock.now()),
            "closes_at": poll.closes_at.isoformat(),
        }


def clean_answers(questions: list[dict], answers: dict) -> dict:
    """Each question's answer checked against it: an option's number, a scale point, or short text."""
    errors = FieldErrors()
    cleaned = {}
    for question in questions:
        value = to_latin_digits(str(answers.get(question["id"]) or "")).strip()
        if question["kind"] == "text":
            if len(value) > MAX_TEXT:
                errors.add(question["id"], N_("must be at most {n} characters"), n=MAX_TEXT)
            elif value:
                cleaned[question["id"]] = value
            continue
        allowed = (
            SCALE if question["kind"] == "scale" else [str(n) for n in range(1, len(question["options"]) + 1)]
        )
        if not value:
            errors.add(question["id"], N_("this field is required"))
        elif value not in allowed:
            errors.add(question["id"], N_("is not one of the allowed choices"))
        else:
            cleaned[question["id"]] = int(value)
    errors.raise_if_any()
    return cleaned


def answer(ctx: Context, code: str, mobile, answers: dict) -> None:
    """Record one respondent's answers, once per mobile number, while the poll is open."""
    with ctx.db.transaction() as session:
        poll = find_poll(session, code)
        now = ctx.clock.now()
        if not is_open(poll, now):
            raise Conflict(N_("This poll is closed; it no longer takes answers."))
        key = respondent_key(poll, normalise_mobile(mobile))
        cleaned = clean_answers(poll.questions, answers if isinstance(answers, dict) else {})
        if session.scalar(
            select(PollAnswer.id).where(PollAnswer.poll_id == poll.id, PollAnswer.respondent == key)
        ):
            raise _answered()
        session.add(PollAnswer(poll_id=poll.id, respondent=key, answers=cleaned, answered_at=now))
        try:
            session.flush()
        except IntegrityError:  # the same number, a moment ago, in another transaction
            raise _answered() from None


def _answered() -> Conflict:
    return Conflict(N_("This mobile number has already answered the poll; thank you."))
