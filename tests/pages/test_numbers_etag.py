"""The Numbers page sends an ETag and answers 304 while nothing it shows has changed."""

from __future__ import annotations

from app.assistants import service as assistants
from tests.factories import actor_of
from tests.helpers import sandbox_number


def numbers_url(team_id: str) -> str:
    return f"/teams/{team_id}/numbers"


def test_an_unchanged_page_is_304(app, client, factory, auth):
    member = factory.member("growth")
    factory.number(member, sandbox_number("415", 0))
    auth.sign_in(member)
    client.get(numbers_url(member.team_id))  # the sign-in's flash, if any, is shown here
    page = client.get(numbers_url(member.team_id))
    etag = page.headers["ETag"]
    again = client.get(numbers_url(member.team_id), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    with app.test_request_context():
        assistants.create_assistant(actor_of(member), "Ava")  # the row's picker changes
    changed = client.get(numbers_url(member.team_id), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_tag_is_per_person_and_per_fragment(app, factory, auth):
    owner = factory.member("growth")
    member = factory.member(team_id=owner.team_id, role="member")
    tags = []
    for someone in (owner, member):
        client = app.test_client()
        type(auth)(client).sign_in(someone)
        client.get(numbers_url(owner.team_id))
        tags.append(client.get(numbers_url(owner.team_id)).headers["ETag"])
        fragment = client.get(numbers_url(owner.team_id), headers={"HX-Request": "true"})
        tags.append(fragment.headers["ETag"])
    assert len(set(tags)) == 4


def test_a_page_with_a_message_is_always_rendered(app, client, factory, auth):
    member = factory.member("growth")
    factory.number(member, sandbox_number("415", 0))
    auth.sign_in(member)
    client.get(numbers_url(member.team_id))
    etag = client.get(numbers_url(member.team_id)).headers["ETag"]
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Label saved.")]
    shown = client.get(numbers_url(member.team_id), headers={"If-None-Match": etag})
    assert shown.status_code == 200 and "ETag" not in shown.headers
