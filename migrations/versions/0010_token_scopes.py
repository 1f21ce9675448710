"""API tokens have scopes; tokens made before keep every scope (NULL)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    # Nullable, with no default: every existing token reads NULL, which means every scope its
    # user's role allows, now and later (app.accounts.scopes).
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(sa.Column("scopes", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("scopes")
