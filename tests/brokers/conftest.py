"""Broker fixtures: real servers on free loopback ports (see servers.py)."""

from __future__ import annotations

from .servers import (  # noqa: F401 - fixtures
    mosquitto,
    mosquitto_auth,
    mosquitto_tls,
    pki,
    rabbitmq,
    rabbitmq_module,
    redis,
    redis_auth,
    tansu,
    tansu_auth,
)
