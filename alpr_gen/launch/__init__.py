"""Kept only for `broker_login`, which moves to `alpr_gen.brokers`."""
