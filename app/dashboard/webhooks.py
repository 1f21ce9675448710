"""Team → Webhooks (owners and admins): the team's endpoints, adding one (its secret shown
once), and each endpoint's page: change it, turn it off or on, rotate the secret, send a test
event, and its delivery log with Resend.

htmx swaps the panel in place; without JavaScript each form is a POST that answers the page
(adding and rotating, whose answer holds the secret) or redirects back with a flash. The
rules and their words are app.events.endpoints'.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, request, url_for
from flask_login import login_required

from app.accounts.roles import Permission
from app.dashboard import actor, bp, is_htmx, render
from app.events import endpoints as service
from app.events.catalog import EVENT_TYPES
from app.events.fields import parse_endpoint
from app.exceptions import ServiceError, ValidationFailed


@bp.get("/teams/<team_id>/webhooks")
@login_required
def webhooks():
    return _list_panel()


@bp.post("/teams/<team_id>/webhooks")
@login_required
def create_webhook():
    actor().require(Permission.MANAGE_WEBHOOKS)
    fields = _form()
    try:
        issued = service.create_endpoint(actor(), parse_endpoint(fields))
    except ValidationFailed as error:
        return _list_panel(400, errors=error.fields or {"url": error.message}, entered=fields)
    except ServiceError as error:
        if error.status in (403, 404):
            raise
        return _list_panel(error.status, errors={"url": error.message}, entered=fields)
    # Rendered, not redirected: the secret exists only in this answer, never in a cookie.
    response = _list_panel(created=issued)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/teams/<team_id>/webhooks/<endpoint_id>")
@login_required
def webhook_endpoint(endpoint_id: str):
    return _endpoint_panel(_endpoint(endpoint_id))


@bp.post("/teams/<team_id>/webhooks/<endpoint_id>")
@login_required
def update_webhook(endpoint_id: str):
    endpoint = _endpoint(endpoint_id)
    fields = _form()
    fields["enabled"] = "enabled" in request.form  # a checkbox: sent at all means ticked
    try:
        service.update_endpoint(actor(), endpoint, parse_endpoint(fields, partial=True))
    except ValidationFailed as error:
        return _endpoint_panel(endpoint, 400, errors=error.fields, entered=fields)
    return _done(endpoint, "Saved.")


@bp.post("/teams/<team_id>/webhooks/<endpoint_id>/delete")
@login_required
def delete_webhook(endpoint_id: str):
    endpoint = _endpoint(endpoint_id)
    service.delete_endpoint(actor(), endpoint)
    message = f"Deleted the endpoint {endpoint.url}: it receives nothing more."
    if is_htmx():
        return _list_panel(notice=message)
    flash(message, "success")
    return redirect(url_for("dashboard.webhooks", team_id=actor().team.id), code=303)


@bp.post("/teams/<team_id>/webhooks/<endpoint_id>/rotate")
@login_required
def rotate_webhook_secret(endpoint_id: str):
    issued = service.rotate_secret(actor(), _endpoint(endpoint_id))
    response = _endpoint_panel(issued.endpoint, created=issued)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/teams/<team_id>/webhooks/<endpoint_id>/test")
@login_required
def test_webhook(endpoint_id: str):
    endpoint = _endpoint(endpoint_id)
    try:
        service.send_test(actor(), endpoint)
    except ServiceError as error:
        return _refused(endpoint, error)
    return _done(endpoint, "Sent a test event: its delivery is at the top of the log.")


@bp.post("/teams/<team_id>/webhooks/<endpoint_id>/deliveries/<delivery_id>/resend")
@login_required
def resend_webhook(endpoint_id: str, delivery_id: str):
    endpoint = _endpoint(endpoint_id)
    try:
        service.resend(actor(), endpoint, delivery_id)
    except ServiceError as error:
        return _refused(endpoint, error)
    return _done(endpoint, "Sent again, with the same webhook-id.")


def _endpoint(endpoint_id: str):
    actor().require(Permission.MANAGE_WEBHOOKS)
    return service.team_endpoint(actor(), endpoint_id)


def _form() -> dict:
    fields: dict = {"url": request.form.get("url", ""), "events": request.form.getlist("events")}
    if "description" in request.form:
        fields["description"] = request.form.get("description", "")
    return fields


def _done(endpoint, message: str):
    if is_htmx():
        return _endpoint_panel(endpoint, notice=message)
    flash(message, "success")
    target = url_for("dashboard.webhook_endpoint", team_id=actor().team.id, endpoint_id=endpoint.id)
    return redirect(target, code=303)


def _refused(endpoint, error: ServiceError):
    if error.status in (403, 404):
        raise error
    if is_htmx():
        return _endpoint_panel(endpoint, error.status, problem=error.message)
    flash(error.message, "error")
    target = url_for("dashboard.webhook_endpoint", team_id=actor().team.id, endpoint_id=endpoint.id)
    return redirect(target, code=303)


def _list_panel(status: int = 200, **context):
    actor().require(Permission.MANAGE_WEBHOOKS)
    body, status = render(
        "webhooks/page.html",
        "webhooks/_list.html",
        status,
        team=actor().team,
        endpoints=service.list_endpoints(actor()),
        event_types=EVENT_TYPES,
        errors=context.pop("errors", {}),
        entered=context.pop("entered", {}),
        **context,
    )
    return make_response(body, status)


def _endpoint_panel(endpoint, status: int = 200, **context):
    body, status = render(
        "webhooks/endpoint.html",
        "webhooks/_endpoint.html",
        status,
        team=actor().team,
        endpoint=endpoint,
        log=service.deliveries(actor(), endpoint, 50),
        event_types=EVENT_TYPES,
        errors=context.pop("errors", {}),
        entered=context.pop("entered", {}),
        **context,
    )
    return make_response(body, status)
