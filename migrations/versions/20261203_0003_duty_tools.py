"""the departments' tools: the letter registry (numbering series per unit and year), the mayor's
calendar, opinion polls and their answers

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10 12:00:00
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "letter_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_letter_series_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_series")),
        sa.UniqueConstraint("unit_id", "year", name=op.f("uq_letter_series_unit_id")),
    )
    op.create_table(
        "letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("registry_number", sa.String(length=64), nullable=False),
        sa.Column("jalali_date", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("element_name", sa.String(length=300), nullable=True),
        sa.Column("issued_by", sa.String(length=64), nullable=True),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_letter_instance_id_process_instance"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"], ["letter_series.id"], name=op.f("fk_letter_series_id_letter_series")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter")),
        sa.UniqueConstraint("registry_number", name=op.f("uq_letter_registry_number")),
        sa.UniqueConstraint("series_id", "number", name=op.f("uq_letter_series_id")),
    )
    op.create_index(op.f("ix_letter_instance_id"), "letter", ["instance_id"], unique=False)
    op.create_table(
        "mayor_engagement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_mayor_engagement_instance_id_process_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mayor_engagement")),
        sa.UniqueConstraint("instance_id", name=op.f("uq_mayor_engagement_instance_id")),
    )
    op.create_index(op.f("ix_mayor_engagement_starts_at"), "mayor_engagement", ["starts_at"], unique=False)
    op.create_index(op.f("ix_mayor_engagement_status"), "mayor_engagement", ["status"], unique=False)
    op.create_table(
        "poll",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("intro", sa.Text(), nullable=True),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_poll_instance_id_process_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll")),
        sa.UniqueConstraint("code", name=op.f("uq_poll_code")),
        sa.UniqueConstraint("instance_id", name=op.f("uq_poll_instance_id")),
    )
    op.create_table(
        "poll_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["poll.id"], name=op.f("fk_poll_answer_poll_id_poll"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_answer")),
        sa.UniqueConstraint("poll_id", "respondent", name=op.f("uq_poll_answer_poll_id")),
    )
    op.create_index(op.f("ix_poll_answer_poll_id"), "poll_answer", ["poll_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_poll_answer_poll_id"), table_name="poll_answer")
    op.drop_table("poll_answer")
    op.drop_table("poll")
    op.drop_index(op.f("ix_mayor_engagement_status"), table_name="mayor_engagement")
    op.drop_index(op.f("ix_mayor_engagement_starts_at"), table_name="mayor_engagement")
    op.drop_table("mayor_engagement")
    op.drop_index(op.f("ix_letter_instance_id"), table_name="letter")
    op.drop_table("letter")
    op.drop_table("letter_series")
