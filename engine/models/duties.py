"""The tables of the departments' own tools: the letter registry, the mayor's calendar, opinion polls."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime, utcnow


class LetterSeries(Base):
    """A numbering series of letters: one per issuing unit and Jalali year; ``last_number`` grows by one
    per letter, under the row's lock, so that no two letters of a series share a number."""

    __tablename__ = "letter_series"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    prefix: Mapped[str] = mapped_column(String(16))
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Letter(Base):
    """A letter a process produced, with its registry number (``۱۴۰۵/ت/۱۲۳``) and Jalali date."""

    __tablename__ = "letter"
    __table_args__ = (UniqueConstraint("series_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("letter_series.id"))
    number: Mapped[int] = mapped_column(Integer)
    registry_number: Mapped[str] = mapped_column(String(64), unique=True)
    jalali_date: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(300))
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_name: Mapped[str | None] = mapped_column(String(300))
    issued_by: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MayorEngagement(Base):
    """One occasion on the mayor's calendar, as the protocol processes record it (an invitation under
    review, accepted, handed to a representative or declined)."""

    __tablename__ = "mayor_engagement"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(300))
    venue: Mapped[str | None] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Poll(Base):
    """A public questionnaire published by an opinion poll's process; ``code`` is its unguessable
    address. ``secret`` keys the hashes of respondents' phone numbers (one answer per number)."""

    __tablename__ = "poll"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), unique=True
    )
    code: Mapped[str] = mapped_column(String(32), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    intro: Mapped[str | None] = mapped_column(Text)
    questions: Mapped[list] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(64))


class PollAnswer(Base):
    """One respondent's answers; ``respondent`` is a keyed hash of their phone number, never the number."""

    __tablename__ = "poll_answer"
    __table_args__ = (UniqueConstraint("poll_id", "respondent"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"), index=True)
    respondent: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
