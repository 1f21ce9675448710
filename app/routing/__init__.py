"""Call routing: where assistants answer, each number's rules, and the decision for one call.

`engine.decide` is pure (no database, no clock, no network): the call webhook, the routing
test and the benchmark all hand it a `Routing` loaded by `store.load_routing`.
"""
