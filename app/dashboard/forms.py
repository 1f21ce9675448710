"""The dashboard's forms. Their rules, limits and messages are the services' own."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) tuples

    def SelectChoice(value: str, label: str):  # noqa: N802
        return (value, label)


from functools import cache

import phonenumbers
from babel import Locale
from flask import request

from app.accounts.roles import INVITABLE
from app.accounts.teams import MAX_TEAM_NAME
from app.accounts.tokens import MAX_TOKEN_NAME
from app.accounts.users import MAX_EMAIL
from app.assistants.service import MAX_NAME as MAX_ASSISTANT_NAME
from app.dashboard.country_select import CountrySelect
from app.dashboard.formatting import TYPE_LABELS
from app.exceptions import ValidationFailed
from app.numbers.managing import MAX_LABEL
from app.numbers.validation import (
    MAX_LIMIT,
    MAX_PATTERN,
    MAX_PLACE,
    parse_purchase,
    parse_search_filters,
)
from app.phone import SEARCH_TYPES
from app.providers.base import FEATURES, SearchFilters

DEFAULT_PAGE_LIMIT = 10
# The API's field paths, and the form field that shows each one's message.
SEARCH_FIELDS = {
    "filters.countryCode": "country",
    "filters.areaCode": "area_code",
    "filters.numberType": "number_type",
    "filters.limit": "limit",
    "filters.locality": "locality",
    "filters.region": "region",
    "filters.features": "features",
    "filters.contains": "pattern",
    "filters.startsWith": "pattern",
    "filters.endsWith": "pattern",
    "filters.sort": "sort",
}
FEATURE_LABELS = {"voice": "Voice", "sms": "SMS", "mms": "MMS", "fax": "Fax"}
# The pattern box and how it matches, as the API's three pattern fields.
MATCHES = {"contains": "contains", "starts": "startsWith", "ends": "endsWith"}


# Regions phonenumbers knows but has no English display name for.
class SearchForm(FlaskForm):
    """A GET form: the query stays in the URL, so a reload or a shared link shows the same."""

    class Meta:
        csrf = False  # a search changes nothing

    country = SelectField("Country", choices=[], widget=CountrySelect())
    area_code = StringField("Area code", render_kw={"inputmode": "numeric", "maxlength": 3})
    number_type = SelectField(
        "Type", choices=[SelectChoice(t, TYPE_LABELS[t]) for t in SEARCH_TYPES]
    )
    limit = StringField(
        "Results",
        widget=NumberInput(min=1, max=MAX_LIMIT),
        default=str(DEFAULT_PAGE_LIMIT),
    )
    locality = StringField("City", render_kw={"maxlength": MAX_PLACE, "autocomplete": "off"})
    region = StringField(
        "State or region", render_kw={"maxlength": MAX_PLACE, "autocomplete": "off"}
    )
    features = SelectMultipleField(
        "Must have",
        choices=[SelectChoice(f, FEATURE_LABELS[f]) for f in FEATURES],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the service judges them, in the API's words
    )
    pattern = StringField(
        "Digits or word",
        render_kw={"maxlength": MAX_PATTERN, "autocomplete": "off", "spellcheck": "false"},
    )
    match = SelectField(
        "Where in the number",
        choices=[
            SelectChoice("contains", "Contains"),
            SelectChoice("starts", "Starts with"),
            SelectChoice("ends", "Ends with"),
        ],
        validate_choice=False,
    )
    sort = SelectField(
        "Sort",
        choices=[
            SelectChoice("", "As offered"),
            SelectChoice("number", "By number"),
            SelectChoice("price", "By price"),
        ],
        validate_choice=False,
    )

    @property
    def narrowed(self) -> bool:
        """Whether a filter beyond country, area code and type is set (opens "More filters")."""
        return any(
            (self.locality.data, self.region.data, self.features.data, self.pattern.data)
        ) or bool(self.sort.data)

    def search_filters(self) -> SearchFilters | None:
        """The validated filters, or None with each message on its field."""
        body = {
            "countryCode": (self.country.data or "").strip(),
            "areaCode": (self.area_code.data or "").strip(),
            "numberType": self.number_type.data or "",
            "limit": _as_int(self.limit.data),
            "locality": (self.locality.data or "").strip() or None,
            "region": (self.region.data or "").strip() or None,
            "features": list(self.features.data or []),
            "sort": self.sort.data or None,
        }
        body[MATCHES.get(self.match.data or "", "contains")] = (self.pattern.data or "").strip()
        try:
            return parse_search_filters(body)
        except ValidationFailed as error:
            for path, message in error.fields.items():
                field = getattr(self, SEARCH_FIELDS.get(path, "country"))
                field.errors = [*field.errors, message]
            return None


class BuyForm(FlaskForm):
    """One Buy button: the number, and the search to return to without JavaScript."""

    phone_number = HiddenField()
    search = HiddenField()
    # Fresh per rendered button: a double click or a resent POST buys once (app.idempotency).
    idempotency_key = HiddenField()

    def purchase(self, team_id: str):
        """The API's purchase validation; raises ValidationFailed with the API's words."""
        return parse_purchase({"phoneNumber": self.phone_number.data or "", "teamId": team_id})


class AssistantForm(FlaskForm):
    """Create or rename an assistant; the service judges the name, in the API's words."""

    name = StringField("Name", render_kw={"maxlength": MAX_ASSISTANT_NAME, "autocomplete": "off"})


class LabelForm(FlaskForm):
    """A number's nickname; empty clears it."""

    label = StringField("Label", render_kw={"maxlength": MAX_LABEL, "autocomplete": "off"})


class TokenForm(FlaskForm):
    """A token's name and scopes; the service judges both, in the API's words. The view offers
    only the scopes the user's roles allow (app.accounts.scopes)."""

    name = StringField("Token name", render_kw={"maxlength": MAX_TOKEN_NAME, "autocomplete": "off"})
    scopes = SelectMultipleField(
        "Scopes", choices=[], option_widget=CheckboxInput(), validate_choice=False
    )
    # The service judges the choice (app.accounts.tokens.clean_expiry), so a hostile value
    # gets its sentence rather than WTForms' "Not a valid choice".
    expires = SelectField(
        "Expires",
        choices=[
            SelectChoice("30", "In 30 days"),
            SelectChoice("90", "In 90 days"),
            SelectChoice("365", "In a year"),
            SelectChoice("never", "Never"),
        ],
        default="90",
        validate_choice=False,
    )


class InviteForm(FlaskForm):
    """Invite an address; the role choice shows only to those who may grant it."""

    email = EmailField("Email", render_kw={"maxlength": MAX_EMAIL, "autocomplete": "off"})
    role = SelectField(
        "Role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in reversed(INVITABLE)]
    )


class TeamForm(FlaskForm):
    """A new team's name."""

    name = StringField("Team name", render_kw={"maxlength": MAX_TEAM_NAME, "autocomplete": "off"})


def _as_int(raw: str | None):
    """A whole number in ASCII digits stays a number; anything else fails validation as sent.

    int() reads "٣" (Arabic-Indic) and "３" (fullwidth) as 3: the contract's digits are ASCII.
    """
    raw = (raw or "").strip()
    if raw == "":
        return None
    if raw.isascii() and raw.lstrip("-").isdigit() and len(raw) < 10:
        return int(raw)
    return raw


@cache
def countries() -> list[tuple[str, str]]:
    """Every region phonenumbers supports, as (code, English name), by name. The names are
    CLDR's (through Babel), kept current by Unicode: "Eswatini", "Isle of Man", "Türkiye"."""
    names = Locale("en").territories
    named = [(code, names.get(code, code)) for code in phonenumbers.SUPPORTED_REGIONS]
    return sorted(named, key=lambda pair: pair[1])


def country_choices() -> list:
    return [SelectChoice(code, name) for code, name in countries()]


def default_country() -> str:
    """The viewer's region from Accept-Language (en-GB → GB) when supported, else US."""
    for language, _quality in request.accept_languages:
        region = language.replace("_", "-").split("-")[-1].upper() if "-" in language else ""
        if region in phonenumbers.SUPPORTED_REGIONS:
            return region
    return "US"


# "1,500" or "1,000,000.50": digits in threes after the first group.
_THOUSANDS = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")


class GuardrailsForm(FlaskForm):
    """The team's spend cap and approvals; the service judges the amounts, in the API's words.

    People write "$1,500" or " 50 ": the form drops the dollar sign, thousands commas and
    spaces before the service reads the amount (the API takes "1500.00" only).
    """

    spend_cap = StringField("Monthly spend cap (USD)", render_kw={"maxlength": 16})
    approval_required = BooleanField("Purchases by members need an owner's or admin's approval")
    approval_above = StringField(
        "Only above this month's spend of (USD)", render_kw={"maxlength": 16}
    )
    # The API's field names, and the form field that shows each one's message.
    FIELDS = {
        "monthlySpendCap": "spend_cap",
        "approvalRequired": "approval_required",
        "approvalAbove": "approval_above",
    }

    @classmethod
    def of(cls, limits) -> GuardrailsForm:
        """The form filled in with the team's guardrails as they are."""

        def text(amount):
            return "" if amount is None else f"{amount:.2f}"

        return cls(
            formdata=None,
            spend_cap=text(limits.cap),
            approval_required=limits.approval_required,
            approval_above=text(limits.approval_above),
        )

    def changes(self) -> dict:
        """The form as the API's body (every field: the form shows them all)."""

        def amount(field) -> str:
            typed = (field.data or "").strip()
            cleaned = typed.removeprefix("$").strip()
            if cleaned == "" and typed:
                return typed  # a lone "$" is not "no cap": the service names it
            # Commas only as thousands separators: "1,50" is a decimal comma, not $150.
            if "," in cleaned and not _THOUSANDS.fullmatch(cleaned):
                return typed
            return cleaned.replace(",", "")

        return {
            "monthlySpendCap": amount(self.spend_cap),
            "approvalRequired": bool(self.approval_required.data),
            "approvalAbove": amount(self.approval_above),
        }

    def show(self, error: ValidationFailed) -> None:
        for name, message in error.fields.items():
            field = getattr(self, self.FIELDS.get(name, "spend_cap"))
            field.errors = [*field.errors, message]
