"""Phone numbers, by verb: searching, purchasing, settling, managing, trials, reconciling."""
