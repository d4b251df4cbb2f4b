"""guards: rate counters and single-use spam challenges shared by every web process

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 16:45:00
"""

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", engine.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_hit")),
    )
    op.create_index("ix_rate_hit_key_at", "rate_hit", ["key", "at"])
    op.create_table(
        "challenge",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.Integer(), nullable=False),
        sa.Column("expires_at", engine.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_challenge")),
    )
    op.create_index(op.f("ix_challenge_expires_at"), "challenge", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_challenge_expires_at"), table_name="challenge")
    op.drop_table("challenge")
    op.drop_index("ix_rate_hit_key_at", table_name="rate_hit")
    op.drop_table("rate_hit")
