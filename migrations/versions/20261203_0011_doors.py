"""doors: public answer links for the waits on citizens, NGOs and inviting bodies

Revision ID: 0011
Revises: 0004
Create Date: 2026-12-03 16:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0011"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "door",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("element_id", sa.String(length=128), nullable=False),
        sa.Column("message_name", sa.String(length=200), nullable=False),
        sa.Column("form_key", sa.String(length=200), nullable=False),
        sa.Column("audience", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", engine.models.UTCDateTime(), nullable=False),
        sa.Column("used_at", engine.models.UTCDateTime(), nullable=True),
        sa.Column("closed_at", engine.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_door_instance_id_process_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_door")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_door_token_hash")),
    )
    with op.batch_alter_table("door", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_door_instance_id"), ["instance_id"], unique=False)


def downgrade():
    with op.batch_alter_table("door", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_door_instance_id"))
    op.drop_table("door")
