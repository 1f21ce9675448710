"""Team → Webhooks: the endpoints list, adding one (its secret shown once, then never),
changing it, turning it off and on, rotating the secret, "Send test event" to a receiver on
127.0.0.1 that verifies the signature, and the delivery log with Resend; each with htmx and
without JavaScript. Members get no link and a 403; another team's ids are 404."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from app.extensions import db
from app.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from tests.fakes.receiver import Receiver
from tests.pages.helpers import HTMX, Auth, post, soup, text

PUBLIC = "https://93.184.215.14/hooks"  # a public address as a literal: checked with no lookup


@pytest.fixture
def local(app):
    """Receivers here listen on 127.0.0.1: allowed for these tests only."""
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    return app


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def owner(factory, auth):
    someone = factory.member("growth")
    assert auth.sign_in(someone).status_code == 302
    return someone


def hooks(member) -> str:
    return f"/teams/{member.team_id}/webhooks"


def add(client, member, url=PUBLIC, events=("number.bought",), htmx=True, **more):
    form = {"url": url, "events": list(events), **more}
    return post(client, hooks(member), form, htmx=htmx)


def added(client, member, url=PUBLIC, events=("number.bought",)) -> tuple[str, str]:
    """(endpoint id, secret) of an endpoint added on the page."""
    page = soup(add(client, member, url, events))
    secret = page.select_one("#webhook-secret input#new-secret")["value"]
    row = page.select("#webhooks-table tbody tr")[-1]
    return row["id"].removeprefix("webhook-"), secret


def stored(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            sa.select(
                WebhookEndpoint.id,
                WebhookEndpoint.url,
                WebhookEndpoint.description,
                WebhookEndpoint.events,
                WebhookEndpoint.enabled,
            ).order_by(WebhookEndpoint.created_at)
        ).all()


def test_the_team_page_links_to_an_empty_list_with_the_form(client, owner):
    settings = soup(client.get(f"/teams/{owner.team_id}/settings"))
    assert settings.select_one("#webhooks-link")["href"] == hooks(owner)
    page = soup(client.get(hooks(owner)))
    assert text(page.select_one("h1")) == "Webhooks"
    assert page.select_one("#webhooks-empty") is not None
    assert page.select_one("#webhooks-table") is None
    form = page.select_one("form#webhook-create")
    assert (form["method"], form["action"], form["hx-post"]) == ("post", hooks(owner), hooks(owner))
    assert form.select_one("input[name=csrf_token]")["value"]
    boxes = [box["value"] for box in form.select("#events-field input[name=events]")]
    assert boxes[:3] == ["number.bought", "number.active", "number.released"]
    assert not form.select("#events-field input[checked]")
    assert page.select_one("#webhook-secret") is None


def test_each_event_says_what_it_tells_and_the_one_never_sent_says_why(client, owner):
    form = soup(client.get(hooks(owner))).select_one("#events-field")

    def summary(name: str) -> str:
        return text(form.select_one(f"label[for=event-{name.replace('.', '-')}] .scope-allows"))

    assert summary("call.routed").startswith("An inbound call on a number was answered and sent on")
    assert summary("number.health_changed").startswith("Reserved, not sent: a number's health")
    assert summary("number.health_changed").endswith("a worsening is sent as number.health_alert")
    assert not [label for label in form.select("label") if "not sent yet" in text(label)]


def test_adding_without_javascript_shows_the_secret_once_then_never(app, client, owner):
    response = add(
        client, owner, events=("number.bought", "plan.changed"), htmx=False, description="CRM sync"
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = soup(response)
    assert page.select_one("h1") is not None  # the whole page
    field = page.select_one("#webhook-secret input#new-secret")
    secret = field["value"]
    assert secret.startswith("whsec_") and field.has_attr("readonly")
    assert "only time it is shown" in text(page.select_one("#webhook-secret"))
    assert text(page.select_one("#webhook-secret h2")) == f"Signing secret for {PUBLIC}"
    # A secret that signs: the Standard Webhooks library accepts it as a key.
    Webhook(secret)
    (row,) = page.select("#webhooks-table tbody tr")
    assert row["data-state"] == "enabled"
    assert text(row.select_one("td[data-label=URL] a")) == PUBLIC
    assert text(row.select_one("td[data-label=URL] .member-email")) == "CRM sync"
    events = [text(code) for code in row.select("td[data-label=Events] code")]
    assert events == ["number.bought", "plan.changed"]
    [(endpoint_id, url, description, kinds, enabled)] = stored(app)
    assert (url, description, kinds, enabled) == (
        PUBLIC,
        "CRM sync",
        ",number.bought,plan.changed,",
        True,
    )
    assert row["id"] == f"webhook-{endpoint_id}"

    for later in (hooks(owner), f"{hooks(owner)}/{endpoint_id}"):
        again = client.get(later)
        assert again.status_code == 200
        assert soup(again).select_one("#webhook-secret") is None
        assert secret not in again.get_data(as_text=True)


def test_adding_with_htmx_answers_the_panel_with_the_secret(client, owner):
    response = add(client, owner)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = soup(response)
    assert page.select_one("html, h1") is None  # a fragment, not the page
    assert page.select_one("section#webhooks-panel #webhook-secret input#new-secret")["value"]
    assert len(page.select("#webhooks-panel #webhooks-table tbody tr")) == 1


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_a_bad_endpoint_is_named_beside_its_field_and_nothing_is_added(app, client, owner, htmx):
    response = add(
        client, owner, "http://127.0.0.1:8080/hooks", events=(), htmx=htmx, description="Mine"
    )
    assert response.status_code == 400
    page = soup(response)
    assert text(page.select_one("#webhook-url-error")) == (
        "127.0.0.1 is a loopback address: webhooks go only to public internet addresses."
    )
    assert page.select_one("#webhook-url")["aria-invalid"] == "true"
    assert text(page.select_one("#events-error")).startswith("Choose at least one event type")
    # What was typed stays, so it can be corrected.
    assert page.select_one("#webhook-url")["value"] == "http://127.0.0.1:8080/hooks"
    assert page.select_one("#webhook-description")["value"] == "Mine"
    assert page.select_one("#webhook-secret") is None
    assert stored(app) == []


def test_editing_with_htmx_saves_and_answers_the_panel(app, client, owner):
    endpoint_id, _secret = added(client, owner)
    url = f"{hooks(owner)}/{endpoint_id}"
    form = {
        "url": "https://93.184.215.14/other",
        "description": "Billing",
        "events": ["plan.changed", "number.released"],
        "enabled": "on",
    }
    response = post(client, url, form)
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("h1") is None
    assert text(page.select_one("#webhook-panel #webhook-notice")) == "Saved."
    assert page.select_one("#webhook-url")["value"] == "https://93.184.215.14/other"
    ticked = [box["value"] for box in page.select("#events-field input[checked]")]
    assert ticked == ["number.released", "plan.changed"]
    [(_id, saved_url, description, kinds, enabled)] = stored(app)
    assert (saved_url, description, kinds, enabled) == (
        "https://93.184.215.14/other",
        "Billing",
        ",number.released,plan.changed,",
        True,
    )
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.subject_id == endpoint_id)
        ).all()
    assert sorted(actions) == ["webhook_create", "webhook_update"]


def test_editing_without_javascript_redirects_to_the_endpoint_with_a_flash(app, client, owner):
    endpoint_id, _secret = added(client, owner)
    url = f"{hooks(owner)}/{endpoint_id}"
    form = {"url": PUBLIC, "description": "Renamed", "events": "number.bought", "enabled": "on"}
    response = post(client, url, form, htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"] == url
    page = soup(client.get(url))
    assert text(page.select_one("#flashes .flash-success")) == "Saved."
    assert page.select_one("#webhook-description")["value"] == "Renamed"

    bad = post(client, url, {**form, "url": "ftp://example.com/x"}, htmx=False)
    assert bad.status_code == 400
    page = soup(bad)
    assert page.select_one("h1") is not None
    assert text(page.select_one("#webhook-url-error")) == (
        "The URL must start with https:// (or http://)."
    )
    assert stored(app)[0][1] == PUBLIC


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_turning_an_endpoint_off_and_on(app, client, owner, htmx):
    endpoint_id, _secret = added(client, owner)
    url = f"{hooks(owner)}/{endpoint_id}"
    form = {"url": PUBLIC, "events": "number.bought"}  # "On" unticked: not sent at all
    assert post(client, url, form, htmx=htmx).status_code == (200 if htmx else 303)
    assert stored(app)[0][4] is False
    page = soup(client.get(url))
    assert page.select_one("#webhook-panel")["data-state"] == "disabled"
    assert text(page.select_one("#webhook-disabled")).startswith("Off: Turned off by a person.")
    assert not page.select_one("#webhook-enabled").has_attr("checked")
    assert page.select_one("#webhook-test") is not None  # still there; refused while off
    listed = soup(client.get(hooks(owner))).select_one(f"#webhook-{endpoint_id}")
    assert listed["data-state"] == "disabled"
    assert text(listed.select_one("td[data-label=State]")) == "Off"

    refused = post(client, f"{url}/test", htmx=htmx)
    if htmx:
        assert refused.status_code == 409
        problem = soup(refused).select_one("#webhook-problem")
    else:
        assert refused.status_code == 303
        problem = soup(client.get(url)).select_one("#flashes .flash-error")
    assert text(problem) == "The endpoint is disabled: turn it on first."

    assert post(client, url, {**form, "enabled": "on"}, htmx=htmx).status_code in (200, 303)
    assert stored(app)[0][4] is True
    page = soup(client.get(url))
    assert page.select_one("#webhook-panel")["data-state"] == "enabled"
    assert page.select_one("#webhook-disabled") is None
    assert page.select_one("#webhook-enabled").has_attr("checked")


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_rotating_shows_the_new_secret_once_and_both_sign_meanwhile(
    local, client, owner, receiver, htmx
):
    endpoint_id, old = added(client, owner, receiver.url)
    url = f"{hooks(owner)}/{endpoint_id}"
    response = post(client, f"{url}/rotate", htmx=htmx)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = soup(response)
    assert (page.select_one("h1") is None) == htmx
    new = page.select_one("#webhook-secret input#new-secret")["value"]
    assert new.startswith("whsec_") and new != old
    assert "previous secret keeps signing too until" in text(page.select_one("#webhook-secret"))
    assert new not in client.get(url).get_data(as_text=True)

    receiver.secrets = [new]
    post(client, f"{url}/test")
    [request] = receiver.received
    assert Webhook(new).verify(request.body, request.headers)["type"] == "webhook.test"
    assert Webhook(old).verify(request.body, request.headers)["type"] == "webhook.test"


def test_a_test_event_with_htmx_is_delivered_and_logged(local, client, owner, receiver):
    endpoint_id, secret = added(client, owner, receiver.url)
    receiver.secrets = [secret]
    url = f"{hooks(owner)}/{endpoint_id}"
    assert soup(client.get(url)).select_one("#deliveries-empty") is not None
    response = post(client, f"{url}/test")
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("h1") is None
    assert text(page.select_one("#webhook-notice")) == (
        "Sent a test event: its delivery is at the top of the log."
    )
    [request] = receiver.received
    assert request.verified and request.status == 200
    assert request.headers["webhook-id"].startswith("msg_")
    (row,) = page.select("#deliveries-table tbody tr")
    assert row["data-status"] == "delivered"
    assert text(row.select_one("td[data-label=Event] code")) == "webhook.test"
    assert request.headers["webhook-id"] in text(row.select_one("td[data-label=Event]"))
    assert text(row.select_one("td[data-label=Status]")) == "Delivered · 1 try"
    assert text(row.select_one("[data-role=last-try]")).startswith("200 in ")
    assert text(row.select_one("[data-role=excerpt]")) == "thanks"
    assert row.select_one("button[data-role=resend]") is not None


def test_a_failed_test_event_without_javascript_shows_why_and_resends(
    local, client, owner, receiver
):
    endpoint_id, secret = added(client, owner, receiver.url)
    receiver.secrets = [secret]
    receiver.answers = [503]
    url = f"{hooks(owner)}/{endpoint_id}"
    response = post(client, f"{url}/test", htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"] == url
    page = soup(client.get(url))
    assert text(page.select_one("#flashes .flash-success")).startswith("Sent a test event")
    (row,) = page.select("#deliveries-table tbody tr")
    assert row["data-status"] == "pending"  # tried again later, as the receiver asked
    assert text(row.select_one("[data-role=last-try]")).startswith("503 in ")
    assert row.select_one("button[data-role=resend]") is None  # still being tried

    with local.app_context():  # given up: now it can be resent
        db.session.execute(
            sa.update(WebhookDelivery).values(
                status="failed", finished_at=WebhookDelivery.created_at
            )
        )
        db.session.commit()
    page = soup(client.get(url))
    (row,) = page.select("#deliveries-table tbody tr")
    form = row.select_one("button[data-role=resend]").find_parent("form")
    delivery_id = row["id"].removeprefix("delivery-")
    assert form["action"] == f"{url}/deliveries/{delivery_id}/resend"
    response = post(client, form["action"], htmx=False)
    assert response.status_code == 303
    page = soup(client.get(url))
    assert text(page.select_one("#flashes .flash-success")) == (
        "Sent again, with the same webhook-id."
    )
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert (first.status, second.status) == (503, 200)
    (row,) = page.select("#deliveries-table tbody tr")
    assert row["data-status"] == "delivered"
    assert text(row.select_one("td[data-label=Status]")) == "Delivered · 2 tries"


def test_resend_with_htmx_answers_the_panel(local, client, owner, receiver):
    endpoint_id, secret = added(client, owner, receiver.url)
    receiver.secrets = [secret]
    url = f"{hooks(owner)}/{endpoint_id}"
    row = soup(post(client, f"{url}/test")).select_one("#deliveries-table tbody tr")
    action = row.select_one("button[data-role=resend]").find_parent("form")["hx-post"]
    response = post(client, action)
    assert response.status_code == 200
    page = soup(response)
    assert text(page.select_one("#webhook-notice")) == "Sent again, with the same webhook-id."
    assert len(receiver.received) == 2
    assert len(receiver.handled) == 1  # one event, handled once


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_deleting_an_endpoint(app, client, owner, htmx):
    endpoint_id, _secret = added(client, owner)
    response = post(client, f"{hooks(owner)}/{endpoint_id}/delete", htmx=htmx)
    notice = f"Deleted the endpoint {PUBLIC}: it receives nothing more."
    if htmx:
        assert response.status_code == 200
        shown = soup(response).select_one("#webhooks-notice")
    else:
        assert response.status_code == 303
        assert response.headers["Location"] == hooks(owner)
        shown = soup(client.get(hooks(owner))).select_one("#flashes .flash-success")
    assert text(shown) == notice
    assert stored(app) == []
    assert client.get(f"{hooks(owner)}/{endpoint_id}").status_code == 404


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(app, client, owner, htmx):
    endpoint_id, _secret = added(client, owner)
    before = stored(app)
    url = f"{hooks(owner)}/{endpoint_id}"
    headers = HTMX if htmx else {}
    for action, form in [
        (hooks(owner), {"url": PUBLIC, "events": "number.bought"}),
        (url, {"url": PUBLIC, "events": "plan.changed"}),
        (f"{url}/rotate", {}),
        (f"{url}/test", {}),
        (f"{url}/delete", {}),
    ]:
        response = client.post(action, data=form, headers=headers)
        assert response.status_code == 400, action
        if htmx:  # nothing swapped: the form keeps its input and takes a fresh token
            assert response.headers["HX-Reswap"] == "none", action
            assert "form-token-renewed" in response.headers["HX-Trigger"], action
        else:
            assert "did not work" in text(soup(response).select_one("h1")), action
    assert stored(app) == before
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0


def test_a_member_has_no_link_and_is_refused(app, factory):
    owner = factory.member("growth")
    client = app.test_client()
    Auth(client).sign_in(owner)
    endpoint_id, _secret = added(client, owner)
    member = factory.member(team_id=owner.team_id, role="member")
    client = app.test_client()
    Auth(client).sign_in(member)
    settings = soup(client.get(f"/teams/{owner.team_id}/settings"))
    assert settings.select_one("#webhooks-link") is None
    url = f"{hooks(owner)}/{endpoint_id}"
    assert client.get(hooks(owner)).status_code == 403
    assert client.get(url).status_code == 403
    for action in (hooks(owner), url, f"{url}/rotate", f"{url}/test", f"{url}/delete"):
        response = post(client, action, {"url": PUBLIC, "events": "number.bought"}, htmx=False)
        assert response.status_code == 403, action
        refusal = text(soup(response).select_one("main"))
        assert "(member) may not manage the team's webhook endpoints" in refusal
    assert len(stored(app)) == 1 and stored(app)[0][4] is True


def test_another_teams_endpoints_and_deliveries_are_not_found(local, factory):
    app = local
    theirs = factory.member("growth")
    client = app.test_client()
    Auth(client).sign_in(theirs)
    # On 127.0.0.1's discard port: their test event fails at once, with no network.
    endpoint_id, _secret = added(client, theirs, "http://127.0.0.1:9/hooks")
    with app.app_context():
        from app.events import endpoints
        from tests.factories import actor_of

        actor = actor_of(theirs)
        endpoint = endpoints.team_endpoint(actor, endpoint_id)
        delivery_id = endpoints.send_test(actor, endpoint).id
    before = stored(app)

    mine = factory.member("growth")
    client = app.test_client()
    Auth(client).sign_in(mine)
    own_id, _secret = added(client, mine)
    # Their endpoint under my team's address, and under theirs (where I am nobody).
    for team in (mine.team_id, theirs.team_id):
        url = f"/teams/{team}/webhooks/{endpoint_id}"
        assert client.get(url).status_code == 404, url
        for action in (
            url,
            f"{url}/rotate",
            f"{url}/test",
            f"{url}/delete",
            f"{url}/deliveries/{delivery_id}/resend",
        ):
            response = post(client, action, {"url": PUBLIC, "events": "number.bought"})
            assert response.status_code == 404, action
    # Their delivery under my own endpoint.
    resend = f"{hooks(mine)}/{own_id}/deliveries/{delivery_id}/resend"
    assert post(client, resend).status_code == 404
    assert [row for row in stored(app) if row[0] == endpoint_id] == before
