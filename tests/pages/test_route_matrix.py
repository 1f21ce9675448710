"""Every page route, read from the app: signed out it sends you to sign in; signed in as
someone else's member it is 404; a POST without a CSRF token is refused."""

import re
from urllib.parse import quote, urlsplit

from tests.helpers import bought_id, new_assistant, sandbox_number
from tests.pages.helpers import csrf_token, soup

# Open to everyone: signing in, signing up, and what an emailed link opens.
PUBLIC = {
    "auth.signin",
    "auth.signup",
    "auth.confirm_email",
    "auth.forgot_password",
    "auth.reset_password",
    "auth.invitation",
    "auth.invitation_signin",
    "auth.invitation_signup",
    "auth.change_email",  # the new address's link works from any browser, signed in or not
    "static",
    "dashboard.index",
}


def page_routes(app, public: bool = False):
    for rule in app.url_map.iter_rules():
        # The API, the webhooks and the MCP server are machine surfaces, with their own tests.
        if rule.rule.startswith(("/api", "/webhooks", "/mcp")) or rule.endpoint == "static":
            continue
        if rule.endpoint in PUBLIC and not public:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def fill(rule, team_id, number_id, assistant_id, token_id="tok_" + "0" * 26, **more):
    """The rule's URL with these ids (the token, user and invitation ids are well-formed but
    nobody's)."""
    values = {
        "team_id": team_id,
        "number_id": number_id,
        "assistant_id": assistant_id,
        "token_id": token_id,
        "user_id": "usr_" + "0" * 26,
        "invitation_id": "inv_" + "0" * 26,
        "item_id": "hold_" + "0" * 26,
        "order_id": "ord_" + "0" * 26,
        "request_id": "preq_" + "0" * 26,
        "campaign_id": "camp_" + "0" * 26,
        "session_id": "ses_" + "0" * 26,
        **more,
    }
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: values.get(m.group(1), "x"), rule.rule)


def test_signed_out_every_page_sends_you_to_sign_in(app, client, factory):
    owner = factory.member("growth")
    number = bought_id(client, owner, sandbox_number("415", 0))
    assistant = new_assistant(client, owner)
    anonymous_token = csrf_token(client)  # a signed-out visitor's own, valid token
    for method, rule in page_routes(app):
        url = fill(rule, owner.team_id, number, assistant)
        data = {"csrf_token": anonymous_token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302, (method, url, response.status_code)
        assert urlsplit(response.headers["Location"]).path == "/signin", (method, url)


def test_signed_out_posts_without_a_token_are_refused_before_anything(app, client, factory):
    owner = factory.member("growth")
    number = bought_id(client, owner, sandbox_number("415", 0))
    assistant = new_assistant(client, owner)
    for method, rule in page_routes(app):
        if method == "POST":
            response = client.post(fill(rule, owner.team_id, number, assistant))
            assert response.status_code == 400, (rule.rule, response.status_code)


HOSTILE_PARTS = ["\u096a\u0967\u096b", "\u00b2", "a\x00b", "\u200b", "\u202eevil", "%ED%A0%80"]


def test_hostile_ids_in_every_page_url_are_404(app, client, factory, auth):
    owner = factory.member("growth")
    number = bought_id(client, owner, sandbox_number("415", 0))
    assistant = new_assistant(client, owner)
    auth.sign_in(owner)
    token = csrf_token(client, "/settings/tokens")
    checked = 0
    for method, rule in page_routes(app):
        # A signed link's token is not an id: a bad one is the 400 page "this link does not
        # work" (tests/pages/test_links_hostile.py).
        for part in rule.arguments - {"token"}:
            for hostile in HOSTILE_PARTS:
                value = hostile if hostile.startswith("%") else quote(hostile, safe="")
                ids = {"team_id": owner.team_id, "number_id": number, "assistant_id": assistant}
                url = fill(rule, **{**ids, part: "HOSTILE"}).replace("HOSTILE", value)
                response = client.open(url, method=method, data={"csrf_token": token})
                assert response.status_code == 404, (method, url, response.status_code)
                checked += 1
    assert checked >= 100


def test_hostile_paging_parameters_start_from_the_first_page(client, factory, auth):
    owner = factory.member("growth")
    bought_id(client, owner, sandbox_number("415", 0))
    auth.sign_in(owner)
    numbers, history = f"/teams/{owner.team_id}/numbers", f"/teams/{owner.team_id}/history"
    for hostile in [*HOSTILE_PARTS, "\u00b9\u00b2", "\uff12", "-1", "99999999999"]:
        value = hostile if hostile.startswith("%") else quote(hostile, safe="")
        response = client.get(f"{history}?page={value}")
        assert response.status_code == 200, hostile
        assert soup(response).select_one("#history")["data-page"] == "1", hostile
        if not hostile.startswith("-") and not hostile[0].isdigit():
            response = client.get(f"{numbers}?cursor={value}")
            assert response.status_code == 302, hostile
            assert response.headers["Location"] == numbers, hostile


def test_another_teams_pages_are_404(app, client, factory, auth):
    owner, stranger = factory.member("growth"), factory.member("growth")
    number = bought_id(client, owner, sandbox_number("415", 0))
    assistant = new_assistant(client, owner)
    auth.sign_in(stranger)
    token = soup(client.get("/", follow_redirects=True)).select_one("input[name=csrf_token]")[
        "value"
    ]
    checked = 0
    for method, rule in page_routes(app):
        if "team_id" not in rule.arguments:
            continue
        url = fill(rule, owner.team_id, number, assistant)
        response = client.open(
            url, method=method, data={"csrf_token": token, "name": "x", "label": "x"}
        )
        assert response.status_code == 404, (method, url, response.status_code)
        checked += 1
    assert checked >= 8


def test_posts_without_csrf_are_refused(app, client, factory, auth):
    owner = factory.member("growth")
    number = bought_id(client, owner, sandbox_number("415", 0))
    assistant = new_assistant(client, owner)
    auth.sign_in(owner)
    for method, rule in page_routes(app, public=True):
        if method != "POST":
            continue
        url = fill(rule, owner.team_id, number, assistant)
        response = client.open(url, method=method, data={"name": "x", "label": "x"})
        assert response.status_code == 400, (method, url, response.status_code)
