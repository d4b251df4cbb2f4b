"""Doors: a public page where a citizen, an NGO or an inviting body answers a process that waits for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime, utcnow


class Door(Base):
    """One waiting message catch of an instance, opened to the outside by a link with a secret token.

    Only the token's SHA-256 is kept; ``used_at`` is set by the answer, so a link answers once."""

    __tablename__ = "door"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(128))
    message_name: Mapped[str] = mapped_column(String(200))
    form_key: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
