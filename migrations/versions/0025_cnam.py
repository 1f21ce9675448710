"""cnam: each number's caller-ID name and its listing state, and numbers waiting to be
replaced by one in the cart

New tables only.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 10:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)
IN_PROGRESS = sa.text("state IN ('submitted', 'propagating')")
WAITING = sa.text("status = 'waiting'")


def upgrade():
    op.create_table(
        "caller_names",
        sa.Column("phone_number_id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=15), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.Column("submitted_at", UTC, nullable=False),
        sa.Column("expect_by", UTC, nullable=False),
        sa.Column("listed_at", UTC, nullable=True),
        sa.Column("checked_at", UTC, nullable=True),
        sa.CheckConstraint(
            "state IN ('submitted', 'propagating', 'listed', 'failed')",
            name=op.f("ck_caller_names_state"),
        ),
        sa.ForeignKeyConstraint(
            ["phone_number_id"],
            ["phone_numbers.id"],
            name=op.f("fk_caller_names_phone_number_id_phone_numbers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_caller_names_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("phone_number_id", name=op.f("pk_caller_names")),
    )
    op.create_index(op.f("ix_caller_names_team_id"), "caller_names", ["team_id"])
    op.create_index(
        "ix_caller_names_in_progress",
        "caller_names",
        ["checked_at"],
        postgresql_where=IN_PROGRESS,
        sqlite_where=IN_PROGRESS,
    )
    op.create_table(
        "number_replacements",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("old_number_id", sa.String(length=40), nullable=False),
        sa.Column("phone_number", sa.String(length=20), nullable=False),
        sa.Column("new_number_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("done_at", UTC, nullable=True),
        sa.CheckConstraint(
            "status IN ('waiting', 'done')", name=op.f("ck_number_replacements_status")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_number_replacements_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["old_number_id"],
            ["phone_numbers.id"],
            name=op.f("fk_number_replacements_old_number_id_phone_numbers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["new_number_id"],
            ["phone_numbers.id"],
            name=op.f("fk_number_replacements_new_number_id_phone_numbers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_number_replacements_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_replacements")),
    )
    op.create_index(
        "ix_number_replacements_team_number", "number_replacements", ["team_id", "phone_number"]
    )
    op.create_index(
        "uq_number_replacements_waiting_old",
        "number_replacements",
        ["old_number_id"],
        unique=True,
        postgresql_where=WAITING,
        sqlite_where=WAITING,
    )


def downgrade():
    op.drop_index("uq_number_replacements_waiting_old", table_name="number_replacements")
    op.drop_index("ix_number_replacements_team_number", table_name="number_replacements")
    op.drop_table("number_replacements")
    op.drop_index("ix_caller_names_in_progress", table_name="caller_names")
    op.drop_index(op.f("ix_caller_names_team_id"), table_name="caller_names")
    op.drop_table("caller_names")
