"""signal subscriptions: the waiting signal catches of every instance, derived from its state

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signal_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("element_id", sa.String(length=128), nullable=False),
        sa.Column("signal_name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_signal_subscription_instance_id_process_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_subscription")),
    )
    with op.batch_alter_table("signal_subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signal_subscription_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_signal_subscription_signal_name"), ["signal_name"], unique=False)


def downgrade():
    with op.batch_alter_table("signal_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signal_subscription_signal_name"))
        batch_op.drop_index(batch_op.f("ix_signal_subscription_instance_id"))
    op.drop_table("signal_subscription")
