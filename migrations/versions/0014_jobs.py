"""the job queue's records: emails on their way, jobs that failed for good, periodic runs

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "outgoing_emails",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("to", sa.String(length=254), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("next_attempt_at", UTC, nullable=False),
        sa.Column("give_up_at", UTC, nullable=False),
        sa.Column("claimed_until", UTC, nullable=True),
        sa.Column("finished_at", UTC, nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'skipped', 'failed')",
            name=op.f("ck_outgoing_emails_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_emails")),
    )
    op.create_index(
        "ix_outgoing_emails_status_next", "outgoing_emails", ["status", "next_attempt_at"]
    )
    op.create_index(
        op.f("ix_outgoing_emails_finished_at"), "outgoing_emails", ["finished_at"]
    )
    op.create_table(
        "job_failures",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("task", sa.String(length=200), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("traceback", sa.Text(), nullable=False),
        sa.Column("failed_at", UTC, nullable=False),
        sa.Column("retried_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_failures")),
    )
    op.create_index(op.f("ix_job_failures_failed_at"), "job_failures", ["failed_at"])
    op.create_table(
        "periodic_runs",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.Column("outcome", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("name", "due_at", name=op.f("pk_periodic_runs")),
    )


def downgrade():
    op.drop_table("periodic_runs")
    op.drop_index(op.f("ix_job_failures_failed_at"), table_name="job_failures")
    op.drop_table("job_failures")
    op.drop_index(op.f("ix_outgoing_emails_finished_at"), table_name="outgoing_emails")
    op.drop_index("ix_outgoing_emails_status_next", table_name="outgoing_emails")
    op.drop_table("outgoing_emails")
