"""Publishing an opinion poll's questionnaire (OPINION-2): from the poll process's design to a public page.

The poll process designs its questions in a repeating list (text, kind, options) and publishes them with
the ``publishPoll`` property of a user task (see ``engine.duties.completion``). A published poll has an
unguessable ``code`` (its public address ``/polls/<code>``), a closing moment (the end of its closing day
in Tehran) and its questions, each ``{"id": "q1", "text": …, "kind": "choice"|"scale"|"text",
"options": […]}``.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar.jalali import TEHRAN
from engine.errors import N_, Conflict, InvalidData
from engine.models import Poll
from engine.protocol.calendar import parse_day

KINDS = ("choice", "scale", "text")
SCALE = ("1", "2", "3", "4", "5")
_OPTION_SEPARATORS = re.compile(r"\s*[,،؛;\n]\s*")


def questions_from(rows) -> list[dict]:
    """The questions of a design's repeating list (``question_text``, ``question_kind``,
    ``question_options`` separated by commas, Persian or Latin)."""
    questions = []
    for number, row in enumerate(rows or [], start=1):
        text = str(row.get("question_text") or "").strip()
        kind = row.get("question_kind") or "choice"
        if not text or kind not in KINDS:
            raise InvalidData(N_("Question {n} of the poll is not complete."), n=number)
        options = [o for o in _OPTION_SEPARATORS.split(str(row.get("question_options") or "").strip()) if o]
        if kind == "choice" and len(options) < 2:
            raise InvalidData(N_("Question {n} of the poll needs at least two options."), n=number)
        questions.append(
            {"id": f"q{number}", "text": text, "kind": kind, "options": options if kind == "choice" else []}
        )
    if not questions:
        raise InvalidData(N_("A poll needs at least one question."))
    return questions


def closing_moment(day) -> datetime:
    """The end of a closing day in Tehran, in UTC."""
    return datetime.combine(parse_day(day), time(23, 59, 59), tzinfo=TEHRAN).astimezone(UTC)


def publish(session: Session, instance_id: int, values: dict, now: datetime) -> dict:
    """Publish the case's poll (in the caller's transaction); returns what the process keeps of it."""
    if not isinstance(values, dict):
        raise InvalidData(N_("The poll of this step is not valid."))
    if session.scalar(select(Poll.id).where(Poll.instance_id == instance_id)) is not None:
        raise Conflict(N_("The poll of this case is already published."))
    closes_at = closing_moment(values.get("closes_on"))
    if parse_day(values.get("closes_on")) <= now.astimezone(TEHRAN).date():
        raise InvalidData(
            N_("The poll must close on a later day."),
            field_errors={"poll_closes_on": N_("Choose a day after today.")},
        )
    poll = Poll(
        instance_id=instance_id,
        code=secrets.token_urlsafe(12),
        secret=secrets.token_hex(32),
        title=str(values.get("title") or "")[:300],
        intro=str(values.get("intro") or "") or None,
        questions=questions_from(values.get("questions")),
        opened_at=now,
        closes_at=closes_at,
    )
    session.add(poll)
    session.flush()
    return {"code": poll.code, "closes_at": closes_at.isoformat()}
