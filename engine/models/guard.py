"""What guards the doors from abuse, shared by every web process: rate counters and spam challenges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime


class RateHit(Base):
    """One counted hit (a public submission, a failed login) under a key such as ``login-user:ali``."""

    __tablename__ = "rate_hit"
    __table_args__ = (Index("ix_rate_hit_key_at", "key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Challenge(Base):
    """A spam challenge handed to a page: the client gets only the nonce, the answer stays here, and it
    is deleted by the first attempt to answer it (single use)."""

    __tablename__ = "challenge"
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    answer: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
