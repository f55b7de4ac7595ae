"""BrokerSettings.from_config: host, port and credentials resolved as each adaptor resolves them.

The rules come from the adaptor sources (DeepStream 7.1 sources/libs/*_protocol_adaptor/):
nvds_mqtt_proto.cpp (nvds_mqtt_read_config, is_valid_mqtt_connection_str), amqp_client.cpp
(parse_config), nvds_redis_client.cpp (parse_config), nvds_kafka_proto.cpp
(nvds_kafka_read_config, nvds_kafka_parse_proto_cfg) and nvds_utils.cpp (strip_quote).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alpr_gen.brokers import MASK, BrokerSettings, Secret
from alpr_gen.brokers.adaptor_cfg import parse_proto_cfg
from alpr_gen.deepstream.facts import BROKERS
from alpr_gen.errors import BrokerError

PW = "pw-7f3a-secret"


def settings(
    kind: str, conn: str, cfg: dict[str, str] | None = None, environ: dict[str, str] | None = None
) -> BrokerSettings:
    return BrokerSettings.from_config(
        proto_lib=BROKERS[kind].adaptor_path, conn_str=conn, topic="alpr", cfg=cfg or {},
        base_dir=Path("/bundle"), environ=environ or {},
    )  # fmt: skip


# --- endpoint ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["mqtt", "kafka"])
def test_mqtt_kafka_take_host_port_from_conn_str_only(kind: str) -> None:
    s = settings(kind, "broker.lan;1884;legacy-topic", {"hostname": "other", "port": "1"})
    assert (s.host, s.port) == ("broker.lan", 1884)
    for bad in ("broker.lan", "a;1;b;c", ";1883", "h;port", "h;0", "h;70000"):
        with pytest.raises(BrokerError, match="msg-broker-conn-str"):
            settings(kind, bad)


def test_amqp_conn_str_wins_when_5_chars_or_more_else_cfg() -> None:
    cfg = {"hostname": "cfg-host", "port": "5673", "username": "u", "password": PW}
    assert (
        settings("amqp", "rabbit;5672", cfg).host,
        settings("amqp", "rabbit;5672", cfg).port,
    ) == (
        "rabbit",
        5672,
    )
    s = settings("amqp", "", cfg)
    assert (s.host, s.port) == ("cfg-host", 5673)
    s = settings("amqp", "", {"hostname": "cfg-host", "username": "u", "password": PW})
    assert s.port == 5672  # DFLT_PORT
    with pytest.raises(BrokerError, match="hostname"):
        settings("amqp", "", {"username": "u", "password": PW})


def test_redis_conn_str_wins_when_longer_than_3_chars() -> None:
    s = settings("redis", "h;12", {"hostname": "cfg", "port": "6380"})
    assert (s.host, s.port) == ("h", 12)
    s = settings("redis", "h;1", {"hostname": "cfg", "port": "6380"})  # 3 chars: cfg wins
    assert (s.host, s.port) == ("cfg", 6380)


def test_unknown_adaptor_is_an_error() -> None:
    with pytest.raises(BrokerError, match="not a broker"):
        BrokerSettings.from_config(
            proto_lib="/x/libnvds_azure_proto.so", conn_str="h;1", topic="t", cfg={},
            base_dir=Path("."), environ={},
        )  # fmt: skip


# --- credentials -------------------------------------------------------------------------------


def test_mqtt_environment_overrides_cfg_even_when_empty() -> None:
    cfg = {"username": "cfg-user", "password": "cfg-pw"}
    s = settings("mqtt", "h;1883", cfg)
    assert s.credentials.username == "cfg-user" and s.password == "cfg-pw"
    assert s.credentials.password_from == "password= in broker.txt"
    s = settings("mqtt", "h;1883", cfg, {"USER_MQTT": "env-user", "PASSWORD_MQTT": PW})
    assert s.credentials.username == "env-user" and s.password == PW
    assert (s.credentials.username_from, s.credentials.password_from) == (
        "USER_MQTT",
        "PASSWORD_MQTT",
    )
    # g_getenv() != NULL: a variable set to "" wins too (and then no password is sent).
    s = settings("mqtt", "h;1883", cfg, {"PASSWORD_MQTT": ""})
    assert s.credentials.password is None and s.credentials.username == "cfg-user"


def test_amqp_host_port_needs_user_and_password_no_guest_default() -> None:
    s = settings("amqp", "h;5672", {})
    assert s.credentials.problem and "USER_AMQP" in s.credentials.problem
    # Both environment variables stand in for the cfg.
    s = settings("amqp", "h;5672", {}, {"USER_AMQP": "u", "PASSWORD_AMQP": PW})
    assert s.credentials.problem is None and s.credentials.username == "u" and s.password == PW
    # One of the two is not enough when the cfg lacks the other.
    s = settings("amqp", "h;5672", {"username": "u"}, {"PASSWORD_AMQP": PW})
    assert s.credentials.problem is not None


def test_amqp_conn_str_user_and_password_parts() -> None:
    s = settings("amqp", "h;5672;connuser", {"username": "cfguser", "password": PW})
    assert s.credentials.username == "connuser" and s.password == PW
    assert s.credentials.username_from == "msg-broker-conn-str"
    s = settings("amqp", "h;5672;connuser", {})
    assert s.credentials.problem and "PASSWORD_AMQP" in s.credentials.problem
    s = settings("amqp", "h;5672;connuser;" + PW, {})
    assert s.password == PW and s.credentials.problem is None
    assert PW not in repr(s) and s.conn_parts[3] == PW


def test_redis_password_environment_and_no_user() -> None:
    s = settings("redis", "h;6379", {"password": "cfg-pw", "username": "ignored"})
    assert s.password == "cfg-pw" and s.credentials.username is None
    s = settings(
        "redis", "h;6379", {"password": "cfg-pw"}, {"PASSWORD_REDIS": PW, "USER_MQTT": "x"}
    )
    assert s.password == PW and s.credentials.password_from == "PASSWORD_REDIS"


def test_kafka_reads_sasl_from_proto_cfg_and_no_environment() -> None:
    cfg = {
        "proto-cfg": f'"security.protocol=SASL_SSL;sasl.mechanism=SCRAM-SHA-512;'
        f'sasl.username=alpr;sasl.password={PW};ssl.ca.location=certs/ca.pem"',
        "partition-key": "sensor.id",
    }
    s = settings("kafka", "k;9092", cfg, {"PASSWORD_MQTT": "x", "PASSWORD_KAFKA": "y"})
    assert s.credentials.username == "alpr" and s.password == PW
    assert s.credentials.password_from == "sasl.password in proto-cfg"
    # producer-proto-cfg is applied after proto-cfg.
    cfg["producer-proto-cfg"] = '"sasl.password=second"'
    assert settings("kafka", "k;9092", cfg).password == "second"


# --- proto-cfg as the Kafka adaptor parses it ----------------------------------------------------


def test_parse_proto_cfg_like_the_adaptor() -> None:
    assert parse_proto_cfg("") == {}
    assert parse_proto_cfg('"a=1;b.c=x=y;a=2"') == {"a": "2", "b.c": "x=y"}
    # Nothing is trimmed: ' b' is a different (unknown to librdkafka) key.
    assert parse_proto_cfg('"a=1; b=2"') == {"a": "1", " b": "2"}
    # A trailing ';' or a fragment without '=' adds nothing.
    assert parse_proto_cfg('"a=1;"') == {"a": "1"}
    assert parse_proto_cfg('"a=1;junk"') == {"a": "1"}
    for unquoted in ("a=1", '"', '""', '"a=1'):
        with pytest.raises(ValueError, match="quoted"):
            parse_proto_cfg(unquoted)


def test_unquoted_proto_cfg_is_an_error_without_the_secret() -> None:
    with pytest.raises(BrokerError) as err:
        settings("kafka", "k;9092", {"proto-cfg": f"sasl.password={PW}"})
    assert "quoted" in str(err.value) and PW not in str(err.value)


# --- paths and repr ----------------------------------------------------------------------------


def test_relative_paths_resolve_against_base_dir() -> None:
    s = settings("mqtt", "h;8883", {"tls-cafile": "certs/ca.crt", "tls-certfile": "/abs/c.crt"})
    assert s.path("tls-cafile") == Path("/bundle/certs/ca.crt")
    assert s.path("tls-certfile") == Path("/abs/c.crt")
    assert s.path("tls-keyfile") is None


def test_repr_and_credentials_hide_every_secret() -> None:
    s = settings(
        "kafka",
        "k;9092",
        {"proto-cfg": f'"sasl.username=u;sasl.password={PW};ssl.key.password={PW}2"',
         "password": PW + "3"},
    )  # fmt: skip
    text = repr(s)
    for secret in (PW, PW + "2", PW + "3"):
        assert secret not in text
    assert "sasl.username=u" in text and MASK in text
    assert repr(Secret(PW)) == "Secret('***')" and str(Secret(PW)) == MASK
    assert Secret(PW) == Secret(PW) and Secret(PW).reveal() == PW
    assert PW not in repr(s.credentials)
    assert s == settings("kafka", "k;9092", dict(s.cfg)) and len({s, s}) == 1
    assert s.mask(f"x {PW}3 y {PW}2 z {PW}") == f"x {MASK} y {MASK} z {MASK}"
