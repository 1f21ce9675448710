"""a release waits out a grace window: when it falls due, and the sweep's index

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 10:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SCHEDULED = "release_after IS NOT NULL"


def upgrade():
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("release_after", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_phone_numbers_release_after",
        "phone_numbers",
        ["release_after"],
        postgresql_where=sa.text(SCHEDULED),
        sqlite_where=sa.text(SCHEDULED),
    )


def downgrade():
    # A scheduled release has no other form: it becomes a release the provider is asked to
    # finish (`numbers sync` does), rather than a number that silently stays.
    op.execute(
        "UPDATE phone_numbers SET status_reason = 'release' "
        "WHERE status = 'releasing' AND status_reason = 'scheduled'"
    )
    op.drop_index("ix_phone_numbers_release_after", table_name="phone_numbers")
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.drop_column("release_after")
