"""The Requests page: members' purchases waiting for approval, and what became of them.

Owners and admins see every request still waiting, with Approve and Deny, then the recent
decisions; a member sees their own requests. htmx swaps the panel in place (and the header's
count out of band); without JavaScript each form is a POST that redirects back with a flash.
Approving twice (a double click, a resent form, two approvers) buys once: the service claims
the request before it buys.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, request, url_for
from flask_login import login_required

from app.accounts.roles import Permission
from app.dashboard import actor, bp, is_htmx, render
from app.dashboard.error_pages import provider_failure_sentence
from app.exceptions import ProviderFailed, ServiceError, ValidationFailed
from app.guardrails.approvals import approve_request, deny_request
from app.guardrails.requests import team_requests
from app.guardrails.rules import spending
from app.models import RequestStatus, utcnow
from app.phone import national
from app.ratelimit import purchase_limit

RECENT = 50
REQUEST = "/teams/<team_id>/requests/<id(preq):request_id>"


@bp.get("/teams/<team_id>/requests")
@login_required
def purchase_requests():
    return _panel()


@bp.post(f"{REQUEST}/approve")
@purchase_limit  # approving buys: it shares the purchase budget
@login_required
def approve_purchase(request_id: str):
    actor().require(Permission.APPROVE_PURCHASES)  # a 403 page before anything else
    try:
        approval = approve_request(actor(), request_id)
    except ServiceError as error:
        if error.status in (403, 404) and error.code in ("forbidden", "not_found"):
            raise
        return _done(problem=_words(error))
    number, asked = national(approval.request.phone_number), _asker(approval.request)
    if approval.again:
        return _done(f"Already approved: {number} was bought for {asked}.")
    ready = approval.number is not None and approval.number.status == "active"
    state = "It is ready to take calls." if ready else "The provider is still completing it."
    return _done(f"Approved: {number} is bought for {asked}. {state}")


@bp.post(f"{REQUEST}/deny")
@login_required
def deny_purchase(request_id: str):
    actor().require(Permission.APPROVE_PURCHASES)
    try:
        denied = deny_request(actor(), request_id, request.form.get("note"))
    except ServiceError as error:
        if error.status in (403, 404):
            raise
        return _done(problem=_words(error))
    number = national(denied.phone_number)
    return _done(f"Denied {_asker(denied)}'s request for {number}; its hold is dropped.")


def _words(error: ServiceError) -> str:
    if isinstance(error, ProviderFailed):
        return provider_failure_sentence(error, "Nothing was bought")
    if isinstance(error, ValidationFailed) and error.fields:
        return " ".join(error.fields.values())
    return error.message


def _asker(found) -> str:
    person = found.requested_by
    return (person.name or person.email) if person else "someone who has left"


def _done(notice: str | None = None, problem: str | None = None):
    team = actor().team
    if not is_htmx():
        flash(notice or problem, "success" if notice else "error")
        return redirect(url_for("dashboard.purchase_requests", team_id=team.id), code=303)
    return _panel(notice=notice, problem=problem, oob=True)


def _panel(notice: str | None = None, problem: str | None = None, oob: bool = False):
    team, now = actor().team, utcnow()
    found = team_requests(actor(), limit=RECENT)
    waiting = [r for r in found if r.effective_status(now) == RequestStatus.PENDING]
    body, status = render(
        "requests/page.html",
        "requests/_panel.html",
        400 if problem else 200,
        team=team,
        actor=actor(),
        waiting=waiting,
        decided=[r for r in found if r not in waiting],
        spending=spending(team, now),
        now=now,
        notice=notice,
        problem=problem,
        oob=oob,
    )
    return make_response(body, status)
