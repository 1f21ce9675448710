"""a regulated order's documents: when the provider cancels it, and when the team gave them

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 10:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("documents_deadline", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("documents_sent_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    # The provider keeps both: a later settle reads the deadline again.
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.drop_column("documents_sent_at")
        batch_op.drop_column("documents_deadline")
