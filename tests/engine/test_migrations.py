"""The Alembic migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from engine.models import Base
from engine.schema import upgrade
from tests.conftest import POSTGRES_SKIP_REASON, POSTGRES_URL


def _differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()


def test_migrations_match_the_models_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    upgrade(url)
    assert _differences(url) == []
    upgrade(url)  # a second upgrade is a no-op


@pytest.mark.postgres
def test_migrations_match_the_models_on_postgres():
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP_REASON)
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS ravand_migrations CASCADE"))
        conn.execute(text("CREATE SCHEMA ravand_migrations"))
    engine.dispose()
    url = POSTGRES_URL + ("&" if "?" in POSTGRES_URL else "?") + "options=-csearch_path%3Dravand_migrations"
    try:
        upgrade(url)
        check = create_engine(url)
        assert "process_instance" in inspect(check).get_table_names()
        check.dispose()
        assert _differences(url) == []
    finally:
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA ravand_migrations CASCADE"))
        engine.dispose()


def test_the_search_text_of_existing_cases_and_tasks_is_filled_in(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0010")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO process_definition (id, key, version, name, content_hash, deployed_at)"
                " VALUES (1, 'p', 1, 'p', 'h', '2026-12-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO process_instance (id, definition_id, process_key, status, business_key, title,"
                " tracking_code, started_at, updated_at, state, state_version) VALUES (1, 1, 'p', 'running',"
                " 'K-۱۲', 'ارزيابي  عملكرد', '1234567890', '2026-12-01', '2026-12-01', x'', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO human_task (id, instance_id, process_key, element_id, name, state, priority,"
                " created_at) VALUES ('t', 1, 'p', 'e', 'بررسي\u200cها', 'open', 0, '2026-12-01')"
            )
        )
    engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT search_text FROM process_instance")).scalar() == (
            "ارزیابی عملکرد k-12 1234567890"
        )
        assert conn.execute(text("SELECT search_text FROM human_task")).scalar() == "بررسیها"
    engine.dispose()
