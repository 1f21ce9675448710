"""The Numbers page pages a big team's numbers, at a fixed number of queries per page."""

from app.extensions import db
from app.models import Team, utcnow
from tests.factories import counting, seed
from tests.pages.helpers import HTMX, numbers_url, soup


def rows(response) -> list[str]:
    return [row["id"] for row in soup(response).select("#numbers-table tbody tr[id]")]


def test_a_big_team_sees_fifty_numbers_a_page_and_can_walk_them_all(app, client, factory, auth):
    member = factory.member("scale")
    seed(app, member, 120)
    auth.sign_in(member)
    first = client.get(numbers_url(member.team_id))
    seen = rows(first)
    assert len(seen) == 50
    older = soup(first).select_one("#numbers-older")["href"]
    while older:
        page = client.get(older, headers=HTMX)
        assert "<html" not in page.get_data(as_text=True)
        seen += rows(page)
        link = soup(page).select_one("#numbers-older")
        older = link["href"] if link else None
    assert len(seen) == len(set(seen)) == 120


def test_a_bad_cursor_starts_again_from_the_newest(client, factory, auth):
    member = factory.member("scale")
    auth.sign_in(member)
    response = client.get(numbers_url(member.team_id) + "?cursor=not-a-cursor")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(numbers_url(member.team_id))


def test_page_queries_do_not_grow_with_the_team(app, client, factory, auth):
    small, large = factory.member("scale"), factory.member("scale")
    seed(app, small, 3)
    seed(app, large, 400, area="212")
    counts = []
    for member in (small, large):
        auth.sign_in(member)
        client.get(numbers_url(member.team_id))  # warm up
        with counting(app) as statements:
            assert client.get(numbers_url(member.team_id)).status_code == 200
        counts.append(len(statements))
        auth.sign_out()
    assert counts[0] == counts[1], counts


def test_the_numbers_page_runs_seven_queries(app, client, factory, auth):
    member = factory.member("scale")
    seed(app, member, 60)
    auth.sign_in(member)
    client.get(numbers_url(member.team_id))  # warm up
    with counting(app) as statements:
        assert client.get(numbers_url(member.team_id)).status_code == 200
    # A team still getting started runs one more: its checklist (app.accounts.onboarding).
    assert len(statements) == settled(app, client, member) + 1
    # The user, their teams (authorisation and the header at once), one page of numbers,
    # the assistants (for the filter and the bulk action), the plan banner's count, and the
    # monthly costs; and how many numbers the list holds (the pager's "1–50 of 60", and what
    # a filtered list says matches).
    with counting(app) as statements:
        assert client.get(numbers_url(member.team_id)).status_code == 200
    assert len(statements) <= 7, statements


def settled(app, client, member) -> int:
    """The team's checklist closed (dismissed, or every step done): the page's query count."""
    with app.app_context():
        db.session.get(Team, member.team_id).onboarding_dismissed_at = utcnow()
        db.session.commit()
    client.get(numbers_url(member.team_id))  # warm up again
    with counting(app) as statements:
        assert client.get(numbers_url(member.team_id)).status_code == 200
    return len(statements)


def pager(response) -> tuple[str, str | None, str | None]:
    """The pager's place, and its Previous and Next links."""
    nav = soup(response).select_one("nav.pager")
    back, on = nav.select_one("a[rel=prev]"), nav.select_one("a[rel=next]")
    return (
        nav.select_one("#numbers-place").get_text(strip=True),
        back["href"] if back else None,
        on["href"] if on else None,
    )


def test_the_pager_says_where_it_is_and_goes_back_a_page_at_a_time(app, client, factory, auth):
    member = factory.member("scale")
    seed(app, member, 120)
    auth.sign_in(member)
    first = client.get(numbers_url(member.team_id))
    place, back, on = pager(first)
    assert (place, back) == ("1–50 of 120", None)
    second = client.get(on, headers=HTMX)
    place, back, on = pager(second)
    assert place == "51–100 of 120"
    assert back == numbers_url(member.team_id)  # the page before the second is the first
    third = client.get(on, headers=HTMX)
    place, back, on = pager(third)
    assert (place, on) == ("101–120 of 120", None)
    again = client.get(back, headers=HTMX)
    assert pager(again)[0] == "51–100 of 120"
    assert rows(again) == rows(second)
    assert rows(client.get(pager(again)[1], headers=HTMX)) == rows(first)


def test_the_pager_counts_only_what_the_filters_keep(app, client, factory, auth):
    member = factory.member("scale")
    seed(app, member, 70, area="212")
    seed(app, member, 5, area="415")
    auth.sign_in(member)
    everything = client.get(numbers_url(member.team_id))
    assert pager(everything)[0] == "1–50 of 75"
    narrowed = client.get(numbers_url(member.team_id) + "?q=212")
    place, _back, on = pager(narrowed)
    assert place == "1–50 of 70"
    assert pager(client.get(on, headers=HTMX))[0] == "51–70 of 70"
