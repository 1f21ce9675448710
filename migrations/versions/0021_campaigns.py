"""campaigns: named pools of a team's numbers, their assistants, each number's use today and
each recipient's last caller ID

New tables only (phone_numbers is not rebuilt).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 08:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_key", sa.String(length=400), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("daily_cap", sa.Integer(), nullable=False),
        sa.Column("cooldown_seconds", sa.Integer(), nullable=False),
        sa.Column("coverage", sa.JSON(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_campaigns_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("team_id", "name_key", name="uq_campaigns_name_key"),
    )
    op.create_index(op.f("ix_campaigns_team_id"), "campaigns", ["team_id"])
    op.create_table(
        "campaign_assistants",
        sa.Column("campaign_id", sa.String(length=40), nullable=False),
        sa.Column("assistant_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["assistant_id"],
            ["assistants.id"],
            name=op.f("fk_campaign_assistants_assistant_id_assistants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_assistants_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "assistant_id", name=op.f("pk_campaign_assistants")),
    )
    op.create_index(
        op.f("ix_campaign_assistants_assistant_id"), "campaign_assistants", ["assistant_id"]
    )
    op.create_table(
        "campaign_numbers",
        sa.Column("phone_number_id", sa.String(length=40), nullable=False),
        sa.Column("campaign_id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("area_code", sa.String(length=3), nullable=True),
        sa.Column("region", sa.String(length=6), nullable=True),
        sa.Column("used_on", sa.Date(), nullable=True),
        sa.Column("used_today", sa.Integer(), nullable=False),
        sa.Column("last_used_at", UTC, nullable=True),
        sa.Column("rest_until", UTC, nullable=True),
        sa.Column("added_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_numbers_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["phone_number_id"],
            ["phone_numbers.id"],
            name=op.f("fk_campaign_numbers_phone_number_id_phone_numbers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_campaign_numbers_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("phone_number_id", name=op.f("pk_campaign_numbers")),
    )
    op.create_index(
        "ix_campaign_numbers_campaign_area", "campaign_numbers", ["campaign_id", "area_code"]
    )
    op.create_index(
        "ix_campaign_numbers_campaign_region", "campaign_numbers", ["campaign_id", "region"]
    )
    op.create_table(
        "campaign_recipients",
        sa.Column("campaign_id", sa.String(length=40), nullable=False),
        sa.Column("recipient_hash", sa.String(length=64), nullable=False),
        sa.Column("phone_number_id", sa.String(length=40), nullable=False),
        sa.Column("chosen_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_recipients_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["phone_number_id"],
            ["phone_numbers.id"],
            name=op.f("fk_campaign_recipients_phone_number_id_phone_numbers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id", "recipient_hash", name=op.f("pk_campaign_recipients")
        ),
    )


def downgrade():
    op.drop_table("campaign_recipients")
    op.drop_index("ix_campaign_numbers_campaign_region", table_name="campaign_numbers")
    op.drop_index("ix_campaign_numbers_campaign_area", table_name="campaign_numbers")
    op.drop_table("campaign_numbers")
    op.drop_index(op.f("ix_campaign_assistants_assistant_id"), table_name="campaign_assistants")
    op.drop_table("campaign_assistants")
    op.drop_index(op.f("ix_campaigns_team_id"), table_name="campaigns")
    op.drop_table("campaigns")
