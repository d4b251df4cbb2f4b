"""drop human_task.overdue: whether a task is overdue is due_at < now, never a stored flag

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("overdue")


def downgrade():
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("overdue", sa.Boolean(), nullable=False, server_default=sa.false()))
