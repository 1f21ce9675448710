"""plan changes: over-limit grace, kept numbers, custom limits, one free trial per person

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 10:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("founder_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("custom_limit", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("grace_ends_at", UTC, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_teams_founder_id_users"), "users", ["founder_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_teams_custom_limit"), "custom_limit IS NULL OR custom_limit > 0"
        )
        batch_op.create_index("ix_teams_founder_created", ["founder_id", "created_at"])
        batch_op.create_index(batch_op.f("ix_teams_grace_ends_at"), ["grace_ends_at"])
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trial_used_at", UTC, nullable=True))
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kept", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("over_limit_at", UTC, nullable=True))
    op.create_index(
        "ix_phone_numbers_over_limit_at",
        "phone_numbers",
        ["over_limit_at"],
        postgresql_where=sa.text("over_limit_at IS NOT NULL"),
        sqlite_where=sa.text("over_limit_at IS NOT NULL"),
    )
    op.create_index("ix_cart_items_holder_expires", "cart_items", ["held_by_id", "expires_at"])

    # Existing teams: whoever created one from the dashboard or sign-up (its first History
    # line) is its founder, and a founder whose team spent its trial has had theirs.
    op.execute(
        "UPDATE teams SET founder_id = (SELECT e.actor_id FROM audit_events e "
        "JOIN users u ON u.id = e.actor_id "
        "WHERE e.team_id = teams.id AND e.action = 'team_create' "
        "ORDER BY e.created_at LIMIT 1)"
    )
    op.execute(
        "UPDATE users SET trial_used_at = (SELECT min(t.trial_used_at) FROM teams t "
        "WHERE t.founder_id = users.id)"
    )


def downgrade():
    op.drop_index("ix_cart_items_holder_expires", table_name="cart_items")
    op.drop_index("ix_phone_numbers_over_limit_at", table_name="phone_numbers")
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.drop_column("over_limit_at")
        batch_op.drop_column("kept")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("trial_used_at")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_grace_ends_at"))
        batch_op.drop_index("ix_teams_founder_created")
        batch_op.drop_constraint(batch_op.f("ck_teams_custom_limit"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_teams_founder_id_users"), type_="foreignkey")
        batch_op.drop_column("grace_ends_at")
        batch_op.drop_column("custom_limit")
        batch_op.drop_column("founder_id")
