"""Migration 0011 adds the guardrails to teams in place, on SQLite too: rebuilding the teams
table there (Alembic's batch mode) would drop it, and with foreign keys on that deletes every
row cascading from a team. Upgrading and downgrading keep every team's people and numbers."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db

ROWS = {
    "teams": "SELECT id, name FROM teams",
    "users": "SELECT id FROM users",
    "memberships": "SELECT user_id, team_id, role FROM memberships",
    "assistants": "SELECT id, name FROM assistants",
}


def snapshot() -> dict[str, list]:
    with db.engine.connect() as connection:
        return {
            table: sorted(connection.execute(sa.text(query)).all()) for table, query in ROWS.items()
        }


def test_the_guardrails_arrive_and_leave_without_touching_a_teams_rows(app):
    with app.app_context():
        db.drop_all()
        upgrade(revision="0010")
        try:
            with db.engine.begin() as connection:
                for statement in (
                    "INSERT INTO teams (id, name, plan, created_at) "
                    "VALUES ('team_1', 'T', 'growth', '2026-01-01 00:00:00')",
                    "INSERT INTO users (id, email, name, password_hash, created_at) "
                    "VALUES ('usr_1', 'a@example.com', 'A', 'x', '2026-01-01 00:00:00')",
                    "INSERT INTO memberships (user_id, team_id, role, created_at) "
                    "VALUES ('usr_1', 'team_1', 'owner', '2026-01-01 00:00:00')",
                    "INSERT INTO assistants (id, team_id, name, name_key, created_at) "
                    "VALUES ('asst_1', 'team_1', 'Ava', 'ava', '2026-01-01 00:00:00')",
                ):
                    connection.exec_driver_sql(statement)
            before = snapshot()
            upgrade()
            assert snapshot() == before
            with db.engine.connect() as connection:
                guardrails = connection.execute(
                    sa.text("SELECT spend_cap, approval_required, approval_above FROM teams")
                ).one()
            assert (guardrails[0], bool(guardrails[1]), guardrails[2]) == (None, False, None)
            downgrade(revision="0010")
            assert snapshot() == before
        finally:
            downgrade(revision="base")
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
