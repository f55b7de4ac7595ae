"""MQTT login and publish against real mosquitto brokers (password file, TLS) on loopback.

What the adaptor does is in nvds_mqtt_proto.cpp (DeepStream 7.1): MQTT v5, QoS 0, no retain,
USER_MQTT / PASSWORD_MQTT over the cfg. A separate subscriber reads back what was published.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from alpr_gen.brokers import LoginStatus, login, open_publisher
from alpr_gen.errors import BrokerError

from .servers import (
    MQTT_PASSWORD,
    MQTT_USER,
    Pki,
    RunningBroker,
    assert_no_secret,
    closed_port,
    settings_for,
    stop_broker,
)

pytestmark = pytest.mark.brokers
paho = pytest.importorskip("paho.mqtt.client")
WRONG = "not-the-pw-42"
AUTH = {"username": MQTT_USER, "password": MQTT_PASSWORD}


@dataclass
class Received:
    topic: str
    payload: bytes
    qos: int
    retain: bool


@dataclass
class Subscriber:
    messages: list[Received] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)

    def wait_for(self, n: int, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


@contextmanager
def subscriber(
    port: int, topic: str, *, auth: bool = False, ca: Path | None = None
) -> Iterator[Subscriber]:
    """An independent paho client subscribed to `topic` before anything is published."""
    from paho.mqtt.enums import CallbackAPIVersion

    sub = Subscriber()
    client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
    if auth:
        client.username_pw_set(MQTT_USER, MQTT_PASSWORD)
    if ca is not None:
        client.tls_set(ca_certs=str(ca))
    client.on_message = lambda _c, _u, m: sub.messages.append(
        Received(m.topic, m.payload, m.qos, bool(m.retain))
    )
    client.on_subscribe = lambda *_a: sub.ready.set()
    client.on_connect = lambda c, *_a: c.subscribe(topic, qos=0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        assert sub.ready.wait(5), "subscriber got no SUBACK"
        yield sub
    finally:
        client.disconnect()
        client.loop_stop()


# --- login -------------------------------------------------------------------------------------


def test_login_ok_wrong_password_and_unreachable(mosquitto_auth: RunningBroker) -> None:
    ok = login(settings_for("mqtt", mosquitto_auth.port, {**AUTH, "client-id": "lot7"}))
    assert ok.status is LoginStatus.OK and "CONNACK success" in ok.message, ok
    assert repr(MQTT_USER) in ok.message

    bad = login(
        settings_for("mqtt", mosquitto_auth.port, {"username": MQTT_USER, "password": WRONG})
    )
    assert bad.status is LoginStatus.REFUSED and bad.credential == "username/password", bad
    assert "password=" in bad.hint and "messaging.password" in bad.hint

    down = login(settings_for("mqtt", closed_port(), AUTH), timeout=1.0)
    assert down.status is LoginStatus.UNREACHABLE, down
    assert_no_secret(ok, bad, down, secrets=(MQTT_PASSWORD, WRONG))


def test_wrong_password_from_the_environment_names_the_variable(
    mosquitto_auth: RunningBroker,
) -> None:
    s = settings_for("mqtt", mosquitto_auth.port, AUTH, environ={"PASSWORD_MQTT": WRONG})
    res = login(s)
    assert res.status is LoginStatus.REFUSED and "`PASSWORD_MQTT`" in res.hint, res
    assert "PASSWORD_MQTT" in res.message  # where the password came from, never its value
    assert_no_secret(res, secrets=(WRONG, MQTT_PASSWORD))


def test_tls_login_with_a_client_certificate_pair_and_missing_key(
    tmp_path: Path, mosquitto_tls: RunningBroker, pki: Pki
) -> None:
    # The adaptor passes the client certificate only with both files; one alone is ignored,
    # but a configured file that does not exist is a config error.
    res = login(settings_for("mqtt", mosquitto_tls.port, {"enable-tls": "1", "tls-cafile": str(pki.ca),
                             "tls-certfile": str(pki.cert)}))  # fmt: skip
    assert res.status is LoginStatus.OK and "(TLS)" in res.message, res
    res = login(settings_for("mqtt", mosquitto_tls.port, {"enable-tls": "1", "tls-cafile": str(pki.ca),
                             "tls-keyfile": str(tmp_path / "nope.key")}))  # fmt: skip
    assert res.status is LoginStatus.INVALID and res.credential == "tls-keyfile", res


# --- publish -----------------------------------------------------------------------------------


def test_publish_arrives_on_the_topic_qos0_not_retained(mosquitto_auth: RunningBroker) -> None:
    topic = "alpr/site1/events"
    payloads = [b'{"plate":"AB123CD","n":0}', '{"plate":"ZZ9","n":1}', b"\x00\xffbinary"]
    s = settings_for(
        "mqtt", mosquitto_auth.port, {**AUTH, "client-id": "cam-pipeline"}, topic=topic
    )
    with subscriber(mosquitto_auth.port, "alpr/#", auth=True) as sub:
        pub = open_publisher(s)
        for p in payloads:
            assert pub.send(p) is True
        stats = pub.close()
        got = sub.wait_for(len(payloads))
    assert (stats.sent, stats.failed, stats.pending) == (3, 0, 0), stats
    assert [m.payload for m in got] == [p if isinstance(p, bytes) else p.encode() for p in payloads]
    assert {m.topic for m in got} == {topic}
    assert all(m.qos == 0 and not m.retain for m in got)


def test_publish_over_tls(tmp_path: Path, mosquitto_tls: RunningBroker, pki: Pki) -> None:
    certs = tmp_path / "bundle" / "certs"
    certs.mkdir(parents=True)
    shutil.copy(pki.ca, certs / "ca.crt")
    s = settings_for("mqtt", mosquitto_tls.port, {"enable-tls": "1", "tls-cafile": "certs/ca.crt"},
                     topic="tls/t", base_dir=tmp_path / "bundle")  # fmt: skip
    with subscriber(mosquitto_tls.port, "tls/t", ca=pki.ca) as sub, open_publisher(s) as pub:
        pub.send(b"over-tls")
        pub.flush(5)
        got = sub.wait_for(1)
    assert [(m.topic, m.payload) for m in got] == [("tls/t", b"over-tls")]


def test_publisher_start_errors_say_what_to_fix(mosquitto_auth: RunningBroker) -> None:
    with pytest.raises(BrokerError) as err:
        open_publisher(
            settings_for("mqtt", mosquitto_auth.port, {"username": MQTT_USER, "password": WRONG})
        )
    assert "credentials" in err.value.message and "messaging.password" in str(err.value)
    assert err.value.exit_code == 2
    assert_no_secret(err.value, secrets=(WRONG,))
    with pytest.raises(BrokerError, match="topic"):
        open_publisher(settings_for("mqtt", mosquitto_auth.port, AUTH, topic=""))


def test_send_never_raises_after_the_broker_goes_away(
    tmp_path: Path, mosquitto_auth: RunningBroker
) -> None:
    pub = open_publisher(settings_for("mqtt", mosquitto_auth.port, AUTH))
    assert pub.send(b"first")
    pub.flush(5)
    stop_broker(mosquitto_auth)
    time.sleep(0.3)  # let paho's network thread see the connection drop
    results = [pub.send(f"after-{i}") for i in range(3)]
    stats = pub.close(timeout=1.0)
    assert stats.sent == 1 and stats.failed == 3 and stats.pending == 0, (results, stats)
    assert stats.last_error
    assert pub.send(b"closed") is False and pub.stats.failed == 4
    assert_no_secret(stats, secrets=(MQTT_PASSWORD,))
