"""Spending guardrails: a team's monthly spend cap, and owners' approval of members' purchases.

All off by default. `rules` is what a purchase costs and when the cap or an approval stops it
(checked under the purchase's team lock); `settings` changes them; `requests` is a member's
purchase waiting for approval; `notices` the emails about it.
"""
