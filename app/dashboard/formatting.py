"""Jinja filters and globals: how numbers, money, times and countdowns read on the pages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import g, url_for
from markupsafe import Markup, escape

from app import phone, timefmt
from app.dashboard import bp
from app.models import utcnow
from app.numbers.validation import AREA_CODE_COUNTRIES
from app.plans.limits import contact_label, sales_contact

bp.add_app_template_filter(phone.national, "national")
bp.add_app_template_filter(phone.digits, "digits")
bp.add_app_template_filter(lambda moment: timefmt.iso(moment) or "", "iso")
bp.add_app_template_filter(timefmt.readable, "utc")
bp.add_app_template_filter(timefmt.parse_iso, "instant")


@bp.app_template_filter("clock")
def clock(moment: datetime | None, now: datetime | None = None) -> str:
    """A time of day, with the date only when it is not today (see app.timefmt.clock)."""
    return "" if moment is None else timefmt.clock(moment, now or utcnow())


@bp.app_template_filter("countdown")
def countdown(expires_at: datetime | None, now: datetime | None = None) -> str:
    """'expires in 3 days 4 h', 'expires in 5 h 12 min', or 'expired 2 days ago'."""
    if expires_at is None:
        return ""
    now = now or utcnow()
    seconds = int((expires_at - now).total_seconds())
    if seconds <= 0:
        return f"expired {_span(-seconds)} ago" if seconds < -60 else "expired just now"
    return f"expires in {_span(seconds)}"


def _span(seconds: int) -> str:
    """Rounded up, so a fresh 5-day trial reads "5 days", not "4 days 23 h"."""
    if seconds >= 86400:
        days, hours = divmod(-(-seconds // 3600), 24)
        day_word = "day" if days == 1 else "days"
        return f"{days} {day_word} {hours} h" if hours else f"{days} {day_word}"
    hours, minutes = divmod(-(-seconds // 60), 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


@bp.app_template_filter("money")
def money(amount) -> str:
    """USD from a price string or Decimal; a dash when nobody quoted a price."""
    if amount is None or amount == "":
        return "—"
    return f"${float(amount):,.2f}"


# How each number type reads on the pages (the search form, the Numbers filter).
TYPE_LABELS = {
    phone.LOCAL: "Local",
    phone.TOLL_FREE: "Toll-free",
    phone.MOBILE: "Mobile",
    phone.NATIONAL: "National",
}


@bp.app_template_global("number_types")
def number_types() -> list[tuple[str, str]]:
    """Every type a number is held as, with its label, in the catalogue's order."""
    return [(kind, TYPE_LABELS[kind]) for kind in phone.NUMBER_TYPES]


@bp.app_template_global("has_area_codes")
def has_area_codes(country: str | None) -> bool:
    """Whether the search form shows an area-code field for this country."""
    return (country or "").upper() in AREA_CODE_COUNTRIES


@bp.app_template_filter("plan_price")
def plan_price(amount) -> str:
    """A plan's monthly price as people write it: "$29", or "$9.50" when it has cents."""
    value = Decimal(str(amount))
    return f"${value:,.0f}" if value == value.to_integral_value() else f"${value:,.2f}"


@bp.app_template_filter("linked")
def linked(message: str | None) -> Markup:
    """A refusal's words with the sales contact in them as a link: the API sends the same
    sentence, where the address itself is the link (app.plans.limits.more_numbers)."""
    text = escape(message or "")
    url = sales_contact()
    if not url or escape(url) not in text:
        return text
    link = Markup('<a href="{}" data-role="sales-link">{}</a>').format(url, contact_label(url))
    return Markup(text.replace(escape(url), link))


@bp.app_template_filter("highlighted")
def highlighted(offer) -> Markup:
    """The number in national format with the digits its pattern matched in <mark>."""
    text = phone.national(offer.phone_number)
    if not offer.match or offer.match[0] == offer.match[1]:
        return Markup(escape(text))
    start, end = offer.match
    # The national format may start with a trunk prefix (GB's 0) the offsets do not count.
    skip = sum(ch.isdigit() for ch in text) - len(phone.significant(offer.phone_number))
    parts, index, marking = [], -skip, False
    for ch in text:
        inside = ch.isdigit() and start <= index < end
        if inside and not marking:
            parts.append("<mark>")
            marking = True
        elif ch.isdigit() and not inside and marking:
            parts.append("</mark>")
            marking = False
        parts.append(str(escape(ch)))
        if ch.isdigit():
            index += 1
    if marking:
        parts.append("</mark>")
    return Markup("".join(parts))


# A number id of the right shape, replaced in a URL built once per page and endpoint.
_SAMPLE_NUMBER = "pn_" + "0" * 26


@bp.app_template_global("number_url")
def number_url(endpoint: str, team_id: str, number_id: str) -> str:
    """url_for(endpoint, team_id=…, number_id=…) for a table's rows: routing the same URL
    fifty times is most of what a row's links cost, so it is built once and the id put in."""
    built = g.setdefault("number_urls", {})
    if (template := built.get((endpoint, team_id))) is None:
        template = url_for(endpoint, team_id=team_id, number_id=_SAMPLE_NUMBER)
        built[(endpoint, team_id)] = template
    return template.replace(_SAMPLE_NUMBER, number_id)
