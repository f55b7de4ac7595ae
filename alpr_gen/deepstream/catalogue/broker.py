"""The broker adaptors' cfg file ([message-broker]), per adaptor."""

from __future__ import annotations

from alpr_gen.deepstream.catalogue import GroupSpec, Key, PathKind, T

_SHARE = Key(T.BOOL, "share one connection between producer and consumer")
BROKER_KEYS: dict[str, dict[str, Key]] = {
    "kafka": {
        "proto-cfg": Key(T.STR, "librdkafka options k=v;..."),
        "producer-proto-cfg": Key(T.STR, "librdkafka options for the producer, after proto-cfg"),
        "consumer-proto-cfg": Key(T.STR, "librdkafka options for the consumer"),
        "partition-key": Key(T.STR, "sensor.id (full schema) / sensorId (minimal)"),
        "consumer-group-id": Key(T.STR, "consumer group"),
        "share-connection": _SHARE,
    },
    "mqtt": {
        "username": Key(T.STR, "user"),
        "password": Key(T.STR, "password"),
        "client-id": Key(T.STR, "client id"),
        "enable-tls": Key(T.BOOL, "TLS"),
        "tls-cafile": Key(T.PATH, "CA", path=PathKind.ARTIFACT),
        "tls-capath": Key(T.PATH, "CA dir", path=PathKind.ARTIFACT),
        "tls-certfile": Key(T.PATH, "client cert", path=PathKind.ARTIFACT),
        "tls-keyfile": Key(T.PATH, "client key", path=PathKind.ARTIFACT),
        "keep-alive": Key(T.INT, "seconds", lo=1),
        "loop-timeout": Key(T.INT, "ms", lo=1),
        "set-threaded": Key(T.BOOL, "mosquitto threaded loop"),
        "share-connection": _SHARE,
    },
    "amqp": {
        "hostname": Key(T.STR, "host"),
        "port": Key(T.INT, "port", lo=1, hi=65535),
        "username": Key(T.STR, "user"),
        "password": Key(T.STR, "password"),
        "exchange": Key(T.STR, "exchange"),
        "topic": Key(T.STR, "routing key"),
        "amqp-framesize": Key(T.INT, "bytes", lo=4096),
        "amqp-heartbeat": Key(T.INT, "seconds", lo=0),
        "share-connection": _SHARE,
    },
    "redis": {
        "hostname": Key(T.STR, "host"),
        "port": Key(T.INT, "port", lo=1, hi=65535),
        "payloadkey": Key(T.STR, "field name of the payload"),
        "streamsize": Key(T.INT, "max stream length", lo=1),
        "consumergroup": Key(T.STR, "consumer group"),
        "consumername": Key(T.STR, "consumer name in the group"),
        "password": Key(T.STR, "password"),
        "share-connection": _SHARE,
        "sensorid": Key(T.STR, "sensor id field", since="9.0"),
        "flush-timeout": Key(T.INT, "ms before a partial flush", lo=0, since="9.1"),
    },
}


def broker_groups(adaptor: str | None) -> list[GroupSpec]:
    keys = BROKER_KEYS.get(adaptor or "")
    return [GroupSpec("message-broker", r"message-broker", keys, f"{adaptor or 'any'} adaptor")]
