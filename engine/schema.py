"""Upgrading the database schema with the Alembic migrations in ``migrations/``."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from engine.db import database_url
from engine.models import Base
from engine.resources import resource_dir

# The tables Alembic migrates (and Flask-Migrate compares the models with).
METADATA = Base.metadata

MIGRATIONS = resource_dir("migrations")


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
