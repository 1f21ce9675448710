"""number health: each number's latest spam-risk reading, rest and open alert, and every
reputation check kept as history

New tables only.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 10:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)
RISKS = "'low', 'medium', 'high', 'unknown'"


def upgrade():
    op.create_table(
        "number_health",
        sa.Column("phone_number_id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("risk", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=True),
        sa.Column("checked_at", UTC, nullable=True),
        sa.Column("check_outcome", sa.String(length=12), nullable=True),
        sa.Column("alerted_risk", sa.String(length=10), nullable=True),
        sa.Column("over_ramp", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("alert", sa.String(length=10), nullable=True),
        sa.Column("alert_detail", sa.String(length=300), nullable=True),
        sa.Column("alert_at", UTC, nullable=True),
        sa.Column("rest_until", UTC, nullable=True),
        sa.CheckConstraint(f"risk IN ({RISKS})", name=op.f("ck_number_health_risk")),
        sa.CheckConstraint("alert IN ('risk', 'ramp')", name=op.f("ck_number_health_alert")),
        sa.ForeignKeyConstraint(
            ["phone_number_id"],
            ["phone_numbers.id"],
            name=op.f("fk_number_health_phone_number_id_phone_numbers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_number_health_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("phone_number_id", name=op.f("pk_number_health")),
    )
    op.create_index("ix_number_health_team_alert", "number_health", ["team_id", "alert"])
    op.create_index("ix_number_health_checked_at", "number_health", ["checked_at"])
    op.create_table(
        "number_health_checks",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("phone_number_id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("checked_at", UTC, nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("risk", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('ok', 'pending', 'failed', 'unsupported')",
            name=op.f("ck_number_health_checks_outcome"),
        ),
        sa.CheckConstraint(f"risk IN ({RISKS})", name=op.f("ck_number_health_checks_risk")),
        sa.ForeignKeyConstraint(
            ["phone_number_id"],
            ["phone_numbers.id"],
            name=op.f("fk_number_health_checks_phone_number_id_phone_numbers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_number_health_checks_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_health_checks")),
    )
    op.create_index(
        "ix_number_health_checks_number_at",
        "number_health_checks",
        ["phone_number_id", "checked_at"],
    )


def downgrade():
    op.drop_index("ix_number_health_checks_number_at", table_name="number_health_checks")
    op.drop_table("number_health_checks")
    op.drop_index("ix_number_health_checked_at", table_name="number_health")
    op.drop_index("ix_number_health_team_alert", table_name="number_health")
    op.drop_table("number_health")
