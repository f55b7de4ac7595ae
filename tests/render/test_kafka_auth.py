"""Kafka authentication in the profile, rendered into proto-cfg as librdkafka reads it.

The rendered broker.txt is read back through alpr_gen.brokers (the parser of what
nvds_kafka_proto hands librdkafka), so the test checks what the adaptor will use, not our text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alpr_gen.brokers import BrokerSettings
from alpr_gen.brokers.kafka import auth_of
from alpr_gen.configset import load
from alpr_gen.errors import ProfileError
from alpr_gen.profile import load_profile
from alpr_gen.writer import render_to_dir

from .conftest import MINIMAL

SECRET = "s3cret-kafka-password"
AUTH = (
    "  username: alpr\n"
    "  password: ${KAFKA_PASSWORD}\n"
    "  sasl_mechanism: SCRAM-SHA-512\n"
    "  tls: {ca_file: certs/ca.pem}\n"
    "  options: {message.timeout.ms: 5000}\n"
)


def _settings(out: Path) -> BrokerSettings:
    cs = load(out)
    (sink,) = cs.msg_sinks
    return BrokerSettings.from_config(
        proto_lib=sink.proto_lib,
        conn_str=sink.conn_str,
        topic=sink.topic,
        cfg=sink.broker_settings(),
        base_dir=out,
        environ={},
    )


def test_sasl_ssl_renders_the_librdkafka_options(
    write_profile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_PASSWORD", SECRET)
    outcome = render_to_dir(str(write_profile(MINIMAL + AUTH)), tmp_path / "k")
    broker = outcome.out_dir / "broker.txt"
    assert (
        'proto-cfg="security.protocol=SASL_SSL;sasl.mechanism=SCRAM-SHA-512;'
        f"sasl.username=alpr;sasl.password={SECRET};ssl.ca.location=certs/ca.pem;"
        'message.timeout.ms=5000"\n'
    ) in broker.read_text()
    assert broker.stat().st_mode & 0o777 == 0o600  # it holds the password
    auth = auth_of(_settings(outcome.out_dir))
    assert (auth.security_protocol, auth.mechanism, auth.username) == (
        "SASL_SSL",
        "SCRAM-SHA-512",
        "alpr",
    )
    assert auth.password is not None and auth.password.reveal() == SECRET
    # librdkafka opens the CA from deepstream-app's working directory: the bundle.
    assert auth.ca_location == str(outcome.out_dir / "certs/ca.pem")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("  username: alpr\n", "username and messaging.password together"),
        ("  password: x\n", "username and messaging.password together"),
        ("  username: a\n  password: b\n", "sasl_mechanism: name the SASL mechanism"),
        (
            "  username: a\n  password: b\n  sasl_mechanism: PLAIN\n  security_protocol: SSL\n",
            "security_protocol SSL sends no username/password",
        ),
        ("  security_protocol: sasl_ssl\n", "SASL_SSL needs username and password"),
        (
            "  tls: {ca_file: ca.pem}\n  security_protocol: PLAINTEXT\n",
            "tls.ca_file is used with TLS only",
        ),
        ("  options: {sasl.username: a}\n", "options.sasl.username: set messaging.username"),
        ("  sasl_mechanism: GSSAPI\n", "sasl_mechanism"),
    ],
)
def test_inconsistent_kafka_auth_is_refused(write_profile, extra: str, message: str) -> None:
    path = write_profile(MINIMAL + extra)
    with pytest.raises(ProfileError) as exc:
        load_profile(str(path), env={})
    assert message in str(exc.value)
    assert "messaging" in str(exc.value)  # the dotted path of the field


def test_plain_kafka_renders_no_security_options(write_profile, tmp_path: Path) -> None:
    path = write_profile(MINIMAL)
    outcome = render_to_dir(str(path), tmp_path / "plain")
    text = (outcome.out_dir / "broker.txt").read_text()
    assert "security.protocol" not in text and "sasl." not in text
    assert auth_of(_settings(outcome.out_dir)).security_protocol == "plaintext"
