"""The search form's country picker, its ~255 <option>s rendered once per chosen country.

The list never changes while the app runs (phonenumbers' regions, CLDR's names), yet WTForms
escapes and joins every option on every request: most of the search page's render time.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup
from wtforms.widgets import Select, html_params


class CountrySelect(Select):
    def __call__(self, field, **kwargs) -> Markup:
        kwargs.setdefault("id", field.id)
        chosen = field.data if field.data in _known() else ""  # anything else selects none
        attributes = html_params(name=field.name, **kwargs)
        return Markup(f"<select {attributes}>{_options(chosen)}</select>")


@lru_cache(maxsize=512)  # one per country code at most
def _options(chosen: str) -> Markup:
    from app.dashboard.forms import countries

    return Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(
            code, Markup(" selected") if code == chosen else Markup(""), name
        )
        for code, name in countries()
    )


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    from app.dashboard.forms import countries

    return frozenset(code for code, _name in countries())
