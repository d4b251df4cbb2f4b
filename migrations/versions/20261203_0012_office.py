"""office automation: referral copies, notification settings and digests, claims through a delegation

- ``case_copy``: a copy (رونوشت) of a case to a user, who may then read it;
- ``notification_setting``: at once / daily digest / off, by e-mail or SMS; ``notification.sent_at``;
- ``human_task.delegation_id``: the delegation a claim was made through (it lapses with it);
- ``role.rank``: head or expert of its unit (where a referral goes up or down), set for the known roles.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

HEADS = ("deputy", "coord_head", "social_head", "opinion_head", "protocol_head", "unit_pr_manager")
EXPERTS = ("coord_expert", "social_expert", "opinion_expert", "protocol_expert", "legal_expert", "unit_pr_expert")


def upgrade():
    op.create_table(
        "case_copy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("sent_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", engine.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_case_copy_instance_id_process_instance"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_case_copy_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_copy")),
        sa.UniqueConstraint("instance_id", "user_id", name=op.f("uq_case_copy_instance_id")),
    )
    op.create_index(op.f("ix_case_copy_instance_id"), "case_copy", ["instance_id"], unique=False)
    op.create_index(op.f("ix_case_copy_user_id"), "case_copy", ["user_id"], unique=False)
    op.create_table(
        "notification_setting",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("mobile", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_notification_setting_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_setting")),
    )
    with op.batch_alter_table("notification") as batch_op:
        batch_op.add_column(sa.Column("sent_at", engine.models.UTCDateTime(), nullable=True))
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.add_column(sa.Column("delegation_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("role") as batch_op:
        batch_op.add_column(sa.Column("rank", sa.String(length=16), nullable=True))
    role = sa.table("role", sa.column("code", sa.String), sa.column("rank", sa.String))
    op.execute(role.update().where(role.c.code.in_(HEADS)).values(rank="head"))
    op.execute(role.update().where(role.c.code.in_(EXPERTS)).values(rank="expert"))


def downgrade():
    with op.batch_alter_table("role") as batch_op:
        batch_op.drop_column("rank")
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.drop_column("delegation_id")
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_column("sent_at")
    op.drop_table("notification_setting")
    op.drop_index(op.f("ix_case_copy_user_id"), table_name="case_copy")
    op.drop_index(op.f("ix_case_copy_instance_id"), table_name="case_copy")
    op.drop_table("case_copy")
