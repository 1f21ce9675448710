"""The fake Telnyx account's regulation: documents, addresses, requirement groups, and what a
pending regulated order is given or how it is cancelled.

Shapes from Telnyx's published API (its OpenAPI specs `numbers-identity/regulatory.yml`,
`documents.yml` and `ordering.yml` as developers.telnyx.com renders them, and the generated
SDK types of team-telnyx/telnyx-python: `RequirementGroup`, `NumberOrderPhoneNumber`):
- `GET /requirements` lists, per country, number type and action, `requirements_types`, each
  `{id, name, description, type}` where `type` is `document`, `address` or `textual`.
- `POST /documents {file (base64), filename, customer_reference}` answers
  `{id, record_type: "document", status: "pending", filename, sha256, size {unit, amount},
  content_type, customer_reference}`; at most 20 MB; a file that is not base64 is a 422.
- `POST /addresses {first_name, last_name, business_name, street_address, locality,
  postal_code, country_code, ...}` answers the address with its `id`; a missing field is a
  422 pointing at it.
- `POST /requirement_groups {country_code, phone_number_type, action, customer_reference,
  regulatory_requirements: [{requirement_id, field_value}]}` answers the group (`status`
  approved | unapproved | pending-approval | declined | expired). A document requirement's
  value is a document id, an address requirement's an address id.
- `POST /number_order_phone_numbers/{id}/requirement_group {requirement_group_id}` applies a
  fulfilled group to one ordered number and answers that `number_order_phone_number`
  (`id, phone_number, status, requirements_met, requirements_status, deadline,
  sub_number_order_id, regulatory_requirements`); `GET /number_order_phone_numbers/{id}`
  reads it. A group missing a value is refused (a 422), as an empty group is at Telnyx.
- `PATCH /sub_number_orders/{id}/cancel` cancels a sub number order "in 'pending' status";
  any other is refused (a 422). Its numbers end `failure` with `requirements_status`
  `cancelled`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from typing import Any

from tests.fakes.telnyx_shapes import error_body, now_text

MAX_DOCUMENT = 20 * 1024 * 1024
ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "business_name",
    "street_address",
    "locality",
    "postal_code",
    "country_code",
)


def requirement_type(name: str, kind: str, description: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"requirement-type:{name}")),
        "record_type": "requirement_type",
        "name": name,
        "type": kind,
        "description": description,
    }


PROOF_OF_ADDRESS = requirement_type(
    "Proof of address", "document", "A utility bill from the number's area, under 3 months old."
)
LOCAL_ADDRESS = requirement_type(
    "Address in the number's area", "address", "Street, building, postal code and city."
)
# Requirement types Telnyx lists for regulated orders (GET /requirements), by country and type.
REGULATED = {
    ("DE", "local"): [LOCAL_ADDRESS, PROOF_OF_ADDRESS],
    ("FR", "local"): [PROOF_OF_ADDRESS],
}


class Regulation:
    """Regulation of the fake account (a mixin of Account: it uses the account's state)."""

    def init_regulation(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.addresses: dict[str, dict[str, Any]] = {}
        self.requirement_groups: dict[str, dict[str, Any]] = {}
        self.documents_days = 14  # how long a regulated order waits before it is cancelled

    def order_items(self) -> dict[str, dict[str, Any]]:
        """Every ordered number (`number_order_phone_number`) by its id."""
        return {e["id"]: e for o in self.orders.values() for e in o["phone_numbers"]}

    def approve_documents(self, order_id: str) -> None:
        """Telnyx's review approved what was given: the order completes."""
        with self.lock:
            order = self.orders[order_id]
            for entry in order["phone_numbers"]:
                entry.update(requirements_met=True, requirements_status="approved")
                entry["status"], entry["_next"] = "success", []
            self._apply(order)

    def _upload_document(self, body: Any) -> tuple[int, Any]:
        raw = body.get("file") if isinstance(body, dict) else None
        try:
            content = base64.b64decode(raw or "", validate=True)
        except (binascii.Error, ValueError):
            content = b""
        if not content:
            detail = "file must be the base64 encoded contents of the document."
            return 422, error_body(422, "Invalid document", detail, pointer="/file")
        if len(content) > MAX_DOCUMENT:
            detail = "The document is larger than 20 MB."
            return 422, error_body(422, "Invalid document", detail, pointer="/file")
        document = {
            "id": str(uuid.uuid4()),
            "record_type": "document",
            "created_at": now_text(),
            "updated_at": now_text(),
            "content_type": _content_type(content),
            "size": {"unit": "bytes", "amount": len(content)},
            "status": "pending",
            "sha256": hashlib.sha256(content).hexdigest(),
            "filename": str(body.get("filename") or "").replace(" ", ""),
            "customer_reference": body.get("customer_reference"),
            "av_scan_status": "scanned",
        }
        self.documents[document["id"]] = document
        return 200, {"data": document}

    def _create_address(self, body: Any) -> tuple[int, Any]:
        body = body if isinstance(body, dict) else {}
        for name in ADDRESS_FIELDS:
            if not isinstance(body.get(name), str) or not body[name].strip():
                detail = f"{name} is required."
                return 422, error_body(422, "Missing parameter", detail, pointer=f"/{name}")
        address = {
            "id": str(next(self._ids)),
            "record_type": "address",
            **{name: body[name] for name in ADDRESS_FIELDS},
            "customer_reference": body.get("customer_reference"),
            "created_at": now_text(),
        }
        self.addresses[address["id"]] = address
        return 200, {"data": address}

    def _create_requirement_group(self, body: Any) -> tuple[int, Any]:
        body = body if isinstance(body, dict) else {}
        key = (body.get("country_code"), body.get("phone_number_type"))
        if body.get("action") not in ("ordering", "porting"):
            return 422, error_body(
                422, detail="action must be ordering or porting.", pointer="/action"
            )
        types = {t["id"]: t for t in self.regulated.get(key, [])}
        values = body.get("regulatory_requirements") or []
        for index, value in enumerate(values):
            wanted = types.get(value.get("requirement_id")) if isinstance(value, dict) else None
            pointer = f"/regulatory_requirements/{index}"
            if wanted is None:
                detail = "requirement_id is not a requirement of this country and number type."
                return 422, error_body(422, detail=detail, pointer=pointer + "/requirement_id")
            field = value.get("field_value")
            known = {"document": self.documents, "address": self.addresses}.get(wanted["type"])
            if (
                not isinstance(field, str)
                or not field
                or (known is not None and field not in known)
            ):
                detail = f"field_value is not a valid {wanted['type']} for {wanted['name']}."
                return 422, error_body(422, detail=detail, pointer=pointer + "/field_value")
        group = {
            "id": str(uuid.uuid4()),
            "record_type": "requirement_group",
            "country_code": key[0],
            "phone_number_type": key[1],
            "action": body["action"],
            "customer_reference": body.get("customer_reference"),
            "status": "pending-approval",
            "created_at": now_text(),
            "updated_at": now_text(),
            "regulatory_requirements": [
                {
                    "requirement_id": v["requirement_id"],
                    "field_value": v["field_value"],
                    "field_type": types[v["requirement_id"]]["type"],
                    "status": "pending-approval",
                }
                for v in values
            ],
        }
        self.requirement_groups[group["id"]] = group
        return 200, {"data": group}

    def _apply_requirement_group(self, item_id: str, body: Any) -> tuple[int, Any]:
        item = self.order_items().get(item_id)
        if item is None:
            return 404, error_body(404)
        group_id = body.get("requirement_group_id") if isinstance(body, dict) else None
        group = self.requirement_groups.get(group_id) if isinstance(group_id, str) else None
        if group is None:
            detail = "requirement_group_id is not a requirement group of this account."
            return 422, error_body(422, detail=detail, pointer="/requirement_group_id")
        types = self.regulated.get((item["country_code"], item["phone_number_type"]), [])
        given = {v["requirement_id"] for v in group["regulatory_requirements"]}
        if (group["country_code"], group["phone_number_type"]) != (
            item["country_code"],
            item["phone_number_type"],
        ) or not {t["id"] for t in types} <= given:
            detail = "The requirement group does not fulfil this number's requirements."
            return 422, error_body(422, detail=detail, pointer="/requirement_group_id")
        if item["status"] != "pending":
            return 422, error_body(422, detail="The number's order is no longer pending.")
        item["regulatory_requirements"] = [dict(v) for v in group["regulatory_requirements"]]
        item["requirements_status"] = "requirement-info-under-review"
        return 200, {"data": item}

    def _cancel_sub_order(self, sub_order_id: str) -> tuple[int, Any]:
        entries = [
            e for e in self.order_items().values() if e["sub_number_order_id"] == sub_order_id
        ]
        if not entries:
            return 404, error_body(404)
        if any(e["status"] != "pending" for e in entries):
            detail = "Only a sub number order in 'pending' status can be cancelled."
            return 422, error_body(422, detail=detail)
        order = next(o for o in self.orders.values() if entries[0] in o["phone_numbers"])
        for entry in entries:
            entry.update(status="failure", requirements_status="cancelled", _next=[])
        self.failed_orders_leave_records, leave = False, self.failed_orders_leave_records
        try:
            self._apply(order)
        finally:
            self.failed_orders_leave_records = leave
        return 200, {"data": _sub_order(sub_order_id, order, entries)}


def _sub_order(sub_order_id: str, order: dict[str, Any], entries: list) -> dict[str, Any]:
    return {
        "id": sub_order_id,
        "record_type": "sub_number_order",
        "order_request_id": order["id"],
        "status": "failure" if entries[0]["status"] == "failure" else entries[0]["status"],
        "phone_numbers_count": len(entries),
        "country_code": entries[0]["country_code"],
        "phone_number_type": entries[0]["phone_number_type"],
        "requirements_met": all(e["requirements_met"] for e in entries),
        "customer_reference": order["customer_reference"],
        "updated_at": now_text(),
    }


def _content_type(content: bytes) -> str:
    if content.startswith(b"%PDF"):
        return "application/pdf"
    if content.startswith(b"\x89PNG"):
        return "image/png"
    if content.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return "application/octet-stream"
