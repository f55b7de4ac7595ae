"""Message brokers as DeepStream's adaptors use them: settings -> login() -> publish.

- `BrokerSettings.from_config(...)`: the sink's proto-lib, conn-str and topic, the broker cfg's
  `[message-broker]` values, the base directory and the environment, resolved as the adaptor
  resolves them (which host, which credentials, from where).
- `login(settings, timeout)`: the real handshake with the real client library; a LoginResult
  that says ok / refused (which credential, what to fix) / unreachable / invalid / skipped.
- `open_publisher(settings)`: a connected Publisher that sends where the adaptor would.

Client libraries (paho-mqtt, pika, redis-py, confluent-kafka: the `brokers` extra) are imported
only when a broker is used. No message, repr or result carries a secret.
"""

from __future__ import annotations

from alpr_gen.brokers.base import (
    INSTALL_HINT,
    KINDS,
    LOGIN_TIMEOUT,
    BrokerKind,
    BrokerSettings,
    Credentials,
    LoginResult,
    LoginStatus,
    Secret,
)
from alpr_gen.brokers.publish import Publisher, PublishStats
from alpr_gen.redact import MASK, mask, mask_uri

__all__ = [
    "INSTALL_HINT",
    "KINDS",
    "LOGIN_TIMEOUT",
    "MASK",
    "BrokerKind",
    "BrokerSettings",
    "Credentials",
    "LoginResult",
    "LoginStatus",
    "PublishStats",
    "Publisher",
    "Secret",
    "login",
    "mask",
    "mask_uri",
    "open_publisher",
]


def login(settings: BrokerSettings, timeout: float = LOGIN_TIMEOUT) -> LoginResult:
    """Log in to the broker exactly as the sink's adaptor would; publish nothing."""
    if settings.kind == "mqtt":
        from alpr_gen.brokers import mqtt

        return mqtt.login(settings, timeout)
    if settings.kind == "amqp":
        from alpr_gen.brokers import amqp

        return amqp.login(settings, timeout)
    if settings.kind == "redis":
        from alpr_gen.brokers import redis

        return redis.login(settings, timeout)
    from alpr_gen.brokers import kafka

    return kafka.login(settings, timeout)


def open_publisher(settings: BrokerSettings, timeout: float = LOGIN_TIMEOUT) -> Publisher:
    """A publisher connected and logged in; raises BrokerError (what to fix) when it cannot."""
    if settings.kind == "mqtt":
        from alpr_gen.brokers.mqtt import MqttPublisher

        return MqttPublisher.connect(settings, timeout)
    if settings.kind == "amqp":
        from alpr_gen.brokers.amqp import AmqpPublisher

        return AmqpPublisher.connect(settings, timeout)
    if settings.kind == "redis":
        from alpr_gen.brokers.redis import RedisPublisher

        return RedisPublisher.connect(settings, timeout)
    from alpr_gen.brokers.kafka import KafkaPublisher

    return KafkaPublisher.connect(settings, timeout)
