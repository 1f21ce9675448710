"""A change of plan that leaves a team over its limit starts a grace: nothing is released, the
date is on every team page, owners choose what to keep, and an upgrade or falling within the
limit ends it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.billing.plan_changes import change_plan
from app.exceptions import Conflict, PermissionDenied, ValidationFailed
from app.extensions import db
from app.models import AuditEvent, PhoneNumber, Team, utcnow
from app.numbers.releasing import release_number
from app.plans.enforcement import enforce_limits
from app.plans.grace import keep_numbers
from tests.factories import actor_of
from tests.pages.helpers import Auth, csrf_token, soup, text


def team(app, team_id) -> Team:
    with app.app_context():
        row = db.session.get(Team, team_id)
        db.session.expunge(row)
        return row


def kept(app, team_id) -> set[str]:
    with app.app_context():
        return set(
            db.session.scalars(
                sa.select(PhoneNumber.id).where(
                    PhoneNumber.team_id == team_id, PhoneNumber.kept.is_(True)
                )
            )
        )


def actions(app, team_id) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.team_id == team_id)
                .order_by(AuditEvent.created_at, AuditEvent.id)
            )
        )


def test_a_downgrade_starts_a_grace_of_the_configured_days_and_releases_nothing(app, factory):
    app.config["OVER_LIMIT_GRACE_DAYS"] = 10
    before = utcnow()
    member, ids = factory.over_limit(6, "starter")
    graced = team(app, member.team_id)
    assert before + timedelta(days=10) <= graced.grace_ends_at <= utcnow() + timedelta(days=10)
    with app.app_context():
        live = db.session.scalars(
            sa.select(PhoneNumber.status).where(PhoneNumber.team_id == member.team_id)
        ).all()
    assert live == ["active"] * 6
    assert actions(app, member.team_id)[-2:] == ["plan_change", "limit_grace_start"]


def test_a_downgrade_within_the_new_limit_starts_no_grace(app, factory):
    member, _ids = factory.over_limit(3, "starter")
    assert team(app, member.team_id).grace_ends_at is None
    assert "limit_grace_start" not in actions(app, member.team_id)


def test_an_upgrade_ends_the_grace_and_forgets_the_choices(app, factory):
    member, ids = factory.over_limit(6, "starter")
    with app.app_context():
        keep_numbers(actor_of(member), ids[:2])
        change_plan(db.session.get(Team, member.team_id), "growth", member.user_id)
    assert team(app, member.team_id).grace_ends_at is None
    assert kept(app, member.team_id) == set()
    assert actions(app, member.team_id)[-1] == "limit_grace_end"
    # And the sweep at what would have been its end releases nothing.
    with app.test_request_context():
        assert enforce_limits(utcnow() + timedelta(days=30)).released == 0


def test_a_further_downgrade_keeps_the_date_of_the_grace_running(app, factory):
    member, _ids = factory.over_limit(6, "growth")  # no grace: Growth holds 6
    with app.app_context():
        change_plan(db.session.get(Team, member.team_id), "starter", member.user_id)
    first = team(app, member.team_id).grace_ends_at
    with app.app_context():
        change_plan(db.session.get(Team, member.team_id), "free", member.user_id)
    assert team(app, member.team_id).grace_ends_at == first
    assert actions(app, member.team_id).count("limit_grace_start") == 1


def test_releasing_down_to_the_limit_ends_the_grace_at_the_next_sweep(app, factory):
    member, ids = factory.over_limit(4, "starter")
    with app.test_request_context():
        release_number(actor_of(member), ids[0])
        run = enforce_limits()
    assert (run.cleared, run.released) == (1, 0)
    assert team(app, member.team_id).grace_ends_at is None


def test_owners_keep_at_most_the_limit_and_the_choice_replaces_the_last(app, factory):
    member, ids = factory.over_limit(6, "starter")
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            keep_numbers(actor_of(member), ids[:4])
        assert refused.value.fields["keep"] == (
            "Choose at most 3 numbers to keep: the Starter plan allows 3."
        )
        keep_numbers(actor_of(member), ids[:3])
        keep_numbers(actor_of(member), [ids[5]])
    assert kept(app, member.team_id) == {ids[5]}
    assert actions(app, member.team_id)[-1] == "keep_numbers"


def test_a_number_not_the_teams_cannot_be_kept(app, factory):
    member, ids = factory.over_limit(6, "starter")
    other, other_ids = factory.over_limit(6, "starter", area="212")
    with app.app_context():
        for wrong in ([other_ids[0]], ["pn_nonsense"], [ids[0], "x" * 500]):
            with pytest.raises(ValidationFailed):
                keep_numbers(actor_of(member), wrong)
    assert kept(app, member.team_id) == set() and kept(app, other.team_id) == set()


@pytest.mark.parametrize("role", ["admin", "member"])
def test_only_owners_choose(app, factory, role):
    member, ids = factory.over_limit(6, "starter")
    colleague = factory.member(team_id=member.team_id, role=role)
    with app.app_context(), pytest.raises(PermissionDenied):
        keep_numbers(actor_of(colleague), ids[:1])


def test_a_team_within_its_limit_has_nothing_to_choose(app, factory):
    member, ids = factory.over_limit(2, "starter")
    with app.app_context(), pytest.raises(Conflict, match="nothing to choose"):
        keep_numbers(actor_of(member), ids[:1])


def test_the_banner_is_on_every_team_page_with_the_date(app, client, factory):
    member, _ids = factory.over_limit(6, "starter")
    Auth(client).sign_in(member)
    ends = team(app, member.team_id).grace_ends_at
    for page in ("numbers", "search", "assistants", "history", "plans", "settings", "cart"):
        banner = soup(client.get(f"/teams/{member.team_id}/{page}")).select_one("#grace-banner")
        assert banner is not None, page
        assert text(banner.select_one("#grace-situation")).startswith(
            "This team holds 6 numbers and the Starter plan allows 3: choose the 3 to keep by"
        ), page
        assert banner.select_one("time")["datetime"] == ends.strftime("%Y-%m-%dT%H:%M:%SZ")
        link = banner.select_one("#grace-keep-link")
        assert link["href"] == f"/teams/{member.team_id}/plans/keep"


def test_the_banner_is_not_shown_to_a_team_within_its_limit(client, factory):
    member, _ids = factory.over_limit(3, "starter")
    Auth(client).sign_in(member)
    assert soup(client.get(f"/teams/{member.team_id}/numbers")).select_one("#grace-banner") is None


def test_the_keep_page_saves_the_ticked_numbers_without_javascript(app, client, factory):
    member, ids = factory.over_limit(6, "starter")
    Auth(client).sign_in(member)
    url = f"/teams/{member.team_id}/plans/keep"
    page = soup(client.get(url))
    fates = {row["id"].removeprefix("keep-"): row["data-fate"] for row in page.select("tbody tr")}
    # Nobody chose yet: unassigned ones first (the odd ones), newest first.
    assert fates == {ids[i]: "released" if i in (1, 3, 5) else "stays" for i in range(6)}
    answer = client.post(
        url, data={"keep": [ids[1], ids[5]], "csrf_token": csrf_token(client, url)}
    )
    assert answer.status_code == 303
    page = soup(client.get(answer.location))
    assert "Keeping 2 numbers" in text(page.select_one(".flash-success"))
    fates = {row["id"].removeprefix("keep-"): row["data-fate"] for row in page.select("tbody tr")}
    # Kept ones stay; the next three in the order go instead: the unassigned 3, then the
    # newest of the assigned, 4 and 2; the oldest stays within the limit.
    assert fates == {
        ids[0]: "stays",
        ids[1]: "kept",
        ids[2]: "released",
        ids[3]: "released",
        ids[4]: "released",
        ids[5]: "kept",
    }
    assert [box["value"] for box in page.select("input[name=keep][checked]")] == [ids[5], ids[1]]


def test_the_keep_page_says_too_many_on_the_form(client, factory):
    member, ids = factory.over_limit(6, "starter")
    Auth(client).sign_in(member)
    url = f"/teams/{member.team_id}/plans/keep"
    answer = client.post(url, data={"keep": ids[:5], "csrf_token": csrf_token(client, url)})
    assert answer.status_code == 400
    problem = soup(answer).select_one("#keep-problem")
    assert text(problem) == "Choose at most 3 numbers to keep: the Starter plan allows 3."


def test_others_see_the_keep_page_read_only(client, factory):
    member, _ids = factory.over_limit(6, "starter")
    admin = factory.member(team_id=member.team_id, role="admin")
    Auth(client).sign_in(admin)
    page = soup(client.get(f"/teams/{member.team_id}/plans/keep"))
    assert page.select("input[name=keep]") == [] and page.select_one("#keep-save") is None
    assert "Only an owner" in text(page.select_one("#keep-read-only"))
    assert len(page.select("#keep-table tbody tr")) == 6


def test_on_free_nothing_bought_can_be_kept_and_the_page_says_why(app, client, factory):
    member, _ids = factory.over_limit(2, "free")
    Auth(client).sign_in(member)
    page = soup(client.get(f"/teams/{member.team_id}/plans/keep"))
    assert page.select("input[name=keep]") == []
    assert text(page.select_one("#keep-situation")).startswith(
        "This team holds 2 numbers and the Free plan keeps only a trial number: choose a paid plan"
    )
    assert "keeps only a live trial number" in text(page.select_one("#keep-rule"))
    assert [row["data-fate"] for row in page.select("tbody tr")] == ["released", "released"]
