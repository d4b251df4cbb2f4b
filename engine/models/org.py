"""The organisation's tables: units, roles, users, their positions and delegations, calendar closures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, utcnow


class OrgUnit(Base):
    """The Center, the PR Deputy, its departments and the subsidiary units (regions, deputies, ...)."""

    __tablename__ = "org_unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    name_fa: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    parent: Mapped[OrgUnit | None] = relationship(remote_side="OrgUnit.id")


class Role(Base):
    """A role a BPMN lane names. ``per_unit`` roles go to the holders in the task's unit only."""

    __tablename__ = "role"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_fa: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    per_unit: Mapped[bool] = mapped_column(Boolean, default=True)
    #: "head" (رئیس، مدیر) or "expert" (کارشناس) of its unit: where a referral goes up or down.
    rank: Mapped[str | None] = mapped_column(String(16))


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    api_token_hash: Mapped[str | None] = mapped_column(String(128), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="fa")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Raised when the user logs out or gets a new password: every session signed with an older one ends.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    positions: Mapped[list[Position]] = relationship(back_populates="user", cascade="all, delete-orphan")


class Position(Base):
    """A user holding a role in a unit."""

    __tablename__ = "position"
    __table_args__ = (UniqueConstraint("user_id", "role_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    user: Mapped[User] = relationship(back_populates="positions")
    role: Mapped[Role] = relationship()
    unit: Mapped[OrgUnit] = relationship()


class Delegation(Base):
    """A position handed to a substitute for a period (leave, mission)."""

    __tablename__ = "delegation"
    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), index=True)
    substitute_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[Position] = relationship()


class CalendarClosure(Base):
    """An extra non-working day an administrator adds to the official holidays."""

    __tablename__ = "calendar_closure"
    day: Mapped[datetime] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(300))
