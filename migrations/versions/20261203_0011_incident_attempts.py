"""incident attempts: a retry that fails again counts on the same incident, with when it was last tried

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 18:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("incident") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("last_attempt_at", engine.models.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("incident") as batch:
        batch.drop_column("last_attempt_at")
        batch.drop_column("attempts")
