"""Process definitions: immutable, content-addressed versions with their files, the designers' drafts
and their settings."""

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, utcnow


class ProcessDefinition(Base):
    """One immutable, content-addressed version of a process key."""

    __tablename__ = "process_definition"
    __table_args__ = (
        UniqueConstraint("key", "version"),
        UniqueConstraint("key", "content_hash", name="uq_process_definition_key_hash"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    files: Mapped[list[DefinitionFile]] = relationship(
        back_populates="definition", cascade="all, delete-orphan", order_by="DefinitionFile.name"
    )


class DefinitionFile(Base):
    """A BPMN, DMN or form file snapshotted with its definition version."""

    __tablename__ = "definition_file"
    __table_args__ = (UniqueConstraint("definition_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    definition: Mapped[ProcessDefinition] = relationship(back_populates="files")


class ProcessDraft(Base):
    """A process model as a designer is editing it: its files, apart from the deployed versions.

    ``revision`` grows by one on every save; a save names the revision it started from, so that a save
    over someone else's newer draft is refused instead of silently overwriting it.
    """

    __tablename__ = "process_draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    files: Mapped[dict] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcessSettings(Base):
    """What designers decide about a process apart from its model: who may start it, and whether it is
    archived (no longer offered to start; running instances go on).

    ``starters`` are role codes, ``"*"`` for every member of staff, or ``"public"`` for citizens, NGOs
    and inviting bodies. Without a row, or while ``starters`` is NULL, the starters are those of
    ``processes/catalog.yaml``: the catalog seeds what the studio then decides.
    """

    __tablename__ = "process_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    starters: Mapped[list | None] = mapped_column(JSON)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_by: Mapped[str | None] = mapped_column(String(64))
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
