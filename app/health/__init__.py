"""Number health: the card (age, warm-up ramp, attestation, caller-ID name, spam risk), the
reputation checks behind it, alerts, and resting a number from the caller-ID selector."""
