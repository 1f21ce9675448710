"""Assigning numbers to an assistant while it is renamed and deleted (twice, at once): every
answer is 200 or 404, never a 5xx, on SQLite and on PostgreSQL, and nothing dangles after."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from app.extensions import db
from app.models import Assistant, PhoneNumber
from tests.helpers import sandbox_number

ROUNDS = 4
ASSIGNERS = 5


def test_assignments_racing_a_delete_never_fail_with_a_5xx(app, factory):
    owner = factory.member("scale")
    numbers = [factory.number(owner, sandbox_number("617", i)) for i in range(ASSIGNERS * 2)]
    statuses: list[tuple[str, int]] = []
    for round_ in range(ROUNDS):
        assistant = factory.assistant(owner, f"Racer {round_}", numbers[:2])
        url = f"/api/assistants/{assistant}"
        barrier = threading.Barrier(ASSIGNERS + 3)

        def send(kind: str, method: str, path: str, body=None, url=url, barrier=barrier):
            client = app.test_client()
            barrier.wait(timeout=30)
            answers = []
            for _ in range(3 if kind == "assign" else 1):
                response = client.open(url + path, method=method, json=body, headers=owner.headers)
                answers.append((kind, response.status_code))
            return answers

        jobs = [
            ("assign", "POST", "/phone-numbers", {"phoneNumberIds": numbers[i * 2 : i * 2 + 2]})
            for i in range(ASSIGNERS)
        ]
        jobs += [("rename", "PATCH", "", {"name": f"Renamed {round_}"})]
        jobs += [("delete", "DELETE", "", None), ("delete", "DELETE", "", None)]
        with ThreadPoolExecutor(len(jobs)) as pool:
            for answers in pool.map(lambda job: send(*job), jobs):
                statuses += answers
    assert {status for _kind, status in statuses} <= {200, 404}, sorted(set(statuses))
    deletes = [status for kind, status in statuses if kind == "delete"]
    assert deletes.count(200) == ROUNDS  # each assistant deleted exactly once
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Assistant)) == 0
        dangling = sa.select(sa.func.count()).where(PhoneNumber.assistant_id.is_not(None))
        assert db.session.scalar(dangling) == 0
