"""spending guardrails: a team's monthly cap and approvals, and purchase requests

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)
PENDING = sa.text("status = 'pending'")
STATUSES = "status IN ('pending', 'approved', 'denied', 'expired', 'failed')"


# The teams table is changed in place, never rebuilt: batch mode on SQLite rebuilds a table by
# dropping the old one, and with foreign keys on, dropping teams deletes every row that cascades
# from it (memberships, numbers, assistants). Columns are added with ADD COLUMN (a plain string
# default: an expression would make batch mode rebuild) and dropped with DROP COLUMN (SQLite
# 3.35 and later, and PostgreSQL).
GUARDRAILS = ("approval_above", "approval_required", "spend_cap")


def upgrade():
    op.add_column("teams", sa.Column("spend_cap", sa.Numeric(precision=10, scale=2), nullable=True))
    op.add_column(
        "teams", sa.Column("approval_required", sa.Boolean(), server_default="0", nullable=False)
    )
    op.add_column(
        "teams", sa.Column("approval_above", sa.Numeric(precision=10, scale=2), nullable=True)
    )
    op.create_table(
        "purchase_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("phone_number", sa.String(length=20), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("monthly_price", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("setup_price", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("connection_id", sa.String(length=64), nullable=True),
        sa.Column("requested_by_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("hold_expires_at", UTC, nullable=False),
        sa.Column("decided_by_id", sa.String(length=40), nullable=True),
        sa.Column("decided_at", UTC, nullable=True),
        sa.Column("phone_number_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint(STATUSES, name=op.f("ck_purchase_requests_status")),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_purchase_requests_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_purchase_requests_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_purchase_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["phone_number_id"],
            ["phone_numbers.id"],
            name=op.f("fk_purchase_requests_phone_number_id_phone_numbers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_requests")),
    )
    op.create_index(
        "ix_purchase_requests_team_status", "purchase_requests", ["team_id", "status", "created_at"]
    )
    op.create_index(
        "uq_purchase_requests_pending_number",
        "purchase_requests",
        ["team_id", "phone_number"],
        unique=True,
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )


def downgrade():
    op.drop_index("uq_purchase_requests_pending_number", table_name="purchase_requests")
    op.drop_index("ix_purchase_requests_team_status", table_name="purchase_requests")
    op.drop_table("purchase_requests")
    for column in GUARDRAILS:
        op.execute(f"ALTER TABLE teams DROP COLUMN {column}")
