"""The migrations build the schema from empty, and it matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app.extensions import db


def test_migrations_build_the_models_schema(app):
    with app.app_context():
        db.drop_all()
        upgrade()
        try:
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "render_as_batch": True}
                )
                assert compare_metadata(context, db.metadata) == []
                tables = set(inspect(connection).get_table_names())
            assert {
                "teams",
                "users",
                "memberships",
                "api_tokens",
                "assistants",
                "phone_numbers",
            } <= tables
        finally:
            downgrade(revision="base")
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_0012_finds_each_teams_founder_and_whether_they_had_their_trial(app):
    """Existing teams: whoever created one (its first History line) is its founder, and a
    founder whose team spent its trial has had theirs. Nothing else is lost on the way."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    with app.app_context():
        db.drop_all()
        upgrade(revision="0009")
        try:
            spent = datetime(2026, 11, 1, tzinfo=UTC)
            with db.engine.begin() as connection:
                for user in ("usr_a", "usr_b"):
                    connection.execute(
                        sa.text(
                            "INSERT INTO users (id, email, name, password_hash, created_at) "
                            "VALUES (:id, :email, 'x', 'x', :at)"
                        ),
                        {"id": user, "email": f"{user}@example.com", "at": spent},
                    )
                for team, trial in (("team_a", spent), ("team_b", None), ("team_cli", None)):
                    connection.execute(
                        sa.text(
                            "INSERT INTO teams (id, name, plan, trial_used_at, purchase_seq, "
                            "version, created_at) VALUES (:id, 'x', 'free', :trial, 0, 0, :at)"
                        ),
                        {"id": team, "trial": trial, "at": spent},
                    )
                for event, team, user in (
                    ("evt_1", "team_a", "usr_a"),
                    ("evt_2", "team_b", "usr_b"),
                ):
                    connection.execute(
                        sa.text(
                            "INSERT INTO audit_events (id, team_id, actor_id, action, subject, "
                            "created_at) VALUES (:id, :team, :user, 'team_create', 'x', :at)"
                        ),
                        {"id": event, "team": team, "user": user, "at": spent},
                    )
                connection.execute(
                    sa.text(
                        "INSERT INTO memberships (user_id, team_id, role, created_at) "
                        "VALUES ('usr_a', 'team_a', 'owner', :at)"
                    ),
                    {"at": spent},
                )
            upgrade()
            with db.engine.connect() as connection:
                # Rebuilding a table on SQLite must not cascade to the rows pointing at it.
                people = connection.execute(sa.text("SELECT count(*) FROM memberships")).scalar()
                assert people == 1
                founders = dict(
                    connection.execute(sa.text("SELECT id, founder_id FROM teams")).all()
                )
                trials = dict(
                    connection.execute(sa.text("SELECT id, trial_used_at FROM users")).all()
                )
            assert founders == {"team_a": "usr_a", "team_b": "usr_b", "team_cli": None}
            assert trials["usr_a"] is not None and trials["usr_b"] is None
        finally:
            downgrade(revision="base")
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
