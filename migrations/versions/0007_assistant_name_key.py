"""assistant names unique per team whatever their case (a stored casefolded key)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assistants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=400), nullable=True))
    # Fill the key from Python's casefold (what the app computes); a team that already has two
    # names equal but for case keeps the older one as it is and the newer gets its id appended.
    assistants = sa.table(
        "assistants",
        sa.column("id", sa.String),
        sa.column("team_id", sa.String),
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
        sa.column("created_at", sa.DateTime),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(assistants.c.id, assistants.c.team_id, assistants.c.name).order_by(
            assistants.c.created_at, assistants.c.id
        )
    ).all()
    seen = set()
    for assistant_id, team_id, name in rows:
        key = name.casefold()
        if (team_id, key) in seen:
            name = f"{name} ({assistant_id[-6:]})"
            key = name.casefold()
        seen.add((team_id, key))
        connection.execute(
            sa.update(assistants)
            .where(assistants.c.id == assistant_id)
            .values(name=name, name_key=key)
        )
    with op.batch_alter_table("assistants", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=400), nullable=False)
        batch_op.create_unique_constraint("uq_assistants_name_key", ["team_id", "name_key"])


def downgrade():
    with op.batch_alter_table("assistants", schema=None) as batch_op:
        batch_op.drop_constraint("uq_assistants_name_key", type_="unique")
        batch_op.drop_column("name_key")
