"""What a regulated Telnyx order waits for, and giving it: documents, an address, a requirement
group applied to the ordered number; or cancelling the order instead.

Shapes from Telnyx's v2 API (`regulatory.yml`, `documents.yml`, `ordering.yml`):
`POST /documents {file (base64), filename, customer_reference}` and `POST /addresses` answer
the ids a requirement's `field_value` names; `POST /requirement_groups {country_code,
phone_number_type, action: "ordering", regulatory_requirements: [{requirement_id,
field_value}]}` gathers them; `POST /number_order_phone_numbers/{id}/requirement_group`
applies the group to one ordered number, whose record (`GET /number_order_phone_numbers/{id}`)
carries its `deadline` and `sub_number_order_id`; `PATCH /sub_number_orders/{id}/cancel`
cancels a pending sub order. Each POST is sent once: a lost answer is an error, never retried.
A mixin of TelnyxProvider: it uses the provider's `http`.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

from app.phone import digits, number_type, region
from app.providers.base import (
    Provided,
    ProviderError,
    ProviderRefusedInput,
)
from app.providers.telnyx import parse
from app.providers.telnyx.http import sentence


class TelnyxRegulation:
    def provide_documents(
        self,
        order_id: str,
        phone_number: str,
        provided: list[Provided],
        *,
        customer_reference: str,
    ) -> None:
        reference = customer_reference
        item = self.order_item(order_id, phone_number)
        values = [
            {"requirement_id": given.requirement.id, "field_value": self._value(given, reference)}
            for given in provided
        ]
        group = self._post(
            "/requirement_groups",
            {
                "country_code": region(phone_number),
                "phone_number_type": number_type(phone_number).replace("-", "_"),
                "action": "ordering",
                "customer_reference": customer_reference,
                "regulatory_requirements": values,
            },
        )
        path = f"/number_order_phone_numbers/{quote(str(item['id']), safe='')}/requirement_group"
        self._post(path, {"requirement_group_id": group["id"]})

    def cancel_order(self, order_id: str, phone_number: str) -> None:
        item = self.order_item(order_id, phone_number)
        sub_order = item.get("sub_number_order_id")
        if not isinstance(sub_order, str) or not sub_order:
            raise ProviderError("Telnyx did not say which sub order holds this number.")
        path = f"/sub_number_orders/{quote(sub_order, safe='')}/cancel"
        try:
            response = self.http.send("PATCH", path)
        except requests.RequestException as exc:
            raise self.http.transport_error(exc) from exc
        if not response.ok:
            raise ProviderError(
                sentence("Telnyx did not cancel the order", self.http.detail(response))
            )

    def order_item(
        self, order_id: str, phone_number: str, order: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The ordered number's own record (`number_order_phone_number`); the order is read
        unless the caller has it."""
        if order is None:
            order = self.http.get(f"/number_orders/{quote(order_id, safe='')}").get("data")
        entries = order.get("phone_numbers") if isinstance(order, dict) else None
        entry = next(
            (
                e
                for e in (entries if isinstance(entries, list) else [])
                if isinstance(e, dict)
                and digits(str(e.get("phone_number") or "")) == digits(phone_number)
                and e.get("id")
            ),
            None,
        )
        if entry is None:
            raise ProviderError(f"Telnyx's order does not name {phone_number}.")
        item = self.http.get(f"/number_order_phone_numbers/{quote(str(entry['id']), safe='')}")
        if not isinstance(item.get("data"), dict):
            raise ProviderError("Telnyx answered nonsense: an ordered number was expected.")
        return item["data"]

    def deadline(self, order: dict[str, Any], phone_number: str) -> datetime | None:
        """When Telnyx cancels a number waiting for documents (None when it cannot say)."""
        try:
            item = self.order_item(str(order["id"]), phone_number, order)
        except ProviderError:
            return None
        return parse.moment(item.get("deadline"))

    # -- inside ------------------------------------------------------------------------

    def _value(self, given: Provided, customer_reference: str) -> str:
        """The requirement's `field_value`: an uploaded document's id, an address id, a text."""
        if given.requirement.kind == "document":
            document = {
                "file": base64.b64encode(given.content).decode(),
                "filename": given.filename,
                "customer_reference": customer_reference,
            }
            return str(self._post("/documents", document)["id"])
        if given.requirement.kind == "address" and given.address is not None:
            address = {**vars(given.address), "customer_reference": customer_reference}
            return str(self._post("/addresses", address)["id"])
        return given.text

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.http.send("POST", path, json=payload)
        except requests.RequestException as exc:
            raise self.http.transport_error(exc) from exc
        if response.status_code in (400, 422):
            raise ProviderRefusedInput(
                sentence("Telnyx refused what was provided", self.http.detail(response))
            )
        record = self.http.body(response).get("data")
        if not isinstance(record, dict) or not record.get("id"):
            raise ProviderError("Telnyx answered nonsense: a record without an id.")
        return record
