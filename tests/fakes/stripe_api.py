"""The fake Stripe account behind FakeStripe: its objects, endpoints and test helpers.

Shapes and messages are sourced in tests/fakes/stripe.py's docstring.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

from tests.fakes import stripe_invoices as invoices
from tests.fakes import stripe_objects as objects
from tests.fakes.stripe_wire import error_body, make_event, new_id

Answer = tuple[int, Any]
_COLLECTIONS = frozenset(
    {"customers", "checkout/sessions", "billing_portal/sessions", "subscriptions", "invoices"}
)


def _missing(param: str) -> Answer:
    return 400, error_body(
        f"Missing required param: {param}.", code="parameter_missing", param=param
    )


def _no_such(kind: str, object_id: str, param: str, status: int = 400) -> Answer:
    message = f"No such {kind}: '{object_id}'"
    return status, error_body(message, code="resource_missing", param=param)


def public(value: Any) -> Any:
    """A deep copy without the fake's bookkeeping keys (those starting with "_")."""
    if isinstance(value, dict):
        return {k: public(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [public(v) for v in value]
    return copy.deepcopy(value)


class StripeRoutes:
    """State is plain dicts keyed by id that tests may read or edit (under `lock`)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.portal_configured = True  # False: portal sessions fail as in a fresh test account
        self.prices: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoices: dict[str, dict[str, Any]] = {}  # tests/fakes/stripe_invoices.py
        self.portal_sessions: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []  # what Stripe would send to webhooks, in order

    # -- helpers for tests -----------------------------------------------------------

    def add_price(
        self,
        price_id: str | None = None,
        *,
        unit_amount: int = 1900,
        interval: str | None = "month",
        currency: str = "usd",
    ) -> str:
        """A price (recurring unless interval is None); returns its id."""
        price = objects.price(price_id or new_id("price"), unit_amount, interval, currency)
        with self.lock:
            self.prices[price["id"]] = price
        return price["id"]

    def add_invoice(
        self,
        customer_id: str,
        *,
        status: str = "paid",
        total: int = 4900,
        currency: str = "usd",
        created: int | None = None,
    ) -> dict[str, Any]:
        """An invoice of the customer's (in the currency's minor unit); returns it."""
        with self.lock:
            found = invoices.invoice(
                self.customers[customer_id],
                status=status,
                total=total,
                currency=currency,
                created=created,
            )
            self.invoices[found["id"]] = found
            return public(found)

    def add_customer(self, email: str | None = None, **fields: Any) -> str:
        """A customer on the account; returns its id."""
        with self.lock:
            customer = self._new_customer({"email": email, **fields})
            return customer["id"]

    def complete_checkout(
        self, session_id: str, *, status: str = "active", payment_status: str = "paid"
    ) -> dict[str, Any]:
        """The customer paid: customer (if new), subscription and their events; the session."""
        with self.lock:
            session = self.sessions[session_id]
            assert session["status"] == "open", f"{session_id} is already {session['status']}"
            customer_id = session["customer"]
            if customer_id is None:
                customer_id = self._new_customer({"email": session["customer_email"]})["id"]
            sub = self._new_subscription(
                customer_id, session["_line_items"], session["_subscription_metadata"], status
            )
            session.update(customer=customer_id, subscription=sub["id"], status="complete")
            session.update(payment_status=payment_status)
            session["customer_details"] = {"email": self.customers[customer_id]["email"]}
            self._record("customer.subscription.created", sub)
            self._record("checkout.session.completed", session)
            return public(session)

    def settle_async_payment(self, session_id: str, *, succeeded: bool) -> dict[str, Any]:
        """A delayed payment (a bank debit) for a session completed unpaid arrives, or fails.

        docs.stripe.com/checkout/fulfillment: the session completes with payment_status
        "unpaid"; then checkout.session.async_payment_succeeded (payment_status "paid") or
        checkout.session.async_payment_failed. The subscription waits as "incomplete"
        meanwhile and becomes "active" once paid (docs.stripe.com/billing/subscriptions/overview).
        """
        with self.lock:
            session = self.sessions[session_id]
            assert (session["status"], session["payment_status"]) == ("complete", "unpaid")
            if succeeded:
                session["payment_status"] = "paid"
                self._record("checkout.session.async_payment_succeeded", session)
                sub = self.subscriptions[session["subscription"]]
                sub["status"] = "active"
                self._record("customer.subscription.updated", sub, {"status": "incomplete"})
            else:
                self._record("checkout.session.async_payment_failed", session)
            return public(session)

    def update_subscription(self, subscription_id: str, **changes: Any) -> dict[str, Any]:
        """Changes fields as Stripe would on its own (status="past_due"), with its event."""
        with self.lock:
            sub = self.subscriptions[subscription_id]
            previous = {key: copy.deepcopy(sub.get(key)) for key in changes}
            sub.update(changes)
            self._record("customer.subscription.updated", sub, previous)
            return public(sub)

    def cancel_subscription(self, subscription_id: str) -> dict[str, Any]:
        """Ends the subscription now (as DELETE does); records customer.subscription.deleted."""
        with self.lock:
            return public(self._cancel(self.subscriptions[subscription_id]))

    def events_of(self, event_type: str) -> list[dict[str, Any]]:
        with self.lock:
            return [public(e) for e in self.events if e["type"] == event_type]

    # -- endpoints -------------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict[str, Any]) -> Answer:
        """Routes one authenticated request; answers (status, body)."""
        parts = path.strip("/").split("/")
        rest = "/".join(parts[1:])
        resource, object_id = (rest, None) if rest in _COLLECTIONS else rest.rpartition("/")[::2]
        if (method, parts[:3], parts[4:]) == ("POST", ["v1", "checkout", "sessions"], ["expire"]):
            with self.lock:
                return self._expire_session(parts[3])
        if parts[0] != "v1" or resource not in _COLLECTIONS:
            return self._unrecognized(method, path)
        route = (method, resource, bool(object_id))
        with self.lock:
            if route == ("POST", "customers", False):
                return 200, public(self._new_customer(params))
            if route == ("GET", "customers", True):
                found = self.customers.get(object_id)
                return (200, public(found)) if found else _no_such("customer", object_id, "id", 404)
            if route == ("POST", "checkout/sessions", False):
                return self._create_session(params)
            if route == ("GET", "checkout/sessions", True):
                found = self.sessions.get(object_id)
                if found is None:
                    return _no_such("checkout.session", object_id, "id", 404)
                return 200, public(found)
            if route == ("POST", "billing_portal/sessions", False):
                return self._create_portal_session(params)
            if route == ("GET", "invoices", False):
                status, body = invoices.list_invoices(self.invoices, self.customers, params)
                return status, public(body)
            if resource == "subscriptions" and object_id:
                return self._subscription(method, object_id, params)
        return self._unrecognized(method, path)

    def _unrecognized(self, method: str, path: str) -> Answer:
        message = f"Unrecognized request URL ({method}: {path})."
        return 404, error_body(message)

    def _create_session(self, params: dict[str, Any]) -> Answer:
        mode = params.get("mode")
        if not mode:
            return _missing("mode")
        if mode not in ("payment", "setup", "subscription"):
            message = "Invalid mode: must be one of payment, setup, or subscription"
            return 400, error_body(message, param="mode")
        if params.get("customer") and params.get("customer_email"):
            message = "You may only specify one of these parameters: customer, customer_email."
            return 400, error_body(message, param="customer_email")
        customer = params.get("customer")
        if customer and customer not in self.customers:
            return _no_such("customer", customer, "customer")
        items = params.get("line_items") or []
        if mode != "setup" and not items:
            return _missing("line_items")
        if not isinstance(items, list):
            return 400, error_body("Invalid array", param="line_items")
        for index, item in enumerate(items):
            param = f"line_items[{index}]"
            price = item.get("price") if isinstance(item, dict) else None
            if not price:
                message = "You must provide either price or price_data for each line item."
                return 400, error_body(message, param=param)
            if price not in self.prices:
                return _no_such("price", price, f"{param}[price]")
            if not str(item.get("quantity", "")).isdigit():
                message = f"Quantity is required. Add `quantity` to `{param}`"
                return 400, error_body(message, param=f"{param}[quantity]")
        recurring = [i for i in items if self.prices[i["price"]]["recurring"]]
        if mode == "subscription" and not recurring:
            message = "You must provide at least one recurring price in `subscription` mode."
            return 400, error_body(message, param="line_items")
        if mode == "payment" and recurring:
            message = "You specified `payment` mode but passed a recurring price."
            return 400, error_body(message, param="line_items")
        prices = [self.prices[item["price"]] for item in items]
        session = objects.checkout_session(params, items, prices)
        self.sessions[session["id"]] = session
        return 200, public(session)

    def _expire_session(self, session_id: str) -> Answer:
        """docs.stripe.com/api/checkout/sessions/expire: only an open session can be expired;
        "Returns an error if the Checkout Session has already expired or isn't in an
        expireable state". Expiring sends checkout.session.expired."""
        session = self.sessions.get(session_id)
        if session is None:
            return _no_such("checkout.session", session_id, "session", 404)
        if session["status"] != "open":
            message = (
                f"This Checkout Session is {session['status']}: only a Checkout Session with "
                "status `open` can be expired."
            )
            return 400, error_body(message, code="checkout_session_not_expirable")
        session.update(status="expired")
        self._record("checkout.session.expired", session)
        return 200, public(session)

    def _create_portal_session(self, params: dict[str, Any]) -> Answer:
        customer = params.get("customer")
        if not customer:
            return _missing("customer")
        if customer not in self.customers:
            return _no_such("customer", customer, "customer")
        if not self.portal_configured:
            message = (
                "You can't create a portal session in test mode until you save your customer "
                "portal settings in test mode at "
                "https://dashboard.stripe.com/test/settings/billing/portal."
            )
            return 400, error_body(message)
        portal = objects.portal_session(customer, params.get("return_url"))
        self.portal_sessions[portal["id"]] = portal
        return 200, public(portal)

    def _subscription(self, method: str, sub_id: str, params: dict[str, Any]) -> Answer:
        sub = self.subscriptions.get(sub_id)
        if sub is None or (method == "DELETE" and sub["status"] == "canceled"):
            # Stripe treats a cancelled subscription as gone for a second cancel.
            return _no_such("subscription", sub_id, "id", 404)
        if method == "GET":
            return 200, public(sub)
        if method == "DELETE":
            return 200, public(self._cancel(sub))
        return self._update(sub, params)

    def _update(self, sub: dict[str, Any], params: dict[str, Any]) -> Answer:
        if sub["status"] == "canceled" and set(params) - {"metadata", "cancellation_details"}:
            message = (
                "A canceled subscription can only update its cancellation_details and metadata."
            )
            return 400, error_body(message)
        items = params.get("items") or []
        by_id = {item["id"]: item for item in sub["items"]["data"]}
        for index, change in enumerate(items):
            if not change.get("id") and not change.get("price"):
                return _missing(f"items[{index}][price]")
            if change.get("id") and change["id"] not in by_id:
                return _no_such("subscription item", change["id"], f"items[{index}][id]")
            if change.get("price") and change["price"] not in self.prices:
                return _no_such("price", change["price"], f"items[{index}][price]")
        previous: dict[str, Any] = {}
        for key, value in (params.get("metadata") or {}).items():
            previous.setdefault("metadata", dict(sub["metadata"]))
            if value == "":  # Stripe unsets a key given an empty value
                sub["metadata"].pop(key, None)
            else:
                sub["metadata"][key] = value
        if "cancel_at_period_end" in params:
            previous["cancel_at_period_end"] = sub["cancel_at_period_end"]
            sub["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
        if items:
            previous["items"] = copy.deepcopy(sub["items"])
        for change in items:
            item = by_id.get(change.get("id")) or self._new_item(sub["id"], change["price"])
            if not any(item is known for known in sub["items"]["data"]):
                sub["items"]["data"].append(item)
            if change.get("price"):
                item["price"] = copy.deepcopy(self.prices[change["price"]])
            if str(change.get("quantity", "")).isdigit():
                item["quantity"] = int(change["quantity"])
        if previous:
            self._record("customer.subscription.updated", sub, public(previous))
        return 200, public(sub)

    # -- object factories ------------------------------------------------------------

    def _new_customer(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = objects.customer(params)
        self.customers[customer["id"]] = customer
        return customer

    def _new_item(self, sub_id: str, price_id: str, quantity: int = 1) -> dict[str, Any]:
        return objects.subscription_item(sub_id, self.prices[price_id], quantity)

    def _new_subscription(
        self, customer_id: str, line_items: list[dict], metadata: dict[str, str], status: str
    ) -> dict[str, Any]:
        sub_id = new_id("sub")
        items = [self._new_item(sub_id, i["price"], int(i["quantity"])) for i in line_items]
        sub = objects.subscription(sub_id, customer_id, items, metadata, status)
        self.subscriptions[sub_id] = sub
        return sub

    def _cancel(self, sub: dict[str, Any]) -> dict[str, Any]:
        now = int(time.time())
        sub.update(status="canceled", canceled_at=now, ended_at=now)
        self._record("customer.subscription.deleted", sub)
        return sub

    def _record(
        self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None
    ) -> None:
        self.events.append(make_event(event_type, public(obj), previous_attributes=previous))
