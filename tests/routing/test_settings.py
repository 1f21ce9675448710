"""The routing settings: a Fernet key of its own or one derived from SECRET_KEY, and the
switch for private webhooks; a bad value stops start-up with one line naming it."""

import pytest
from cryptography.fernet import Fernet

from app.config import ConfigError
from app.models import AssistantDestination
from app.routing import secrets
from tests.support import build_app, teardown_app


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("ROUTING_SECRET_KEY", "not-a-key", "ROUTING_SECRET_KEY is not a Fernet key"),
        ("WEBHOOKS_ALLOW_PRIVATE", "maybe", "WEBHOOKS_ALLOW_PRIVATE='maybe' must be 0 or 1"),
    ],
)
def test_a_bad_routing_setting_stops_start_up(tmp_path, name, value, message):
    with pytest.raises(ConfigError, match=message):
        build_app(tmp_path, **{name: value})


def test_a_password_is_stored_encrypted_and_unreadable_under_another_key(tmp_path):
    key = Fernet.generate_key().decode()
    app = build_app(tmp_path, ROUTING_SECRET_KEY=key, WEBHOOKS_ALLOW_PRIVATE="1")
    try:
        assert app.config["WEBHOOKS_ALLOW_PRIVATE"] is True
        with app.app_context():
            token = secrets.encrypt("s3cret")
            assert "s3cret" not in token
            assert Fernet(key).decrypt(token.encode()) == b"s3cret"
            assert secrets.decrypt(token) == "s3cret"
            app.config["ROUTING_SECRET_KEY"] = Fernet.generate_key().decode()
            assert secrets.decrypt(token) is None  # re-entered, never a 500
            row = AssistantDestination(kind="sip", address="sip:a@b.example", sip_password=token)
            assert row.sip_password != "s3cret"
    finally:
        teardown_app(app)


def test_the_signing_secret_is_stable_per_assistant_and_key(app):
    with app.app_context():
        first = secrets.signing_secret("asst_a")
        assert first == secrets.signing_secret("asst_a")
        assert first != secrets.signing_secret("asst_b")
        assert first.startswith("whsec_")
        app.config["SECRET_KEY"] = "another"
        assert secrets.signing_secret("asst_a") != first
