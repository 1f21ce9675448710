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
