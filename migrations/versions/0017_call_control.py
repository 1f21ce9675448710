"""call control: the deployment's Telnyx application, each number's connection there, and
the state of a call being routed

New tables for the application and the numbers' connections (phone_numbers is not rebuilt:
on SQLite that would cascade through the rows that point at it); calls gains nullable columns
(a plain ADD COLUMN, no rebuild).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "call_control_apps",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("app_id", sa.String(length=64), nullable=False),
        sa.Column("webhook_url", sa.String(length=500), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("provider", name=op.f("pk_call_control_apps")),
    )
    op.create_table(
        "number_connections",
        sa.Column("phone_number_id", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("connection_id", sa.String(length=64), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "state IN ('applied', 'not_applied')", name=op.f("ck_number_connections_state")
        ),
        sa.ForeignKeyConstraint(
            ["phone_number_id"],
            ["phone_numbers.id"],
            name=op.f("fk_number_connections_phone_number_id_phone_numbers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("phone_number_id", name=op.f("pk_number_connections")),
    )
    op.create_index(
        "ix_number_connections_not_applied",
        "number_connections",
        ["state"],
        postgresql_where=sa.text("state = 'not_applied'"),
        sqlite_where=sa.text("state = 'not_applied'"),
    )
    op.add_column("calls", sa.Column("control_state", sa.String(length=20), nullable=True))
    op.add_column("calls", sa.Column("fallback_kind", sa.String(length=10), nullable=True))
    op.add_column("calls", sa.Column("fallback_address", sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("fallback_address")
        batch.drop_column("fallback_kind")
        batch.drop_column("control_state")
    op.drop_index("ix_number_connections_not_applied", table_name="number_connections")
    op.drop_table("number_connections")
    op.drop_table("call_control_apps")
