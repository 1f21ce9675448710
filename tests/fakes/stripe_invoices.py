"""The fake Stripe's invoices: the object and GET /v1/invoices (list, newest first).

Shapes: the `invoice` fixture in stripe/openapi `openapi/fixtures3.json`, trimmed to what a
billing page reads; the list call after docs.stripe.com/api/invoices/list: `customer`,
`status`, `limit` (1 to 100, default 10) and `starting_after`, answered as a list object
(`object: "list"`, `data`, `has_more`, `url: "/v1/invoices"`) sorted newest first. A draft has
no `number`, `hosted_invoice_url` or `invoice_pdf` (Stripe sets them when it finalizes one).
Awkward cases modelled: an unknown customer is 400 "No such customer: 'cus_…'" with param
`customer`; a limit outside 1..100 is 400 `parameter_invalid_integer`.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.fakes.stripe_wire import error_body, new_id

_NUMBERS = itertools.count(1)


def invoice(
    customer: dict[str, Any], *, status: str, total: int, currency: str, created: int | None
) -> dict[str, Any]:
    invoice_id = new_id("in", 24)
    final = status != "draft"
    number = f"{customer['invoice_prefix']}-{next(_NUMBERS):04d}" if final else None
    hosted = f"https://invoice.stripe.com/i/acct_test/{invoice_id}" if final else None
    pdf = f"https://pay.stripe.com/invoice/acct_test/{invoice_id}/pdf" if final else None
    return {
        "id": invoice_id,
        "object": "invoice",
        "amount_due": total,
        "amount_paid": total if status == "paid" else 0,
        "amount_remaining": 0 if status == "paid" else total,
        "created": created if created is not None else int(time.time()),
        "currency": currency,
        "customer": customer["id"],
        "customer_email": customer.get("email"),
        "hosted_invoice_url": hosted,
        "invoice_pdf": pdf,
        "livemode": False,
        "number": number,
        "status": status,
        "subtotal": total,
        "total": total,
    }


def list_invoices(invoices: dict[str, dict], customers: dict[str, dict], params: dict) -> tuple:
    customer = params.get("customer")
    if customer is not None and customer not in customers:
        message = f"No such customer: '{customer}'"
        return 400, error_body(message, code="resource_missing", param="customer")
    raw_limit = params.get("limit", "10")
    if not str(raw_limit).isdigit() or not 1 <= int(raw_limit) <= 100:
        message = "This value must be greater than or equal to 1 and less than or equal to 100."
        return 400, error_body(message, code="parameter_invalid_integer", param="limit")
    found = [
        item
        for item in invoices.values()
        if (customer is None or item["customer"] == customer)
        and (not params.get("status") or item["status"] == params["status"])
    ]
    found.sort(key=lambda item: (item["created"], item["id"]), reverse=True)
    if after := params.get("starting_after"):
        ids = [item["id"] for item in found]
        found = found[ids.index(after) + 1 :] if after in ids else []
    limit = int(raw_limit)
    return 200, {
        "object": "list",
        "data": found[:limit],
        "has_more": len(found) > limit,
        "url": "/v1/invoices",
    }
