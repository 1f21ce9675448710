"""call routing: assistants' destinations, numbers' routing rules, the call log

New tables only: assistants and phone_numbers are not altered (on SQLite, rebuilding either
with foreign keys on would cascade through the rows that point at it).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "assistant_destinations",
        sa.Column("assistant_id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("sip_username", sa.String(length=200), nullable=True),
        sa.Column("sip_password", sa.Text(), nullable=True),
        sa.Column("platform", sa.String(length=20), nullable=True),
        sa.Column("platform_id", sa.String(length=200), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "kind IN ('sip', 'phone', 'webhook')", name=op.f("ck_assistant_destinations_kind")
        ),
        sa.CheckConstraint(
            "platform IS NULL OR platform IN ('vapi', 'retell', 'livekit', 'pipecat', 'other')",
            name=op.f("ck_assistant_destinations_platform"),
        ),
        sa.ForeignKeyConstraint(
            ["assistant_id"], ["assistants.id"], ondelete="CASCADE",
            name=op.f("fk_assistant_destinations_assistant_id_assistants"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], ondelete="CASCADE",
            name=op.f("fk_assistant_destinations_team_id_teams"),
        ),
        sa.PrimaryKeyConstraint("assistant_id", name=op.f("pk_assistant_destinations")),
    )
    op.create_index(
        op.f("ix_assistant_destinations_team_id"), "assistant_destinations", ["team_id"]
    )
    op.create_table(
        "number_routing",
        sa.Column("phone_number_id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("fallback_kind", sa.String(length=10), nullable=True),
        sa.Column("fallback_address", sa.String(length=500), nullable=True),
        sa.Column("answer_timeout", sa.Integer(), nullable=False),
        sa.Column("blocklist", sa.JSON(), nullable=False),
        sa.Column("allowed_countries", sa.JSON(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("after_hours_kind", sa.String(length=10), nullable=True),
        sa.Column("after_hours_address", sa.String(length=500), nullable=True),
        sa.Column("outbound_custom", sa.Boolean(), nullable=False),
        sa.Column("team_default_caller", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "fallback_kind IS NULL OR fallback_kind IN ('sip', 'phone')",
            name=op.f("ck_number_routing_fallback_kind"),
        ),
        sa.CheckConstraint(
            "after_hours_kind IS NULL OR after_hours_kind IN ('sip', 'phone')",
            name=op.f("ck_number_routing_after_hours_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["phone_number_id"], ["phone_numbers.id"], ondelete="CASCADE",
            name=op.f("fk_number_routing_phone_number_id_phone_numbers"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], ondelete="CASCADE",
            name=op.f("fk_number_routing_team_id_teams"),
        ),
        sa.PrimaryKeyConstraint("phone_number_id", name=op.f("pk_number_routing")),
    )
    op.create_index(op.f("ix_number_routing_team_id"), "number_routing", ["team_id"])
    op.create_index(
        "uq_number_routing_team_default",
        "number_routing",
        ["team_id"],
        unique=True,
        postgresql_where=sa.text("team_default_caller"),
        sqlite_where=sa.text("team_default_caller"),
    )
    for table in ("routing_splits", "routing_callers"):
        extra = (
            [sa.Column("weight", sa.Integer(), nullable=False),
             sa.Column("position", sa.Integer(), nullable=False),
             sa.CheckConstraint("weight BETWEEN 1 AND 100", name=op.f(f"ck_{table}_weight"))]
            if table == "routing_splits"
            else []
        )
        op.create_table(
            table,
            sa.Column("phone_number_id", sa.String(length=40), nullable=False),
            sa.Column("assistant_id", sa.String(length=40), nullable=False),
            *extra,
            sa.ForeignKeyConstraint(
                ["assistant_id"], ["assistants.id"], ondelete="CASCADE",
                name=op.f(f"fk_{table}_assistant_id_assistants"),
            ),
            sa.ForeignKeyConstraint(
                ["phone_number_id"], ["phone_numbers.id"], ondelete="CASCADE",
                name=op.f(f"fk_{table}_phone_number_id_phone_numbers"),
            ),
            sa.PrimaryKeyConstraint("phone_number_id", "assistant_id", name=op.f(f"pk_{table}")),
        )
        op.create_index(op.f(f"ix_{table}_assistant_id"), table, ["assistant_id"])
    op.create_table(
        "calls",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("phone_number_id", sa.String(length=40), nullable=True),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("assistant_id", sa.String(length=40), nullable=True),
        sa.Column("assistant_name", sa.String(length=120), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("from_number", sa.String(length=40), nullable=False),
        sa.Column("to_number", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=True),
        sa.Column("destination", sa.String(length=500), nullable=True),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_call_id", sa.String(length=128), nullable=True),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("answered_at", UTC, nullable=True),
        sa.Column("ended_at", UTC, nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('answered', 'fallback', 'rejected', 'failed', 'no_destination')",
            name=op.f("ck_calls_outcome"),
        ),
        sa.CheckConstraint(
            "direction IN ('inbound', 'outbound')", name=op.f("ck_calls_direction")
        ),
        sa.ForeignKeyConstraint(
            ["assistant_id"], ["assistants.id"], ondelete="SET NULL",
            name=op.f("fk_calls_assistant_id_assistants"),
        ),
        sa.ForeignKeyConstraint(
            ["phone_number_id"], ["phone_numbers.id"], ondelete="SET NULL",
            name=op.f("fk_calls_phone_number_id_phone_numbers"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], ondelete="CASCADE", name=op.f("fk_calls_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("provider", "provider_call_id", name="uq_calls_provider_call"),
    )
    op.create_index("ix_calls_team_started", "calls", ["team_id", "started_at", "id"])
    op.create_index("ix_calls_number_started", "calls", ["phone_number_id", "started_at", "id"])
    op.create_index("ix_calls_assistant_started", "calls", ["assistant_id", "started_at", "id"])


def downgrade():
    op.drop_table("calls")
    op.drop_table("routing_callers")
    op.drop_table("routing_splits")
    op.drop_index("uq_number_routing_team_default", table_name="number_routing")
    op.drop_table("number_routing")
    op.drop_table("assistant_destinations")
