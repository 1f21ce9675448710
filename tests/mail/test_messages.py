"""Every message, sent over real SMTP: who gets it, its subject, its links, its dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.mail import messages
from app.mail.sending import send
from tests.fakes.smtp import body, links

pytestmark = pytest.mark.usefixtures("ctx")

TO = "ada@example.com"
# An "&" and a query: the HTML must carry it escaped and give back exactly this URL.
URL = "https://desk.example.com/path/tok_Ab-9?next=%2Fnumbers&x=1"
WHEN = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
WHEN_TEXT = "26 Nov 2026, 14:00 UTC"
HOSTILE = "<script>alert(1)</script> & Co"

# name -> (call, expected subject, expected links in order, phrases the text part must hold)
CASES = {
    "invitation": (
        lambda: send(messages.invitation(TO, "Grace Hopper", "Acme Voice", "admin", URL, WHEN)),
        "Grace Hopper invited you to Acme Voice",
        [URL],
        ["Grace Hopper", "Acme Voice", "as an admin", f"expires on {WHEN_TEXT}"],
    ),
    "password_reset": (
        lambda: send(messages.password_reset(TO, "Ada", URL, WHEN)),
        "Reset your password",
        [URL],
        ["Hi Ada,", f"expires in an hour, at {WHEN_TEXT}"],
    ),
    "email_verification": (
        lambda: send(messages.email_verification(TO, "Ada", URL)),
        "Confirm your email address",
        [URL],
        ["Hi Ada,", "Confirm that this is your email address"],
    ),
    "signup_attempt": (
        lambda: send(messages.signup_attempt(TO, "Ada", URL, URL + "&reset=1")),
        "Someone tried to sign up with your email",
        [URL, URL + "&reset=1"],
        ["Someone tried to sign up", "If it was you, sign in", "ignore this email"],
    ),
    "trial_expiring": (
        lambda: send(messages.trial_expiring(TO, "Ada", "Acme", "+14155550101", WHEN, URL)),
        "Your trial number +1 415-555-0101 ends tomorrow",
        [URL],
        ["+1 415-555-0101", '"Acme"', f"ends on {WHEN_TEXT}"],
    ),
    "trial_expired": (
        lambda: send(messages.trial_expired(TO, "Ada", "Acme", "+14155550101", URL)),
        "Your trial number +1 415-555-0101 has ended",
        [URL],
        ["+1 415-555-0101", '"Acme"', "released"],
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_each_message_arrives_over_smtp_with_its_subject_and_exact_links(name, smtp_server):
    send, subject, expected_links, phrases = CASES[name]

    assert send() is None

    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [TO]
    assert envelope.mail_from == "no-reply@localhost"
    [message] = smtp_server.messages
    assert message["To"] == TO
    assert message["From"] == "Caller ID desk <no-reply@localhost>"
    assert message["Subject"] == subject
    assert message.get_content_type() == "multipart/alternative"
    found = links(message)
    assert found.text == expected_links
    # The button and the written-out address below it: both exactly the given URL.
    assert found.html == [url for url in expected_links for _ in range(2)]
    assert "&amp;x=1" in body(message, "html")
    text = body(message, "plain")
    for phrase in phrases:
        assert phrase in text
    assert subject in body(message, "html")  # the heading, for readers who see only the HTML


@pytest.mark.parametrize("name", CASES)
def test_html_part_loads_nothing_from_elsewhere(name, smtp_server):
    CASES[name][0]()
    html = body(smtp_server.messages[0], "html")
    for needle in ("<img", "src=", "<link", "url(", "<script"):
        assert needle not in html.lower()
    assert '<html lang="en">' in html


def test_hostile_names_are_escaped_in_html_and_kept_verbatim_in_text(smtp_server):
    send(messages.invitation(TO, HOSTILE, HOSTILE, "member", URL, WHEN))
    send(messages.trial_expiring(TO, HOSTILE, HOSTILE, "+14155550101", WHEN, URL))
    send(messages.password_reset(TO, HOSTILE, URL, WHEN))

    for message in smtp_server.messages:
        html = body(message, "html")
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
        assert HOSTILE in body(message, "plain")  # plain text is not HTML: no entities there


def test_subject_stays_one_short_line_whatever_the_names(smtp_server):
    send(messages.invitation(TO, "Grace\r\nBcc: eve@example.com", "T" * 120, "member", URL, WHEN))

    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [TO]  # no header injection added a recipient
    # Encoded (for the "…") and too long for the "Subject:" line, the header is folded onto the
    # next line; Python's parser keeps that fold's space where mail clients drop it.
    subject = smtp_server.messages[0]["Subject"].lstrip()
    assert subject == f"Grace Bcc: eve@example.com invited you to {'T' * 39}…"


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 26, 16, 0, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 11, 26, 14, 0),  # naive, as some databases hand it back: already UTC
    ],
)
def test_dates_are_written_in_utc(moment, smtp_server):
    send(messages.password_reset(TO, "Ada", URL, moment))

    message = smtp_server.messages[0]
    assert WHEN_TEXT in body(message, "plain")
    assert WHEN_TEXT in body(message, "html")
