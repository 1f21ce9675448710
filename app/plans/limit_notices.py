"""The over-limit emails, to a team's owners (they choose what to keep and change the plan):
once when its grace starts, and once for each number the sweep released. Each is claimed and
queued once (app.notices), from what the database says, so a run that stopped half-way is made
good by the next one; the mail job composes each from the team as it is when it is sent."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from app import notices
from app.extensions import db
from app.links import external_url
from app.mail import messages, outgoing
from app.mail.sending import Email
from app.models import Membership, NumberStatus, PhoneNumber, Role, Team, User, utcnow
from app.plans.catalog import get_plan
from app.plans.grace import GRACE_NOTICE, staying_count
from app.plans.limits import standing
from app.plans.rules import over_limit_message
from app.timefmt import readable

log = logging.getLogger(__name__)
RELEASED = "over_limit_release"
# Numbers released longer ago than this get no email (a run after a long outage).
LOOK_BACK = timedelta(days=3)


def send_grace_notices(now: datetime) -> int:
    """Queue an email to the owners of each team in a grace, once each: how many."""
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
    queued = 0
    for team, user in rows:
        if not standing(team, now, staying_count(team.id, now)).over:
            continue
        name = user.name or user.email
        queued += notices.queue_once(
            GRACE_NOTICE, team.id, user, GRACE_NOTICE, name=name, team_id=team.id
        )
    return queued


@outgoing.composer(GRACE_NOTICE)
def grace_email(to: str, name: str, team_id: str) -> Email | None:
    """What the team must do and by when, as it stands now; nothing once it is within its
    limit again (upgraded, or released enough meanwhile)."""
    team = db.session.get(Team, team_id)
    if team is None or team.grace_ends_at is None:
        return None
    now = utcnow()
    place = standing(team, now, staying_count(team.id, now))
    if not place.over:
        return None
    return messages.over_limit_grace(
        to,
        name,
        team.name,
        over_limit_message(team, place),
        team.grace_ends_at,
        external_url("dashboard.keep_numbers", team_id=team.id),
    )


def send_release_notices(now: datetime) -> int:
    """Queue an email to the owners of each number the sweep released lately, once: how many."""
    rows = notices.numbers_to_tell(
        RELEASED,
        PhoneNumber.over_limit_at > now - LOOK_BACK,
        PhoneNumber.status == NumberStatus.RELEASED,
        order=(PhoneNumber.over_limit_at,),
    )
    queued = 0
    for number, _team, user in rows:
        name = user.name or user.email
        if notices.queue_once(RELEASED, number.id, user, RELEASED, name=name, number_id=number.id):
            log.info("over-limit release of %s queued for %s", number.id, user.id)
            queued += 1
    return queued


@outgoing.composer(RELEASED)
def released_email(to: str, name: str, number_id: str) -> Email | None:
    number = db.session.get(PhoneNumber, number_id)
    if number is None:
        return None
    team = db.session.get(Team, number.team_id)
    reason = (
        f"the team held more numbers than the {get_plan(team.plan).name} plan allows when "
        f"the time to choose ended ({readable(number.over_limit_at)}), and it was not "
        "among the numbers kept."
    )
    return messages.over_limit_released(
        to,
        name,
        team.name,
        number.phone_number,
        reason,
        external_url("dashboard.plans", team_id=team.id),
    )
