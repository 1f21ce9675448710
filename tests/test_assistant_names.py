"""Assistant names are unique in a team whatever their case: in the service, and in the database."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from app.assistants import service
from app.extensions import db
from app.models import Assistant
from tests.helpers import assert_error, new_assistant


def create(client, member, name):
    body = {"teamId": member.team_id, "name": name}
    return client.post("/api/assistants", json=body, headers=member.headers)


def test_names_differing_only_in_case_are_refused_beyond_ascii(client, factory):
    owner = factory.member("scale")
    new_assistant(client, owner, "Émile")
    error = assert_error(create(client, owner, "ÉMILE"), 409, "conflict")["error"]
    assert error["fields"]["name"] == "This team already has an assistant called Émile."
    new_assistant(client, owner, "Straße")
    assert_error(create(client, owner, "STRASSE"), 409, "conflict")  # casefold, not lower
    other = factory.member("scale")
    assert create(client, other, "émile").status_code == 201  # per team


def test_the_database_refuses_a_second_spelling(app, factory):
    owner = factory.member("scale")
    with app.app_context():
        db.session.add(Assistant(team_id=owner.team_id, name="Sales"))
        db.session.commit()
        db.session.add(Assistant(team_id=owner.team_id, name="SALES"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_create_racing_past_the_check_is_refused_not_a_crash(client, factory, monkeypatch):
    owner = factory.member("scale")
    new_assistant(client, owner, "Sales")
    # As if another request had checked the name before this one's row was written.
    monkeypatch.setattr(service, "_unique_name", lambda team, name, renaming=None: name)
    assert_error(create(client, owner, "sales"), 409, "conflict")
    listed = client.get(
        "/api/assistants", query_string={"teamId": owner.team_id}, headers=owner.headers
    )
    assert [a["name"] for a in listed.get_json()["assistants"]] == ["Sales"]


def test_the_migration_keys_existing_names_and_renames_a_clash(app):
    with app.app_context():
        db.drop_all()
        upgrade(revision="0006")
        try:
            with db.engine.begin() as connection:
                connection.exec_driver_sql(
                    "INSERT INTO teams (id, name, plan, created_at) "
                    "VALUES ('team_1', 'T', 'free', '2026-01-01 00:00:00')"
                )
                for number, name in enumerate(["Sales", "sales", "Billing"]):
                    connection.exec_driver_sql(
                        "INSERT INTO assistants (id, team_id, name, created_at) "
                        f"VALUES ('asst_{number}abcdef', 'team_1', '{name}', "
                        f"'2026-01-0{number + 1} 00:00:00')"
                    )
            upgrade()
            with db.engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT name, name_key FROM assistants ORDER BY id")
                ).all()
            assert rows == [
                ("Sales", "sales"),
                ("sales (abcdef)", "sales (abcdef)"),
                ("Billing", "billing"),
            ]
        finally:
            downgrade(revision="base")
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
