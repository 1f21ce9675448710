"""A toll-free number for the caller-name tests (the factory writes local ones)."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import PhoneNumber


def toll_free_number(app, factory, member, e164: str = "+18005550100") -> str:
    number_id = factory.number(member, e164)
    with app.app_context():
        db.session.execute(
            sa.update(PhoneNumber)
            .where(PhoneNumber.id == number_id)
            .values(number_type="toll-free")
        )
        db.session.commit()
    return number_id
