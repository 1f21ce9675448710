"""Campaigns: pools of a team's numbers that assistants call out from, the caller-ID choice
for each call, and how well the pool covers the places a campaign will call."""
