"""The over-limit emails, to a team's owners (they choose what to keep and change the plan):
once when its grace starts, and once for each number the sweep released. Each goes once
(app.notices), from what the database says, so a run that stopped half-way is made good by
the next one."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from app import notices
from app.extensions import db
from app.links import external_url
from app.mail import MailError
from app.mail.messages import send_over_limit_grace, send_over_limit_released
from app.models import Membership, NumberStatus, PhoneNumber, Role, Team, User
from app.plans.catalog import get_plan
from app.plans.grace import GRACE_NOTICE, staying_count
from app.plans.limits import standing
from app.plans.rules import over_limit_message
from app.timefmt import readable

log = logging.getLogger(__name__)
RELEASED = "over_limit_release"
# Numbers released longer ago than this get no email (a run after a long outage).
LOOK_BACK = timedelta(days=3)


def send_grace_notices(now: datetime) -> tuple[int, int]:
    """Tell the owners of each team in a grace, once: (sent, failed)."""
    rows = db.session.execute(
        sa.select(Team, User)
        .join(Membership, Membership.team_id == Team.id)
        .join(User, User.id == Membership.user_id)
        .where(
            Team.grace_ends_at > now,
            Membership.role == Role.OWNER,
            notices.not_told(GRACE_NOTICE, Team.id, User.id),
        )
        .order_by(Team.id, User.id)
    ).all()
    sent = failed = 0
    for team, user in rows:
        place = standing(team, now, staying_count(team.id, now))
        if not place.over or not notices.claim(GRACE_NOTICE, team.id, user.id):
            continue
        try:
            send_over_limit_grace(
                user.email,
                user.name or user.email,
                team.name,
                over_limit_message(team, place),
                team.grace_ends_at,
                external_url("dashboard.keep_numbers", team_id=team.id),
            )
        except MailError:
            notices.give_back(GRACE_NOTICE, team.id, user.id)
            failed += 1
            continue
        sent += 1
    return sent, failed


def send_release_notices(now: datetime) -> tuple[int, int]:
    """Tell the owners of each number the sweep released lately, once: (sent, failed)."""
    rows = notices.numbers_to_tell(
        RELEASED,
        PhoneNumber.over_limit_at > now - LOOK_BACK,
        PhoneNumber.status == NumberStatus.RELEASED,
        order=(PhoneNumber.over_limit_at,),
    )
    sent = failed = 0
    for number, team, user in rows:
        if not notices.claim(RELEASED, number.id, user.id):
            continue
        reason = (
            f"the team held more numbers than the {get_plan(team.plan).name} plan allows when "
            f"the time to choose ended ({readable(number.over_limit_at)}), and it was not "
            "among the numbers kept."
        )
        try:
            send_over_limit_released(
                user.email,
                user.name or user.email,
                team.name,
                number.phone_number,
                reason,
                external_url("dashboard.plans", team_id=team.id),
            )
        except MailError:
            notices.give_back(RELEASED, number.id, user.id)
            failed += 1
            continue
        log.info("over-limit release of %s told to %s", number.id, user.id)
        sent += 1
    return sent, failed
