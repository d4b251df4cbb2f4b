"""job.started_at: when the current attempt of a job began (committed before the job runs)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 16:00:00

A job whose attempt started but never finished killed its runner (a crash); it is not run again
without a supervisor's retry.
"""

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_at", engine.models.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("started_at")
