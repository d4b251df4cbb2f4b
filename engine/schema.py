"""The tables' metadata, for what manages the schema outside the engine (Flask-Migrate, Alembic)."""

from __future__ import annotations

from engine.models import Base

metadata = Base.metadata
