"""process settings: who may start a process and its archiving, set in the studio

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:00:00

The archiving moves from the draft to the settings (a process may be archived without a draft).
"""

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "process_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("starters", sa.JSON(), nullable=True),
        sa.Column("archived_at", engine.models.UTCDateTime(), nullable=True),
        sa.Column("archived_by", sa.String(length=64), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", engine.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_settings")),
        sa.UniqueConstraint("key", name=op.f("uq_process_settings_key")),
    )
    # Archived drafts become archived settings; their starters stay the catalog's until a designer sets them.
    op.execute(
        "INSERT INTO process_settings (key, starters, archived_at, archived_by, updated_by, updated_at) "
        "SELECT key, NULL, archived_at, archived_by, archived_by, archived_at FROM process_draft "
        "WHERE archived_at IS NOT NULL"
    )
    with op.batch_alter_table("process_draft", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
        batch_op.drop_column("archived_by")


def downgrade():
    with op.batch_alter_table("process_draft", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("archived_at", engine.models.UTCDateTime(), nullable=True))
    op.drop_table("process_settings")
