"""search_text on process_instance and human_task: what the searches compare, normalised as Iranians
type (digits, ی/ک, zero-width characters, spaces), filled in for the rows already there

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:00:00
"""

import sqlalchemy as sa
from alembic import op

from engine.search import searchable

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_instance") as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=True))
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.String(length=300), nullable=True))
    conn = op.get_bind()
    instances = sa.table(
        "process_instance",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("business_key", sa.String),
        sa.column("tracking_code", sa.String),
        sa.column("search_text", sa.Text),
    )
    tasks = sa.table(
        "human_task",
        sa.column("id", sa.String),
        sa.column("name", sa.String),
        sa.column("search_text", sa.String),
    )
    rows = conn.execute(
        sa.select(instances.c.id, instances.c.title, instances.c.business_key, instances.c.tracking_code)
    )
    for id_, title, business_key, tracking_code in rows.all():
        conn.execute(
            instances.update()
            .where(instances.c.id == id_)
            .values(search_text=searchable(title, business_key, tracking_code))
        )
    for id_, name in conn.execute(sa.select(tasks.c.id, tasks.c.name)).all():
        conn.execute(tasks.update().where(tasks.c.id == id_).values(search_text=searchable(name)))


def downgrade() -> None:
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.drop_column("search_text")
    with op.batch_alter_table("process_instance") as batch_op:
        batch_op.drop_column("search_text")
