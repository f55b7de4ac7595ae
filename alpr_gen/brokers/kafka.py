"""Kafka as libnvds_kafka_proto.so uses it (librdkafka, through confluent-kafka): login, publish.

The adaptor (nvds_kafka_proto.cpp, kafka_client.cpp) first checks that host:port accepts a TCP
connection (5 s), then builds a librdkafka producer: `bootstrap.servers=host:port`, then every
option of `proto-cfg`, then of `producer-proto-cfg` (see `adaptor_cfg.parse_proto_cfg`); an
option librdkafka rejects is logged and skipped. SASL and TLS are plain librdkafka options:
`security.protocol`, `sasl.mechanism` (alias `sasl.mechanisms`), `sasl.username`,
`sasl.password`, `ssl.ca.location`; the adaptor reads no environment variable.
Each message goes to the sink's topic with rd_kafka_producev; its key is the string found at
the dotted path `partition-key` (default `sensor.id`) of the JSON payload (json_helper.cpp),
or no key (librdkafka's partitioner then picks the partition).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from alpr_gen.brokers.adaptor_cfg import parse_proto_cfg
from alpr_gen.brokers.base import (
    INSTALL_HINT,
    BrokerSettings,
    LoginResult,
    LoginStatus,
    Secret,
    why,
)
from alpr_gen.brokers.publish import Publisher, require_topic, start_error
from alpr_gen.deepstream.facts import KAFKA_DEFAULT_PARTITION_KEY

if TYPE_CHECKING:
    from confluent_kafka import KafkaError, Message, Producer
    from confluent_kafka.admin._metadata import ClusterMetadata

# The adaptor's own reachability test before it creates the producer (test_kafka_broker_endpoint).
ENDPOINT_TIMEOUT = 5.0
# librdkafka's own log lines go here (never to the terminal); confluent-kafka delivers them
# from poll().
_LIBRDKAFKA_LOG = logging.getLogger("alpr_gen.brokers.librdkafka")
_LIBRDKAFKA_LOG.addHandler(logging.NullHandler())
_LIBRDKAFKA_LOG.propagate = False

_SASL_KEYS = ("sasl.username", "sasl.password")
# librdkafka options naming files it opens (relative to the working directory).
_FILE_OPTIONS = (
    "ssl.ca.location",
    "ssl.certificate.location",
    "ssl.key.location",
    "ssl.crl.location",
    "ssl.keystore.location",
)


def _client_module() -> ModuleType | None:
    try:
        import confluent_kafka
    except ImportError:
        return None
    return confluent_kafka


def _skipped(settings: BrokerSettings) -> LoginResult:
    return settings.result(
        LoginStatus.SKIPPED,
        "confluent-kafka (librdkafka) not installed: Kafka login not checked",
        INSTALL_HINT,
    )


def librdkafka_config(settings: BrokerSettings) -> dict[str, str]:
    """The producer configuration the adaptor builds, in its order. Raises ValueError when
    proto-cfg is not quoted (the adaptor then does not connect).

    File options librdkafka opens (`ssl.*.location`) pass verbatim to librdkafka, which opens
    them relative to the process's working directory: deepstream-app runs in the bundle
    directory (`alpr-gen run`), so relative ones are resolved against `base_dir` here.
    """
    config = {"bootstrap.servers": settings.endpoint}
    config.update(parse_proto_cfg(settings.value("proto-cfg")))
    config.update(parse_proto_cfg(settings.value("producer-proto-cfg")))
    for key in _FILE_OPTIONS:
        value = config.get(key)
        if value and not Path(value).is_absolute():
            config[key] = str(settings.base_dir / value)
    return config


@dataclass(frozen=True)
class KafkaAuth:
    """The authentication part of the configuration, under librdkafka's names."""

    security_protocol: str  # security.protocol: plaintext, ssl, sasl_plaintext, sasl_ssl
    mechanism: str | None  # sasl.mechanism(s): PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, ...
    username: str | None  # sasl.username
    password: Secret | None  # sasl.password
    ca_location: str | None  # ssl.ca.location


def auth_of(settings: BrokerSettings) -> KafkaAuth:
    """security.protocol, sasl.mechanism (or its alias sasl.mechanisms; the later one set
    wins, as in librdkafka), sasl.username, sasl.password and ssl.ca.location."""
    config = librdkafka_config(settings)
    mechanism = None
    for key, value in config.items():
        if key in ("sasl.mechanism", "sasl.mechanisms"):
            mechanism = value
    password = config.get("sasl.password")
    return KafkaAuth(
        config.get("security.protocol", "plaintext"),
        mechanism,
        config.get("sasl.username"),
        Secret(password) if password else None,
        config.get("ssl.ca.location"),
    )


def partition_key_path(settings: BrokerSettings) -> str:
    return settings.value("partition-key", KAFKA_DEFAULT_PARTITION_KEY)


def partition_key(payload: bytes, path: str) -> str | None:
    """The string at dotted `path` in a JSON payload (`sensor.id` -> payload["sensor"]["id"]);
    None when the payload is not JSON or the value is missing or not a string."""
    try:
        node: object = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node if isinstance(node, str) else None


def _reachable(settings: BrokerSettings) -> LoginResult | None:
    try:
        socket.create_connection((settings.host, settings.port), timeout=ENDPOINT_TIMEOUT).close()
    except OSError as exc:
        return settings.result(
            LoginStatus.UNREACHABLE,
            f"{settings.endpoint}: TCP connect failed ({why(exc)}): the Kafka adaptor does not "
            "start then",
            "start the broker or fix msg-broker-conn-str",
        )
    return None


def _new_producer(
    ck: ModuleType, settings: BrokerSettings, errors: list[KafkaError]
) -> tuple[LoginResult | None, Producer | None]:
    try:
        config: dict[str, object] = dict(librdkafka_config(settings))
    except ValueError as exc:
        return settings.result(
            LoginStatus.INVALID,
            f"{settings.cfg_name}: {exc}",
            settings.fix("proto-cfg"),
            "proto-cfg",
        ), None
    for key in _FILE_OPTIONS:
        path = config.get(key)
        if isinstance(path, str) and not Path(path).exists():
            return settings.result(
                LoginStatus.INVALID,
                f"{key} {path}: not found (librdkafka refuses to start the producer)",
                settings.fix(key),
                key,
            ), None
    config.update(error_cb=errors.append, logger=_LIBRDKAFKA_LOG)
    try:
        return None, ck.Producer(config)
    except (ck.KafkaException, ValueError, TypeError) as exc:
        return settings.result(
            LoginStatus.INVALID,
            f"librdkafka rejects the configuration ({why(exc)}); the adaptor would log this, "
            "skip the option and go on without it",
            settings.fix("proto-cfg"),
            "proto-cfg",
        ), None


def _interpret(
    ck: ModuleType, settings: BrokerSettings, errors: list[KafkaError], failure: str | None
) -> LoginResult | None:
    """Map librdkafka's errors (error_cb) to what to fix; None when nothing went wrong."""
    if not errors and failure is None:
        return None
    first: dict[int, str] = {}
    for e in errors:  # librdkafka repeats each error per retry: the first of each kind
        first.setdefault(e.code(), e.str())
    codes = set(first)
    text = "; ".join(first.values()) or failure or ""
    where = settings.endpoint
    err = ck.KafkaError
    if err._AUTHENTICATION in codes:
        mech = "sasl.mechanism" if "mechanism" in text.lower() else None
        keys = (mech,) if mech else _SASL_KEYS
        return settings.result(
            LoginStatus.REFUSED,
            f"{where}: SASL authentication failed ({text}), {settings.who()}",
            settings.fix(*keys),
            mech or "sasl.username/sasl.password",
        )
    if err._SSL in codes:
        return settings.result(
            LoginStatus.REFUSED,
            f"{where}: TLS failed ({text})",
            "the broker's certificate must be signed by the CA in ssl.ca.location; "
            + settings.fix("ssl.ca.location"),
            "ssl.ca.location",
        )
    protocol = librdkafka_protocol(settings)
    return settings.result(
        LoginStatus.UNREACHABLE,
        f"{where}: no Kafka metadata ({text}; security.protocol={protocol})",
        "check that this port is a Kafka listener and that security.protocol matches it "
        "(PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)",
    )


def librdkafka_protocol(settings: BrokerSettings) -> str:
    try:
        return librdkafka_config(settings).get("security.protocol", "plaintext")
    except ValueError:
        return "?"


def _metadata(
    ck: ModuleType, producer: Producer, errors: list[KafkaError], timeout: float
) -> tuple[ClusterMetadata | None, str | None]:
    """Cluster metadata (the request connects and authenticates), asked in short slices so
    that an authentication or TLS failure ends the wait at once."""
    deadline = time.monotonic() + timeout
    failure: str | None = None
    while (left := deadline - time.monotonic()) > 0:
        try:
            return producer.list_topics(timeout=min(0.5, left)), None
        except ck.KafkaException as exc:
            failure = why(exc)
        producer.poll(0)  # deliver error_cb for what happened meanwhile
        if any(e.code() in (ck.KafkaError._AUTHENTICATION, ck.KafkaError._SSL) for e in errors):
            break
    return None, failure


def _open(
    ck: ModuleType, settings: BrokerSettings, timeout: float
) -> tuple[LoginResult, Producer | None]:
    unreachable = _reachable(settings)
    if unreachable is not None:
        return unreachable, None
    errors: list[KafkaError] = []
    problem, producer = _new_producer(ck, settings, errors)
    if producer is None:
        assert problem is not None
        return problem, None
    metadata, failure = _metadata(ck, producer, errors, timeout)
    fatal = [e for e in errors if e.code() in (ck.KafkaError._AUTHENTICATION, ck.KafkaError._SSL)]
    bad = _interpret(ck, settings, fatal if metadata else errors, failure if not metadata else None)
    if bad is not None or metadata is None:
        with contextlib.suppress(Exception):
            producer.flush(0)
        return bad or settings.result(
            LoginStatus.UNREACHABLE, f"{settings.endpoint}: no metadata"
        ), None
    topic = settings.topic
    known = (
        f", topic {topic!r} exists"
        if topic in metadata.topics
        else (
            f", topic {topic!r} not there yet (created on first publish if the broker allows)"
            if topic
            else ""
        )
    )
    brokers = len(metadata.brokers)
    return settings.result(
        LoginStatus.OK,
        f"{settings.endpoint}: metadata from {brokers} broker(s), {settings.who()}{known}",
    ), producer


def login(settings: BrokerSettings, timeout: float) -> LoginResult:
    """Connect and authenticate as the adaptor's producer would (a metadata request)."""
    ck = _client_module()
    if ck is None:
        return _skipped(settings)
    result, producer = _open(ck, settings, timeout)
    if producer is not None:
        with contextlib.suppress(Exception):
            producer.flush(0)
    return result


class KafkaPublisher(Publisher):
    """produce() per message with the partition key; delivery reports settle the counts."""

    def __init__(self, settings: BrokerSettings, producer: Producer) -> None:
        super().__init__(settings)
        self._producer = producer
        self.topic = settings.topic
        self.key_path = partition_key_path(settings)

    @classmethod
    def connect(cls, settings: BrokerSettings, timeout: float) -> KafkaPublisher:
        require_topic(settings)
        ck = _client_module()
        if ck is None:
            raise start_error(_skipped(settings))
        result, producer = _open(ck, settings, timeout)
        if producer is None:
            raise start_error(result)
        return cls(settings, producer)

    def _on_delivery(self, err: KafkaError | None, _msg: Message) -> None:
        self._settle(err is None, None if err is None else err.str())

    def _send(self, data: bytes, key: str | None) -> bool | None:
        key = key if key is not None else partition_key(data, self.key_path)
        try:
            self._producer.produce(
                self.topic,
                value=data,
                key=key.encode() if key is not None else None,
                on_delivery=self._on_delivery,
            )
        except BufferError:
            # RD_KAFKA_RESP_ERR__QUEUE_FULL: the adaptor discards the payload too.
            self._note("librdkafka queue full (queue.buffering.max.messages): discarded")
            return False
        finally:
            self._producer.poll(0)  # serve delivery reports
        return None

    def _flush(self, timeout: float) -> None:
        self._producer.flush(timeout)

    def _close(self) -> None:
        with contextlib.suppress(Exception):
            self._producer.flush(0)
