"""What the team was charged: Stripe's invoices on the Plans page, or (in the sandbox, which
issues none) a statement per month, as a page and as CSV."""

from __future__ import annotations

import csv
import io

from flask import Response, render_template
from flask_login import login_required

from app.accounts.roles import Permission
from app.billing import current_billing
from app.billing.base import BillingError, Invoice
from app.billing.statements import monthly_statement, parse_month, statement_months
from app.dashboard import actor, bp
from app.models import utcnow
from app.timefmt import iso, readable

INVOICES_SHOWN = 12  # a year of monthly invoices; Stripe's portal has the rest


def invoices_for_page(team) -> tuple[list[Invoice], str | None]:
    """The team's newest invoices at the billing provider for an owner, and why not, if
    the provider failed (the page says so; it never fails for it)."""
    billing = current_billing()
    if billing.is_sandbox or not team.billing_customer_id:
        return [], None
    if not actor().can(Permission.CHANGE_PLAN):
        return [], None
    try:
        return billing.list_invoices(team.billing_customer_id, INVOICES_SHOWN), None
    except BillingError as error:
        return (
            [],
            f"The invoices could not be listed just now ({error.message}). Reload to try again.",
        )


def statement_list(team) -> list:
    """The months a sandbox team has statements for, newest first (none with a real provider)."""
    return statement_months(team, utcnow()) if current_billing().is_sandbox else []


@bp.get("/teams/<team_id>/statements/<month>")
@login_required
def statement(month: str):
    team = actor().team
    found = monthly_statement(team, parse_month(team, month, utcnow()))
    return render_template("plans/statement.html", team=team, actor=actor(), statement=found)


@bp.get("/teams/<team_id>/statements/<month>.csv")
@login_required
def statement_csv(month: str):
    team = actor().team
    found = monthly_statement(team, parse_month(team, month, utcnow()))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["time_utc", "time", "kind", "what", "who", "amount_usd"])
    for line in found.lines:
        amount = "" if line.amount is None else f"{line.amount:.2f}"
        writer.writerow(
            [iso(line.when), readable(line.when), line.kind, line.what, _cell(line.who), amount]
        )
    writer.writerow(["", "", "total", f"Total for {found.title}", "", f"{found.total:.2f}"])
    name = f"statement-{found.key}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _cell(value: str) -> str:
    # A name a spreadsheet would run as a formula (CSV injection) is written as text.
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value
