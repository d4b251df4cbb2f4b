"""worker heartbeat: one row per running ``ravand worker`` for the readiness check and metrics

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 16:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "worker_heartbeat",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("started_at", engine.models.UTCDateTime(), nullable=False),
        sa.Column("beat_at", engine.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_worker_heartbeat")),
    )


def downgrade():
    op.drop_table("worker_heartbeat")
