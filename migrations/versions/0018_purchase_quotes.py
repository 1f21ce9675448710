"""purchase quotes: a server-fixed price an agent buys with (the MCP server)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "purchase_quotes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("token_id", sa.String(length=40), nullable=True),
        sa.Column("phone_number", sa.String(length=20), nullable=False),
        sa.Column("monthly_price", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("setup_price", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("quoted_currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_purchase_quotes_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_purchase_quotes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_purchase_quotes_token_id_api_tokens"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_quotes")),
    )
    op.create_index(
        "ix_purchase_quotes_team_created", "purchase_quotes", ["team_id", "created_at"]
    )
    op.create_index("ix_purchase_quotes_expires_at", "purchase_quotes", ["expires_at"])


def downgrade():
    op.drop_index("ix_purchase_quotes_expires_at", table_name="purchase_quotes")
    op.drop_index("ix_purchase_quotes_team_created", table_name="purchase_quotes")
    op.drop_table("purchase_quotes")
