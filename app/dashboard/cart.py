"""The cart pages: hold a number from the search, review the cart, buy it all in one action.

Hold answers the offer's cell for htmx (and the cart link out of band); without JavaScript it
is POST/redirect back to the search. Buying the cart is a plain POST that redirects to the
order's page, which says what became of each number. Its button carries an idempotency key,
so a double click or a resent form buys once.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import login_required

from app import idempotency
from app.accounts.roles import Permission
from app.assistants.service import list_assistants
from app.dashboard import actor, bp, is_htmx
from app.dashboard.error_pages import provider_failure_sentence
from app.dashboard.search import MAX_KEY, search_back_url
from app.exceptions import (
    NumberUnavailable,
    PlanLimitReached,
    ProviderFailed,
    ServiceError,
    SpendCapReached,
)
from app.guardrails.rules import spending
from app.numbers.cart import cart_count, drop_hold, extend_hold, hold_number, team_cart
from app.numbers.orders import buy_numbers, order_status, summary, team_order
from app.numbers.receipts import order_receipt
from app.numbers.replacing import replacements_in_cart
from app.numbers.validation import parse_purchase
from app.plans.rules import usage
from app.ratelimit import purchase_limit

CART_KEY_SCOPE = "page-cart:"  # apart from single Buy keys and an API client's own


@bp.get("/teams/<team_id>/cart")
@login_required
def cart():
    return _page()


@bp.post("/teams/<team_id>/cart")
@purchase_limit  # a hold asks the provider too: it shares the purchase budget
@login_required
def hold():
    team = actor().team
    actor().require(Permission.BUY)
    phone_number = request.form.get("phone_number", "")
    search_url = search_back_url(team.id, request.form.get("search"))
    try:
        number = parse_purchase({"phoneNumber": phone_number, "teamId": team.id}).phone_number
        item = hold_number(actor(), number)
    except ServiceError as error:
        message = _words(error, "Nothing was held")
        if not is_htmx():
            flash(message, "error")
            return redirect(search_url, code=303)
        return _cell(phone_number, "hold-failed", message, search_url, error.status)
    message = f"{phone_number} is in your cart, held for you until {item.expires_at:%H:%M} UTC."
    if not is_htmx():
        flash(message, "success")
        return redirect(search_url, code=303)
    return _cell(phone_number, "held", message, search_url, 200, item=item)


@bp.post("/teams/<team_id>/cart/<id(hold):item_id>/remove")
@login_required
def remove_hold(item_id: str):
    team = actor().team
    item = drop_hold(actor(), item_id)
    flash(f"{item.phone_number} is out of your cart; its hold ends.", "success")
    return _go(url_for("dashboard.cart", team_id=team.id))


@bp.post("/teams/<team_id>/cart/<id(hold):item_id>/extend")
@purchase_limit  # it asks the provider too
@login_required
def extend(item_id: str):
    team = actor().team
    cart_url = url_for("dashboard.cart", team_id=team.id)
    try:
        item = extend_hold(actor(), item_id)
    except (NumberUnavailable, ProviderFailed) as error:
        flash(_words(error, "The hold was not extended"), "error")
        return _go(cart_url)
    flash(f"{item.phone_number} is held until {item.expires_at:%H:%M} UTC.", "success")
    return _go(cart_url)


@bp.post("/teams/<team_id>/cart/buy")
@purchase_limit
@login_required
def buy_cart():
    team = actor().team
    actor().require(Permission.BUY)
    numbers = sorted(set(request.form.getlist("phone_number")))
    key = (request.form.get("idempotency_key") or "").strip()
    if not numbers:
        return _refused("The cart is empty: hold numbers from a search first.", 400)
    if not key or len(key) > MAX_KEY or not idempotency.valid_key(key):
        answer = _attempt(numbers)  # an old page without a usable key: buy, once
    else:
        try:
            answer, _replayed = idempotency.run_once(
                team.id,
                CART_KEY_SCOPE + key,
                idempotency.fingerprint("buy-cart", numbers),
                lambda: _attempt(numbers),
            )
        except ServiceError as error:  # the same click still running, or a reused key
            return _refused(error.message, 409 if error.status == 409 else 400)
    if "order_id" not in answer.body:
        return _refused(answer.body["message"], answer.status, answer.body.get("cap", False))
    return _go(url_for("dashboard.order", team_id=team.id, order_id=answer.body["order_id"]))


@bp.get("/teams/<team_id>/orders/<id(ord):order_id>")
@login_required
def order(order_id: str):
    team = actor().team
    found = team_order(team.id, order_id)
    return render_template(
        "cart/order.html",
        team=team,
        actor=actor(),
        order=found,
        status=order_status(found.results),
        summary=summary(found.results),
        receipt=order_receipt(found),
        assistants=[a for a, _n in list_assistants(team)],
        plan=usage(team),
    )


def _attempt(numbers: list[str]) -> idempotency.Answer:
    """Buy, as plain data: the same answer is replayed for the same key."""
    try:
        checked = [
            parse_purchase({"phoneNumber": n, "teamId": actor().team.id}).phone_number
            for n in numbers
        ]
        placed = buy_numbers(actor(), checked)
    except PlanLimitReached as error:
        return idempotency.Answer(403, {"message": error.message})
    except SpendCapReached as error:  # the page links an owner to the cap
        return idempotency.Answer(403, {"message": error.message, "cap": True})
    except ServiceError as error:
        return idempotency.Answer(error.status, {"message": _words(error, "Nothing was bought")})
    return idempotency.Answer(200, {"order_id": placed.id})


def _refused(message: str, status: int, cap: bool = False):
    """The cart again, with why nothing was bought at the top."""
    return _page(refusal=message, cap_refusal=cap), status


def _page(**context) -> str:
    team = actor().team
    return render_template(
        "cart/page.html",
        team=team,
        actor=actor(),
        cart=team_cart(team),
        plan=usage(team),
        spending=spending(team),
        replacing=replacements_in_cart(team.id),
        **context,
    )


def _go(url: str):
    """Redirect; htmx is told to load the page itself (a 302 would be swapped in place)."""
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def _words(error: ServiceError, consequence: str) -> str:
    if isinstance(error, ProviderFailed):
        return provider_failure_sentence(error, consequence)
    fields = getattr(error, "fields", None)
    return " ".join(fields.values()) if fields else error.message


def _cell(phone_number, outcome, message, search_url, status, item=None):
    team = actor().team
    html = render_template(
        "cart/_hold_result.html",
        team=team,
        actor=actor(),
        phone_number=phone_number,
        outcome=outcome,
        message=message,
        item=item,
        search_url=search_url,
        cart_count=cart_count(team.id),
    )
    return make_response(html, status)
