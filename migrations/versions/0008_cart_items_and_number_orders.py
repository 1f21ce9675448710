"""cart items (held numbers) and number orders

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 17:01:12

"""
from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "cart_items",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("phone_number", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_hold_id", sa.String(length=64), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("number_type", sa.String(length=20), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("monthly_price", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("setup_price", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("held_by_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["held_by_id"], ["users.id"], name=op.f("fk_cart_items_held_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_cart_items_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_items")),
        sa.UniqueConstraint("phone_number", name=op.f("uq_cart_items_phone_number")),
    )
    op.create_index("ix_cart_items_team_expires", "cart_items", ["team_id", "expires_at"])
    op.create_table(
        "number_orders",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("created_by_id", sa.String(length=40), nullable=True),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_number_orders_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_number_orders_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_orders")),
    )
    op.create_index("ix_number_orders_team_created", "number_orders", ["team_id", "created_at"])


def downgrade():
    op.drop_index("ix_number_orders_team_created", table_name="number_orders")
    op.drop_table("number_orders")
    op.drop_index("ix_cart_items_team_expires", table_name="cart_items")
    op.drop_table("cart_items")
