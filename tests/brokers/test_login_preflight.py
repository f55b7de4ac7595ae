"""Broker login rows of `run`'s preflight against real mosquitto, redis-server and
rabbitmq-server (127.0.0.1 only), through alpr_gen.brokers.

Each test writes a small bundle (app config with a type-6 sink + broker.txt) and runs the real
preflight; the login row must say what is wrong and never show the password. These test
preflight's use of the brokers package (moved from tests/run/test_broker_login.py); the
brokers package's own tests are the other files here.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from alpr_gen.brokers import INSTALL_HINT, MASK, BrokerSettings, LoginStatus, login
from alpr_gen.configset import load as load_bundle
from alpr_gen.deepstream.facts import broker_of_adaptor
from alpr_gen.run.preflight import FAIL, OK, SKIP, Check, Environment
from run.conftest import BundleSpec, run_preflight, write_bundle
from run.test_preflight import by_name, env_for

from .servers import (
    MQTT_PASSWORD,
    MQTT_USER,
    REDIS_PASSWORD,
    Pki,
    RunningBroker,
    closed_port,
    stop_broker,
)

WRONG = "not-the-pw-42"
LIBS = {
    "mqtt": "libnvds_mqtt_proto.so",
    "amqp": "libnvds_amqp_proto.so",
    "redis": "libnvds_redis_proto.so",
    "kafka": "libnvds_kafka_proto.so",
}


def preflight(
    tmp_path: Path,
    proto: str,
    port: int,
    settings: dict[str, str],
    *,
    environ: dict[str, str] | None = None,
    network: bool = True,
) -> tuple[dict[str, Check], Path]:
    """Bundle with one broker sink whose broker.txt holds `settings`; all preflight rows."""
    env = env_for(tmp_path)
    env.environ = lambda: dict(environ or {})
    env.network = network
    lib = env.deepstream_root / "lib" / LIBS[proto]
    lib.write_bytes(b"\x7fELF")
    root = write_bundle(tmp_path / "b", BundleSpec(["file:///v.mp4"], broker_port=port,
                                                   proto_lib=str(lib)))  # fmt: skip
    lines = ["[message-broker]", *(f"{k}={v}" for k, v in settings.items())]
    (root / "broker.txt").write_text("\n".join(lines) + "\n")
    checks, _ = run_preflight(load_bundle(root), deepstream_app=None, env=env)
    return by_name(checks), root


def login_row(
    tmp_path: Path, proto: str, port: int, settings: dict[str, str], **kw: object
) -> Check:
    checks, _ = preflight(tmp_path, proto, port, settings, **kw)  # type: ignore[arg-type]
    assert checks["broker [sink1]"].status == OK, checks["broker [sink1]"]
    return checks["broker login [sink1]"]


def assert_no_secret(check: Check, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in check.detail and secret not in check.hint, check


# --- MQTT: password ----------------------------------------------------------------------------


@pytest.mark.brokers
def test_mqtt_right_password_logs_in(tmp_path: Path, mosquitto_auth: RunningBroker) -> None:
    c = login_row(tmp_path, "mqtt", mosquitto_auth.port,
              {"username": MQTT_USER, "password": MQTT_PASSWORD, "client-id": "lot7"})  # fmt: skip
    assert c.status == OK, c
    assert "CONNACK success" in c.detail and repr(MQTT_USER) in c.detail
    assert_no_secret(c, MQTT_PASSWORD)


@pytest.mark.brokers
def test_mqtt_wrong_password_fails_with_credentials_hint(
    tmp_path: Path, mosquitto_auth: RunningBroker
) -> None:
    c = login_row(tmp_path, "mqtt", mosquitto_auth.port, {"username": MQTT_USER, "password": WRONG})
    assert c.status == FAIL, c
    assert "credentials" in c.detail and "CONNACK" in c.detail
    assert "password=" in c.hint and "messaging.password" in c.hint and "broker.txt" in c.hint
    assert_no_secret(c, WRONG, MQTT_PASSWORD)


@pytest.mark.brokers
def test_mqtt_no_credentials_refused(tmp_path: Path, mosquitto_auth: RunningBroker) -> None:
    c = login_row(tmp_path, "mqtt", mosquitto_auth.port, {})
    assert c.status == FAIL and "no username" in c.detail, c


@pytest.mark.brokers
def test_mqtt_env_overrides_cfg_like_the_adaptor(
    tmp_path: Path, mosquitto_auth: RunningBroker
) -> None:
    """The adaptor lets USER_MQTT / PASSWORD_MQTT override broker.txt; so does the check."""
    settings = {"username": "nobody", "password": WRONG}
    environ = {"USER_MQTT": MQTT_USER, "PASSWORD_MQTT": MQTT_PASSWORD}
    c = login_row(tmp_path, "mqtt", mosquitto_auth.port, settings, environ=environ)
    assert c.status == OK and "PASSWORD_MQTT" in c.detail, c
    assert_no_secret(c, MQTT_PASSWORD, WRONG)


# --- MQTT: TLS ---------------------------------------------------------------------------------


@pytest.mark.brokers
def test_mqtt_tls_right_ca_relative_to_broker_cfg(
    tmp_path: Path, mosquitto_tls: RunningBroker, pki: Pki
) -> None:
    # A relative tls-cafile resolves against broker.txt's directory (the bundle).
    certs = tmp_path / "b" / "certs"
    certs.mkdir(parents=True)
    shutil.copy(pki.ca, certs / "ca.crt")
    c = login_row(tmp_path, "mqtt", mosquitto_tls.port,
              {"enable-tls": "1", "tls-cafile": "certs/ca.crt"})  # fmt: skip
    assert c.status == OK and "(TLS)" in c.detail, c


@pytest.mark.brokers
def test_mqtt_tls_wrong_ca_fails(tmp_path: Path, mosquitto_tls: RunningBroker, pki: Pki) -> None:
    c = login_row(tmp_path, "mqtt", mosquitto_tls.port,
              {"enable-tls": "1", "tls-cafile": str(pki.other_ca), "password": WRONG,
               "username": "u"})  # fmt: skip
    assert c.status == FAIL, c
    assert "TLS" in c.detail and "certificate" in c.detail.lower()
    assert "tls-cafile" in c.hint and "messaging.tls.ca_file" in c.hint
    assert_no_secret(c, WRONG)


@pytest.mark.brokers
def test_mqtt_tls_missing_ca_file(tmp_path: Path, mosquitto_tls: RunningBroker) -> None:
    c = login_row(tmp_path, "mqtt", mosquitto_tls.port,
              {"enable-tls": "1", "tls-cafile": "certs/nope.crt"})  # fmt: skip
    assert c.status == FAIL and "not found" in c.detail and "tls-cafile" in c.hint, c
    c = login_row(tmp_path / "2", "mqtt", mosquitto_tls.port, {"enable-tls": "1"})
    assert c.status == FAIL and "neither tls-cafile nor tls-capath" in c.detail, c


@pytest.mark.brokers
def test_mqtt_plain_to_a_tls_listener_fails(tmp_path: Path, mosquitto_tls: RunningBroker) -> None:
    c = login_row(tmp_path, "mqtt", mosquitto_tls.port, {})
    assert c.status == FAIL and "enable-tls" in c.hint, c


# --- Redis -------------------------------------------------------------------------------------


@pytest.mark.brokers
def test_redis_right_password(tmp_path: Path, redis_auth: RunningBroker) -> None:
    c = login_row(tmp_path, "redis", redis_auth.port, {"hostname": "127.0.0.1",
              "port": str(redis_auth.port), "password": REDIS_PASSWORD})  # fmt: skip
    assert c.status == OK and "AUTH + PING ok" in c.detail, c
    assert_no_secret(c, REDIS_PASSWORD)


@pytest.mark.brokers
def test_redis_wrong_password(tmp_path: Path, redis_auth: RunningBroker) -> None:
    c = login_row(tmp_path, "redis", redis_auth.port, {"password": WRONG})
    assert c.status == FAIL and "WRONGPASS" in c.detail, c
    assert "messaging.password" in c.hint and "password=" in c.hint
    assert_no_secret(c, WRONG, REDIS_PASSWORD)


@pytest.mark.brokers
def test_redis_no_password_noauth(tmp_path: Path, redis_auth: RunningBroker) -> None:
    c = login_row(tmp_path, "redis", redis_auth.port, {"streamsize": "100"})
    assert c.status == FAIL and "NOAUTH" in c.detail, c


@pytest.mark.brokers
def test_redis_password_but_server_has_none(tmp_path: Path, redis: RunningBroker) -> None:
    c = login_row(tmp_path, "redis", redis.port, {"password": WRONG})
    assert c.status == FAIL and "none configured" in c.detail, c
    assert_no_secret(c, WRONG)
    ok = login_row(tmp_path / "2", "redis", redis.port, {})
    assert ok.status == OK and "PING (no password) ok" in ok.detail, ok


# --- AMQP (one RabbitMQ for the module) --------------------------------------------------------


@pytest.mark.brokers
@pytest.mark.slow
def test_amqp_guest_logs_in(tmp_path: Path, rabbitmq_module: RunningBroker) -> None:
    c = login_row(tmp_path, "amqp", rabbitmq_module.port,
              {"username": "guest", "password": "guest", "exchange": "amq.topic",
               "topic": "alpr"})  # fmt: skip
    assert c.status == OK, c
    # The password is masked everywhere, even where it equals the user name (guest/guest).
    assert "logged in as '***'" in c.detail and "'amq.topic' exists" in c.detail


@pytest.mark.brokers
@pytest.mark.slow
def test_amqp_wrong_password(tmp_path: Path, rabbitmq_module: RunningBroker) -> None:
    c = login_row(tmp_path, "amqp", rabbitmq_module.port,
              {"username": "guest", "password": WRONG, "exchange": "amq.topic"})  # fmt: skip
    assert c.status == FAIL and "credentials" in c.detail, c
    assert "messaging.password" in c.hint
    assert_no_secret(c, WRONG)


@pytest.mark.brokers
@pytest.mark.slow
def test_amqp_missing_exchange(tmp_path: Path, rabbitmq_module: RunningBroker) -> None:
    c = login_row(tmp_path, "amqp", rabbitmq_module.port,
              {"username": "guest", "password": "guest", "exchange": "alpr-nope"})  # fmt: skip
    assert c.status == FAIL, c
    assert "exchange 'alpr-nope' does not exist" in c.detail
    assert "messaging.exchange" in c.hint and "exchange=" in c.hint
    # The passive declare created nothing: asking again still finds no exchange.
    again = login_row(tmp_path / "2", "amqp", rabbitmq_module.port,
                  {"username": "guest", "password": "guest", "exchange": "alpr-nope"})  # fmt: skip
    assert again.status == FAIL


# --- when the check runs, and without client libraries -----------------------------------------


@pytest.mark.brokers
def test_no_login_row_when_tcp_fails_or_network_off(tmp_path: Path, redis: RunningBroker) -> None:
    checks, _ = preflight(tmp_path / "off", "redis", redis.port, {}, network=False)
    assert "broker login [sink1]" not in checks and checks["brokers, cameras"].status == SKIP
    stop_broker(redis)
    checks, _ = preflight(tmp_path / "down", "redis", redis.port, {})
    assert checks["broker [sink1]"].status == FAIL
    assert "broker login [sink1]" not in checks


def test_kafka_logs_in_for_real_and_a_port_that_is_not_kafka_fails(tmp_path: Path) -> None:
    # Preflight used to stop at the TCP connect for Kafka; it now runs librdkafka's handshake
    # (tests/brokers/test_kafka.py logs in to a real Kafka-protocol broker).
    import socket

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    try:
        c = login_row(tmp_path, "kafka", srv.getsockname()[1],
                  {"proto-cfg": '"sasl.password=x"', "partition-key": "sensor.id"})  # fmt: skip
    finally:
        srv.close()
    assert c.status == FAIL and "TCP check only" not in c.detail


@pytest.mark.parametrize(
    ("proto", "module"),
    [("mqtt", "paho.mqtt.client"), ("redis", "redis"), ("amqp", "pika")],
)
def test_missing_client_library_skips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, proto: str, module: str
) -> None:
    import socket

    monkeypatch.setitem(sys.modules, module, None)  # `import module` now raises ImportError
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    try:
        c = login_row(tmp_path, proto, srv.getsockname()[1], {"password": WRONG})
    finally:
        srv.close()
    assert c.status == SKIP and c.hint == INSTALL_HINT, c
    assert "not installed" in c.detail


def test_missing_broker_config_fails(tmp_path: Path) -> None:
    import socket

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    try:
        env = env_for(tmp_path)
        lib = env.deepstream_root / "lib" / LIBS["mqtt"]
        root = write_bundle(tmp_path / "b", BundleSpec(["file:///v.mp4"],
                            broker_port=srv.getsockname()[1], proto_lib=str(lib)))  # fmt: skip
        (root / "broker.txt").unlink()
        checks = by_name(run_preflight(load_bundle(root), deepstream_app=None, env=env)[0])
    finally:
        srv.close()
    c = checks["broker login [sink1]"]
    assert c.status == FAIL and "missing" in c.detail


def test_mqtt_unreachable_port_is_a_failure_not_a_hang() -> None:
    settings = BrokerSettings.from_config(
        proto_lib=LIBS["mqtt"], conn_str=f"127.0.0.1;{closed_port()}", topic="t",
        cfg={"password": WRONG}, base_dir=Path("."), environ={},
    )  # fmt: skip
    res = login(settings, timeout=1.0)
    assert res.ok is False and res.status is LoginStatus.UNREACHABLE and WRONG not in res.message


def test_protocol_of() -> None:
    assert (
        broker_of_adaptor("/opt/nvidia/deepstream/deepstream/lib/libnvds_mqtt_proto.so") == "mqtt"
    )
    assert broker_of_adaptor("libnvds_amqp_proto.so") == "amqp"
    assert broker_of_adaptor("libnvds_redis_proto.so") == "redis"
    assert broker_of_adaptor("libnvds_kafka_proto.so") == "kafka"
    assert broker_of_adaptor("libnvds_azure_proto.so") not in ("mqtt", "amqp", "redis", "kafka")
    assert MASK == "***"


def test_env_default_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSWORD_MQTT", "from-env")
    assert Environment().environ()["PASSWORD_MQTT"] == "from-env"
