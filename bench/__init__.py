"""The performance benchmark and the purchase load test (`make bench`; not part of `make test`)."""
