"""mobile and national numbers keep their type once bought (they were recorded as local)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 18:45:00

"""

from alembic import op
import phonenumbers
import sqlalchemy as sa
from phonenumbers import PhoneNumberType


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

CHECK = "ck_phone_numbers_number_type"
KINDS = {PhoneNumberType.MOBILE: "mobile", PhoneNumberType.UAN: "national"}


def _kind(e164):
    # The rule of app.phone.number_type, frozen here as it was when this ran.
    try:
        return KINDS.get(phonenumbers.number_type(phonenumbers.parse(e164)))
    except phonenumbers.NumberParseException:
        return None


def upgrade():
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(
            op.f(CHECK), "number_type IN ('local', 'toll-free', 'mobile', 'national')"
        )
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, phone_number FROM phone_numbers WHERE number_type = 'local'")
    )
    for row_id, e164 in rows.fetchall():
        if kind := _kind(e164):
            connection.execute(
                sa.text("UPDATE phone_numbers SET number_type = :kind WHERE id = :id"),
                {"kind": kind, "id": row_id},
            )


def downgrade():
    op.execute(
        "UPDATE phone_numbers SET number_type = 'local' WHERE number_type IN ('mobile', 'national')"
    )
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), "number_type IN ('local', 'toll-free')")
