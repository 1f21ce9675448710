"""The call log: every routed call (a routing test, or a real call at the provider), listed
per team, number and assistant with keyset paging, and exported as CSV."""
