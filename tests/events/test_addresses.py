"""Where webhooks may not go: private, loopback and link-local addresses, written as such or
behind a DNS name, checked when an endpoint is saved and again at every send (a name that
resolves elsewhere later: DNS rebinding), and no redirect followed. The sender connects to
the address it checked, with the URL's own name in the Host header."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from app.events import addresses
from tests.events.helpers import add_endpoint, deliveries, made, tries
from tests.fakes.receiver import Receiver
from tests.helpers import buy, sandbox_number

PUBLIC = "93.184.215.14"


def dns(monkeypatch, *answers: str) -> list[str]:
    """A resolver that answers each lookup with the next address (the last one repeats);
    returns the names it was asked for."""
    asked: list[str] = []
    queue = list(answers)

    def resolve(host, port):
        asked.append(host)
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(addresses, "resolver", resolve)
    return asked


@pytest.mark.parametrize(
    "url,words",
    [
        ("http://127.0.0.1:8080/hooks", "127.0.0.1 is a loopback address"),
        ("https://10.1.2.3/hooks", "10.1.2.3 is a private address"),
        ("http://[::1]:9000/", "::1 is a loopback address"),
        ("http://192.168.0.7/", "192.168.0.7 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::ffff:127.0.0.1]/", "is a loopback address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
    ],
)
def test_private_addresses_are_refused_when_saved(client, factory, url, words):
    owner = factory.member("growth")
    response = add_endpoint(client, owner, url)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_request"
    assert words in error["fields"]["url"]
    assert "webhooks go only to public internet addresses" in error["fields"]["url"]


def test_a_name_resolving_to_the_metadata_address_is_refused(client, factory, monkeypatch):
    dns(monkeypatch, "169.254.169.254")
    owner = factory.member("growth")
    response = add_endpoint(client, owner, "https://metadata.example.test/hooks")
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]["url"] == (
        "metadata.example.test resolves to 169.254.169.254, which is a link-local address: "
        "webhooks go only to public internet addresses."
    )


def test_a_name_that_does_not_resolve_in_time_is_refused_at_once(client, factory, monkeypatch):
    """With no network a lookup can hang for minutes: the request answers within the limit."""
    answered = threading.Event()

    def hung(host, port):
        answered.wait(10)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(addresses, "resolver", hung)
    monkeypatch.setattr(addresses, "LOOKUP_TIMEOUT", 0.3)
    owner = factory.member("growth")
    started = time.monotonic()
    response = add_endpoint(client, owner, "https://slow.example.test/hooks")
    took = time.monotonic() - started
    answered.set()
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]["url"] == (
        "slow.example.test did not resolve within 0.3 seconds: try again."
    )
    assert took < 2


def test_a_name_rebound_to_loopback_after_saving_is_refused_at_send(
    app, client, factory, monkeypatch
):
    """Saved while it resolved to a public address; at send time it resolves to 127.0.0.1,
    where a receiver listens: nothing reaches it, and the log says why."""
    owner = factory.member("growth")
    with Receiver() as receiver:
        dns(monkeypatch, PUBLIC, "127.0.0.1")
        made(client, owner, f"http://rebind.example.test:{receiver.port}/hooks")
        buy(client, owner, sandbox_number("415", 0))
        assert receiver.received == []
    [delivery] = deliveries(app)
    [attempt] = tries(app, delivery.id)
    assert delivery.status == "pending"  # retried later: the name may be fixed meanwhile
    assert attempt.status_code is None
    assert attempt.error == (
        "Not sent: rebind.example.test resolves to 127.0.0.1, which is a loopback address: "
        "webhooks go only to public internet addresses."
    )


def test_the_sender_connects_to_the_address_it_checked_with_the_urls_host(
    app, client, factory, monkeypatch
):
    """One lookup per send, and the connection goes to its answer: a second lookup (which a
    rebinding DNS would answer otherwise) never happens."""
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    owner = factory.member("growth")
    with Receiver() as receiver:
        asked = dns(monkeypatch, "127.0.0.1", "127.0.0.1", "10.9.9.9")
        receiver.secrets = [made(client, owner, f"http://hooks.example.test:{receiver.port}/in")[1]]
        buy(client, owner, sandbox_number("415", 0))
        [request] = receiver.received
    assert asked == ["hooks.example.test", "hooks.example.test"]  # saved, then sent
    assert request.headers["host"] == f"hooks.example.test:{receiver.port}"
    assert request.verified and request.status == 200


def test_redirects_are_not_followed(app, client, factory):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    owner = factory.member("growth")
    with Receiver() as receiver, Receiver() as elsewhere:
        receiver.location = elsewhere.url
        receiver.answers = [302]
        made(client, owner, receiver.url)
        buy(client, owner, sandbox_number("415", 0))
        assert [r.status for r in receiver.received] == [302]
        assert elsewhere.received == []
    [delivery] = deliveries(app)
    [attempt] = tries(app, delivery.id)
    assert (delivery.status, attempt.status_code, attempt.succeeded) == ("pending", 302, False)
    assert attempt.error == (
        f"Redirect (302) not followed (to {elsewhere.url}): point the endpoint at the final URL."
    )


def test_private_addresses_are_allowed_only_by_the_setting(app, client, factory):
    owner = factory.member("growth")
    assert add_endpoint(client, owner, "http://127.0.0.1:9/").status_code == 400
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    assert add_endpoint(client, owner, "http://127.0.0.1:9/").status_code == 201


@pytest.mark.parametrize(
    "url,message",
    [
        ("ftp://example.com/", "The URL must start with https:// (or http://)."),
        ("https://user:pw@example.com/", "Put no user name or password in the URL"),
        ("https:///nohost", "The URL needs a host name"),
        ("https://exa mple.com/", "A URL has no spaces or control characters."),
        ("https://example.com:99999/", "That is not a URL"),
        ("", "Enter the URL that should receive the events."),
    ],
)
def test_malformed_urls_are_named(client, factory, url, message):
    owner = factory.member("growth")
    response = add_endpoint(client, owner, url)
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]["url"].startswith(message)


def test_a_slow_receiver_is_cut_off_at_five_seconds(app, client, factory, monkeypatch):
    from app.events import sending

    monkeypatch.setattr(sending, "TIMEOUT", 0.5)  # the same rule, in less of the test's time
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    owner = factory.member("growth")
    with Receiver() as receiver:
        receiver.delay = 1.5
        made(client, owner, receiver.url)
        buy(client, owner, sandbox_number("415", 0))
    [delivery] = deliveries(app)
    [attempt] = tries(app, delivery.id)
    assert attempt.status_code is None
    assert attempt.error == "No answer within 0.5 seconds."
    assert sending.TIMEOUT == 0.5 and 400 <= attempt.latency_ms < 1400
