"""Small helpers shared by the API tests: requests as a client sends them."""

from __future__ import annotations

from typing import Any

from app.plans.catalog import FREE

# The Free plan's trial, as the pages and emails state it ("for 5 days").
TRIAL_DAYS = FREE.trial_days
SEARCH = "/api/phone-numbers/search"
PURCHASE = "/api/phone-numbers/purchase"
REQUESTS = "/api/purchase-requests"


def search(client, member, **filters: Any):
    filters.setdefault("countryCode", "US")
    return client.post(SEARCH, json={"filters": filters}, headers=member.headers)


def buy(client, member, phone_number: str, team_id: str | None = None, **extra: Any):
    body = {"phoneNumber": phone_number, "teamId": team_id or member.team_id, **extra}
    return client.post(PURCHASE, json=body, headers=member.headers)


def listed(client, member, team_id: str | None = None):
    return client.get(
        PURCHASE, query_string={"teamId": team_id or member.team_id}, headers=member.headers
    )


def sandbox_number(area: str, index: int) -> str:
    """The sandbox's index-th number in a US/CA area code (555-0100 onwards)."""
    return f"+1{area}55501{index:02d}"


def german_number(index: int) -> str:
    """The sandbox's index-th German local number (DE asks for documents before it sells)."""
    from app.phone import LOCAL
    from app.providers.base import SearchFilters
    from app.providers.sandbox import SandboxProvider

    found = SandboxProvider().search_page(SearchFilters("DE", None, LOCAL, index + 1)).numbers
    return found[index].phone_number


def waiting_for_documents(factory, member, e164: str) -> str:
    """A regulated order of the sandbox's, placed now and waiting for documents; its id."""
    import time

    from app.phone import digits

    return factory.number(
        member,
        e164,
        status="pending",
        status_reason="documents",
        country_code="DE",
        provider_number_id=None,
        provider_order_id=f"sbx-{int(time.time())}-{digits(e164)}",
    )


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body


def bought_id(client, member, phone_number: str) -> str:
    response = buy(client, member, phone_number)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["phoneNumber"]["id"]


def new_assistant(client, member, name: str = "Sales Agent") -> str:
    response = client.post(
        "/api/assistants", json={"teamId": member.team_id, "name": name}, headers=member.headers
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["assistant"]["id"]


def guardrails_url(team_id: str) -> str:
    return f"/api/teams/{team_id}/guardrails"


def asked_id(client, member, phone_number: str) -> str:
    """A member's Buy where approvals are on: the purchase request's id (202)."""
    response = buy(client, member, phone_number)
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()["request"]["id"]


def decide(client, member, request_id: str, decision: str, **body: Any):
    """Approve or deny a purchase request as `member` (extra headers under `headers`)."""
    headers = {**member.headers, **body.pop("headers", {})}
    return client.post(
        f"{REQUESTS}/{request_id}/{decision}",
        json={"teamId": member.team_id, **body},
        headers=headers,
    )


def race(app, calls) -> list:
    """Run each (member, call) at once, each in a thread of its own: `call(actor)` acts for
    the member. Answers what each call returned, or the code of the refusal it raised."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from app.exceptions import ServiceError
    from app.extensions import db
    from tests.factories import actor_of

    barrier = threading.Barrier(len(calls))

    def attempt(pair):
        member, call = pair
        with app.app_context():
            actor = actor_of(member)
            db.session.commit()  # hand the connection back: the pool is smaller than the race
            barrier.wait(timeout=30)
            try:
                return call(actor)
            except ServiceError as error:
                return error.code

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(attempt, calls))
