"""AI assistants and the numbers they answer on."""
