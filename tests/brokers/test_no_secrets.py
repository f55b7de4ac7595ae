"""No secret in any result, error, repr or log record, on every error path of every broker.

Each path runs with a distinctive password (and, where the adaptor takes them, a password in
the conn-str, in proto-cfg and in the environment) and every text it produces is searched.
Paths that need a live broker with a password use mosquitto / redis-server / Tansu; the AMQP
live paths assert the same in test_amqp.py (rabbitmq takes seconds to start).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from alpr_gen.brokers import BrokerSettings, LoginStatus, login, open_publisher
from alpr_gen.errors import BrokerError

from .servers import MQTT_USER, RunningBroker, assert_no_secret, closed_port, settings_for

PW = "Zq8-secret-pw"
ENV_PW = "Zq8-env-pw"
CONN_PW = "Zq8-conn-pw"
SECRETS = (PW, ENV_PW, CONN_PW)

CLIENT_MODULES = {
    "mqtt": "paho.mqtt.client",
    "amqp": "pika",
    "redis": "redis",
    "kafka": "confluent_kafka",
}


def with_secrets(kind: str, port: int, extra: dict[str, str] | None = None) -> BrokerSettings:
    """Settings carrying each kind of secret the adaptor for `kind` accepts."""
    cfg: dict[str, str] = {"username": "u", "password": PW, **(extra or {})}
    environ: dict[str, str] = {}
    conn = f"127.0.0.1;{port}"
    if kind == "kafka":
        cfg = {"proto-cfg": f'"security.protocol=SASL_PLAINTEXT;sasl.mechanism=PLAIN;'
               f'sasl.username=u;sasl.password={PW};ssl.key.password={PW}"', **(extra or {})}  # fmt: skip
    elif kind == "amqp":
        conn += f";u;{CONN_PW}"
        environ = {"PASSWORD_AMQP": ENV_PW}
    else:
        environ = {"PASSWORD_MQTT": ENV_PW} if kind == "mqtt" else {"PASSWORD_REDIS": ENV_PW}
    return settings_for(kind, port, cfg, environ=environ, conn=conn)


@pytest.fixture(autouse=True)
def _no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    assert_no_secret(*(r.getMessage() for r in caplog.records), secrets=SECRETS)


@pytest.mark.parametrize("kind", ["mqtt", "amqp", "redis", "kafka"])
def test_unreachable_login_and_publisher(kind: str) -> None:
    pytest.importorskip(CLIENT_MODULES[kind])
    s = with_secrets(kind, closed_port())
    res = login(s, timeout=1)
    assert res.status is LoginStatus.UNREACHABLE, res
    with pytest.raises(BrokerError) as err:
        open_publisher(s, timeout=1)
    assert_no_secret(res, err.value, s, s.credentials, secrets=SECRETS)


@pytest.mark.parametrize("kind", ["mqtt", "amqp", "redis", "kafka"])
def test_client_library_missing(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m.split(".")[0] == CLIENT_MODULES[kind].split(".")[0]]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, CLIENT_MODULES[kind], None)
    s = with_secrets(kind, closed_port())
    res = login(s, timeout=1)
    assert res.status is LoginStatus.SKIPPED and "alpr-gen[brokers]" in res.hint, res
    with pytest.raises(BrokerError) as err:
        open_publisher(s, timeout=1)
    assert "not installed" in err.value.message
    assert_no_secret(res, err.value, secrets=SECRETS)


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("mqtt", {"enable-tls": "1"}),  # TLS without a CA
        ("mqtt", {"enable-tls": "1", "tls-cafile": "missing-ca.crt"}),
        ("redis", {"streamsize": "lots"}),
    ],
)
def test_invalid_configs(kind: str, extra: dict[str, str]) -> None:
    pytest.importorskip(CLIENT_MODULES[kind])
    s = with_secrets(kind, closed_port(), extra)
    res = login(s, timeout=1)
    assert res.status is LoginStatus.INVALID, res
    assert_no_secret(res, s, secrets=SECRETS)


def test_redis_password_the_adaptor_would_mangle() -> None:
    pytest.importorskip("redis")
    spaced = f"{PW} with space"
    for s in (
        settings_for("redis", closed_port(), {"password": spaced}),
        settings_for("redis", closed_port(), {}, environ={"PASSWORD_REDIS": spaced}),
    ):
        res = login(s, timeout=1)
        assert res.status is LoginStatus.INVALID and res.credential == "password", res
        assert_no_secret(res, s, secrets=(spaced, PW))


def test_amqp_missing_credentials_invalid() -> None:
    pytest.importorskip("pika")
    s = settings_for("amqp", closed_port(), {"password": PW})  # no username anywhere
    res = login(s, timeout=1)
    assert res.status is LoginStatus.INVALID and res.credential == "username/password", res
    assert_no_secret(res, s, secrets=SECRETS)


def test_settings_errors() -> None:
    with pytest.raises(BrokerError) as err:
        BrokerSettings.from_config(
            proto_lib="libnvds_amqp_proto.so", conn_str=f"h;notaport;u;{CONN_PW}", topic="t",
            cfg={"password": PW}, base_dir=Path("."), environ={},
        )  # fmt: skip
    assert "port" in err.value.message
    with pytest.raises(BrokerError) as err2:
        settings_for("kafka", 9092, {"proto-cfg": f"sasl.password={PW}"})
    assert_no_secret(err.value, err2.value, secrets=SECRETS)


@pytest.mark.brokers
def test_refused_logins_and_publishers(
    mosquitto_auth: RunningBroker, redis_auth: RunningBroker, tansu_auth: RunningBroker
) -> None:
    pytest.importorskip("paho.mqtt.client")
    pytest.importorskip("redis")
    pytest.importorskip("confluent_kafka")
    for kind, port in (
        ("mqtt", mosquitto_auth.port),
        ("redis", redis_auth.port),
        ("kafka", tansu_auth.port),
    ):
        s = with_secrets(kind, port, {"username": MQTT_USER} if kind == "mqtt" else None)
        res = login(s, timeout=3)
        assert res.status is LoginStatus.REFUSED, res
        with pytest.raises(BrokerError) as err:
            open_publisher(s, timeout=3)
        assert_no_secret(res, err.value, secrets=SECRETS)
