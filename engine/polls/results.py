"""A poll's results as they come in, their export, and closing a poll early (a staff action).

Results are for the opinion department and the supervisors whose scope covers the poll process
(``Viewer.may_oversee``). Closing a poll sends ``opinion_poll_closed`` to its case, which waits for that
message or for its closing moment, whichever comes first, and then goes on to the analysis.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar.jalali import to_jalali_str
from engine.context import Context
from engine.errors import N_, Conflict, Forbidden
from engine.models import MessageSubscription, ProcessInstance
from engine.org.access import load_viewer
from engine.polls.answers import find_poll, is_open
from engine.polls.tally import answers_of, summary
from engine.runtime.messages import send_message

PROCESS = "opinion_poll"
STAFF = ("opinion_expert", "opinion_head")
CLOSED_MESSAGE = "opinion_poll_closed"


def _require_staff(ctx: Context, session: Session, user: str) -> None:
    if not load_viewer(ctx, session, user, ctx.clock.now()).may_oversee(PROCESS, STAFF):
        raise Forbidden(N_("A poll's results are for the public opinion department."))


def results(ctx: Context, user: str, code: str) -> dict:
    """The poll, whether it is open, and its results so far."""
    with ctx.db.read() as session:
        _require_staff(ctx, session, user)
        poll = find_poll(session, code)
        rows = [a.answers for a in answers_of(session, poll)]
        return {
            "code": poll.code,
            "title": poll.title,
            "instance_id": poll.instance_id,
            "open": is_open(poll, ctx.clock.now()),
            "opened_at": poll.opened_at.isoformat(),
            "closes_at": poll.closes_at.isoformat(),
            "closed_at": poll.closed_at.isoformat() if poll.closed_at else None,
            **summary(poll, rows),
        }


def export_table(ctx: Context, user: str, code: str) -> tuple[list[str], list[list]]:
    """One row per answer (its Jalali date and time, then each question's answer as text)."""
    with ctx.db.read() as session:
        _require_staff(ctx, session, user)
        poll = find_poll(session, code)
        header = ["answered_at", *(q["text"] for q in poll.questions)]
        table = []
        for row in answers_of(session, poll):
            cells = [to_jalali_str(row.answered_at, with_time=True, persian_digits=False)]
            for q in poll.questions:
                value = row.answers.get(q["id"])
                if q["kind"] == "choice" and value is not None:
                    value = q["options"][value - 1]
                cells.append(value if value is not None else "")
            table.append(cells)
        return header, table


def close(ctx: Context, code: str, user: str) -> None:
    """Close a poll now; its case goes on to the analysis (in the same transaction)."""
    with ctx.db.transaction() as session:
        _require_staff(ctx, session, user)
        poll = find_poll(session, code)
        if not is_open(poll, ctx.clock.now()):
            raise Conflict(N_("This poll is already closed."))
        poll.closed_at, poll.closed_by = ctx.clock.now(), user
        waiting = session.scalar(
            select(MessageSubscription.id)
            .join(ProcessInstance, ProcessInstance.id == MessageSubscription.instance_id)
            .where(
                MessageSubscription.instance_id == poll.instance_id,
                MessageSubscription.message_name == CLOSED_MESSAGE,
            )
        )
        if waiting is not None:
            send_message(ctx, CLOSED_MESSAGE, {"poll_code": poll.code}, session=session)
