"""Teams, users, their roles and API tokens: who may act, for which team, and how."""
