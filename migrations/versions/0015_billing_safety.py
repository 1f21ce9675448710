"""billing: a team's subscription status and open checkout, ended subscriptions, issues

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 10:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("billing_status", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("billing_checkout_id", sa.String(length=100), nullable=True))
    op.create_table(
        "ended_subscriptions",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("subscription_id", sa.String(length=100), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_ended_subscriptions_team_id_teams"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("provider", "subscription_id", name=op.f("pk_ended_subscriptions")),
    )
    op.create_table(
        "billing_issues",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=True),
        sa.Column("team_id", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_billing_issues_team_id_teams"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_issues")),
    )
    op.create_index("ix_billing_issues_created_at", "billing_issues", ["created_at"])


def downgrade():
    op.drop_index("ix_billing_issues_created_at", table_name="billing_issues")
    op.drop_table("billing_issues")
    op.drop_table("ended_subscriptions")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("billing_checkout_id")
        batch_op.drop_column("billing_status")
