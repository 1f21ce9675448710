"""number lifecycle states, webhook events, CHECK constraints on plan, role and number type

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OLD_HELD = "status IN ('pending', 'active')"
NEW_HELD = "status IN ('reserving', 'pending', 'active', 'releasing')"
OLD_STATUSES = "status IN ('pending', 'active', 'expired', 'released')"
NEW_STATUSES = "status IN ('reserving', 'pending', 'active', 'releasing', 'released', 'expired')"


def upgrade():
    op.create_table(
        "webhook_events",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=80), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider", "event_id", name=op.f("pk_webhook_events")),
    )
    op.drop_index("uq_phone_numbers_held_number", table_name="phone_numbers")
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_reason", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f("ck_phone_numbers_status"), type_="check")
    # A purchase that never got an order id may or may not have reached the provider.
    op.execute(
        "UPDATE phone_numbers SET status = 'reserving' "
        "WHERE status = 'pending' AND provider_order_id IS NULL"
    )
    op.execute("UPDATE phone_numbers SET activated_at = created_at WHERE status = 'active'")
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_phone_numbers_status"), NEW_STATUSES)
        batch_op.create_check_constraint(
            op.f("ck_phone_numbers_number_type"), "number_type IN ('local', 'toll-free')"
        )
    op.create_index(
        "uq_phone_numbers_held_number",
        "phone_numbers",
        ["phone_number"],
        unique=True,
        postgresql_where=sa.text(NEW_HELD),
        sqlite_where=sa.text(NEW_HELD),
    )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_teams_plan"), "plan IN ('free', 'starter', 'growth', 'scale')"
        )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_memberships_role"), "role IN ('owner', 'admin', 'member')"
        )


def downgrade():
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_memberships_role"), type_="check")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_teams_plan"), type_="check")
    op.drop_index("uq_phone_numbers_held_number", table_name="phone_numbers")
    op.execute("UPDATE phone_numbers SET status = 'pending' WHERE status = 'reserving'")
    op.execute("UPDATE phone_numbers SET status = 'active' WHERE status = 'releasing'")
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_phone_numbers_number_type"), type_="check")
        batch_op.drop_constraint(op.f("ck_phone_numbers_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_phone_numbers_status"), OLD_STATUSES)
        batch_op.drop_column("activated_at")
        batch_op.drop_column("status_reason")
    op.create_index(
        "uq_phone_numbers_held_number",
        "phone_numbers",
        ["phone_number"],
        unique=True,
        postgresql_where=sa.text(OLD_HELD),
        sqlite_where=sa.text(OLD_HELD),
    )
    op.drop_table("webhook_events")
