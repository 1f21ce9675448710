"""Plans: the catalog (prices, limits, trial terms) and the rules that read it."""
