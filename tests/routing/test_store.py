"""A number's routing stored and read back, its History, and what assigning or deleting an
assistant does to a split."""

import pytest

from app.assistants import service
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import AuditEvent, PhoneNumber, RoutingSplit
from app.routing import callers, store
from app.routing.answering import set_destination
from app.routing.destinations import Destination
from tests.factories import actor_of


@pytest.fixture
def team(app, factory):
    owner = factory.member("growth")
    front = factory.assistant(owner, "Front desk")
    fresh = factory.assistant(owner, "New prompt")
    number = factory.number(owner, "+14155550100", assistant_id=front)
    return owner, front, fresh, number


def split(front, fresh):
    return {
        "inbound": {
            "assistants": [
                {"assistantId": front, "weight": 80},
                {"assistantId": fresh, "weight": 20},
            ],
            "fallback": {"type": "phone", "address": "+14155550199"},
            "blocklist": ["+1900"],
        }
    }


def test_routing_is_stored_and_loaded_for_the_engine(app, team):
    owner, front, fresh, number_id = team
    with app.app_context():
        actor = actor_of(owner)
        set_destination(
            actor,
            service.team_assistant(actor.team, front),
            {
                "type": "sip",
                "address": "sip:front@sip.vapi.ai",
                "sipUsername": "desk",
                "sipPassword": "s3cret",
                "platform": "vapi",
            },
        )
        number = db.session.get(PhoneNumber, number_id)
        store.set_routing(actor, number, split(front, fresh))
        routing = store.load_routing(number, with_passwords=True)
        assert [(t.name, t.weight) for t in routing.targets] == [
            ("Front desk", 80),
            ("New prompt", 20),
        ]
        assert routing.targets[0].destination == Destination("sip", "sip:front@sip.vapi.ai", "desk")
        assert routing.targets[0].destination.sip_password == "s3cret"
        assert store.load_routing(number).targets[0].destination.sip_password is None
        assert routing.targets[1].destination is None
        assert routing.fallback == Destination("phone", "+14155550199")
        assert routing.blocklist == ("+1900",)
        assert number.assistant_id == front  # the heaviest is the number's own assistant
        shown = store.routing_json(number)
        assert shown["inbound"]["assistants"] == [
            {"assistantId": front, "name": "Front desk", "weight": 80, "hasDestination": True},
            {"assistantId": fresh, "name": "New prompt", "weight": 20, "hasDestination": False},
        ]
        assert shown["outbound"] == {
            "assistantIds": None,
            "callers": [
                {"assistantId": front, "name": "Front desk"},
                {"assistantId": fresh, "name": "New prompt"},
            ],
            "teamDefault": False,
        }


def test_a_change_keeps_the_fields_it_does_not_send_and_writes_history(app, team):
    owner, front, fresh, number_id = team
    with app.app_context():
        actor = actor_of(owner)
        number = db.session.get(PhoneNumber, number_id)
        store.set_routing(actor, number, split(front, fresh))
        store.set_routing(actor, number, {"inbound": {"answerTimeoutSeconds": 45}})
        shown = store.routing_json(number)["inbound"]
        assert shown["answerTimeoutSeconds"] == 45
        assert shown["blocklist"] == ["+1900"]
        assert [a["weight"] for a in shown["assistants"]] == [80, 20]
        events = db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.action == "routing_change")
            .order_by(AuditEvent.created_at)
        ).all()
        assert len(events) == 2
        assert events[1].before["inbound"]["answerTimeoutSeconds"] == 20
        assert events[1].after["inbound"]["answerTimeoutSeconds"] == 45
        # The same routing again changes nothing and writes no line.
        store.set_routing(actor, number, {"inbound": {"answerTimeoutSeconds": 45}})
        assert (
            db.session.scalar(
                db.select(db.func.count()).where(AuditEvent.action == "routing_change")
            )
            == 2
        )


def test_a_refused_change_changes_nothing(app, team):
    owner, front, fresh, number_id = team
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        with pytest.raises(ValidationFailed):
            store.set_routing(actor_of(owner), number, {"inbound": {"blocklist": ["bad"]}})
        db.session.rollback()
        assert store.routing_json(number)["inbound"]["blocklist"] == []


def test_picking_one_assistant_ends_the_split(app, team):
    owner, front, fresh, number_id = team
    with app.app_context():
        actor = actor_of(owner)
        number = db.session.get(PhoneNumber, number_id)
        store.set_routing(actor, number, split(front, fresh))
        service.assign_number(actor, number, service.team_assistant(actor.team, fresh))
        routing = store.load_routing(db.session.get(PhoneNumber, number_id))
        assert [(t.name, t.weight) for t in routing.targets] == [("New prompt", 100)]
        assert db.session.scalar(db.select(db.func.count()).select_from(RoutingSplit)) == 0


def test_deleting_an_assistant_in_a_split_leaves_the_other_answering(app, team):
    owner, front, fresh, number_id = team
    with app.app_context():
        actor = actor_of(owner)
        number = db.session.get(PhoneNumber, number_id)
        store.set_routing(actor, number, split(front, fresh))
        service.delete_assistant(actor, service.team_assistant(actor.team, front))
        db.session.expire_all()
        number = db.session.get(PhoneNumber, number_id)
        assert number.assistant_id == fresh
        routing = store.load_routing(number)
        assert [(t.name, t.weight) for t in routing.targets] == [("New prompt", 100)]


def test_one_team_default_caller_at_a_time(app, team, factory):
    owner, front, fresh, number_id = team
    other_id = factory.number(owner, "+14155550101")
    with app.app_context():
        actor = actor_of(owner)
        first = db.session.get(PhoneNumber, number_id)
        second = db.session.get(PhoneNumber, other_id)
        store.set_routing(actor, first, {"outbound": {"teamDefault": True}})
        assert callers.team_default_caller(owner.team_id).id == number_id
        store.set_routing(actor, second, {"outbound": {"teamDefault": True}})
        assert callers.team_default_caller(owner.team_id).id == other_id
        assert store.routing_json(first)["outbound"]["teamDefault"] is False


def test_each_assistant_lists_the_numbers_it_may_call_from(app, team, factory):
    owner, front, fresh, number_id = team
    other_id = factory.number(owner, "+14155550101", assistant_id=fresh)
    with app.app_context():
        actor = actor_of(owner)
        # The second number lets only Front desk call from it, though New prompt answers.
        store.set_routing(
            actor, db.session.get(PhoneNumber, other_id), {"outbound": {"assistantIds": [front]}}
        )
        allowed = callers.caller_numbers(owner.team_id)
        assert {k: [n.phone_number for n in v] for k, v in allowed.items()} == {
            front: ["+14155550100", "+14155550101"]
        }
