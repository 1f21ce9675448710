"""receipts: a team's getting-started checklist can be dismissed (kept per team)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 10:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("onboarding_dismissed_at", sa.DateTime(timezone=True)))


def downgrade():
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("onboarding_dismissed_at")
