"""Counting a poll's answers: per option and scale point, scale averages, the free answers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Poll, PollAnswer

SHOWN_TEXTS = 50


def summary(poll: Poll, rows: list[dict]) -> dict:
    """Counts per option and scale point, scale averages, the latest free answers, and a satisfaction
    index (0–100: the scale questions' mean, 1 → 0 and 5 → 100) when the poll has scale questions."""
    questions, scale_means = [], []
    for question in poll.questions:
        given = [r[question["id"]] for r in rows if question["id"] in r]
        shown = {
            "id": question["id"],
            "text": question["text"],
            "kind": question["kind"],
            "count": len(given),
        }
        if question["kind"] == "text":
            shown["texts"] = given[-SHOWN_TEXTS:][::-1]
        else:
            labels = question["options"] if question["kind"] == "choice" else ["1", "2", "3", "4", "5"]
            counts = [sum(1 for g in given if g == n) for n in range(1, len(labels) + 1)]
            shown["options"] = [
                {"label": label, "count": count, "percent": round(100 * count / len(given)) if given else 0}
                for label, count in zip(labels, counts, strict=True)
            ]
            if question["kind"] == "scale" and given:
                shown["average"] = round(sum(given) / len(given), 2)
                scale_means.append(sum(given) / len(given))
        questions.append(shown)
    index = round(sum((m - 1) * 25 for m in scale_means) / len(scale_means)) if scale_means else None
    return {"answers": len(rows), "questions": questions, "satisfaction_index": index}


def answers_of(session: Session, poll: Poll) -> list[PollAnswer]:
    return session.scalars(
        select(PollAnswer)
        .where(PollAnswer.poll_id == poll.id)
        .order_by(PollAnswer.answered_at, PollAnswer.id)
    ).all()


def results_for_process(session: Session, code: str) -> dict:
    """The results a poll's process reads when it goes on to the analysis."""
    poll = session.scalar(select(Poll).where(Poll.code == str(code)))
    if poll is None:
        return summary(Poll(questions=[]), [])
    return summary(poll, [a.answers for a in answers_of(session, poll)])
