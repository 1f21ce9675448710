"""Every page route, read from the app: signed out it sends you to sign in; signed in as
someone else's member it is 404; a POST without a CSRF token is refused."""

import re

from tests.helpers import bought_id, new_assistant, sandbox_number
from tests.pages.helpers import soup

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
    "static",
    "dashboard.index",
}


def page_routes(app, public: bool = False):
    for rule in app.url_map.iter_rules():
        # The API and the webhooks are machine surfaces, with their own matrices.
        if rule.rule.startswith(("/api", "/webhooks")) or rule.endpoint == "static":
            continue
        if rule.endpoint in PUBLIC and not public:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def fill(rule, team_id, number_id, assistant_id, token_id="tok_" + "0" * 26):
    values = {
        "team_id": team_id,
        "number_id": number_id,
        "assistant_id": assistant_id,
        "token_id": token_id,
        "user_id": "usr_" + "0" * 26,
        "invitation_id": "inv_" + "0" * 26,
    }
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: values.get(m.group(1), "x"), rule.rule)


def test_signed_out_every_page_sends_you_to_sign_in(app, client, factory):
    owner = factory.member("growth")
    number = bought_id(client, owner, sandbox_number("415", 0))
    assistant = new_assistant(client, owner)
    for method, rule in page_routes(app):
        url = fill(rule, owner.team_id, number, assistant)
        response = client.open(url, method=method)
        if method == "POST":
            assert response.status_code in (302, 400), (method, url, response.status_code)
        else:
            assert response.status_code == 302, (method, url)
            assert "/signin" in response.headers["Location"]


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
