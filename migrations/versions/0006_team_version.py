"""the team's version, moved on by every change to its numbers, assistants or plan

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("teams") as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("teams") as batch_op:
        batch_op.drop_column("version")
