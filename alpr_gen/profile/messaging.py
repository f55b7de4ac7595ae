"""The profile's `messaging` section: one broker nvmsgbroker publishes to (or none)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    model_validator,
)

from alpr_gen.profile.fields import (
    Host,
    Int,
    ListItem,
    Path,
    Port,
    Secret,
    Strict,
)


class _Broker(Strict):
    host: Host
    topic: ListItem = Field(min_length=1)
    payload: Literal["full", "minimal"] = "full"
    frame_interval: Int = Field(30, ge=1, description="Frames between payloads per stream.")


class KafkaTls(Strict):
    ca_file: Path = Field(
        description="CA certificate (ssl.ca.location), relative to the bundle: librdkafka "
        "opens it from deepstream-app's working directory, the bundle for alpr-gen run."
    )


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


class Kafka(_Broker):
    broker: Literal["kafka"]
    port: Port = 9092
    partition_key: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.]*$")] | None = Field(
        None, description="Default: sensor.id (full payload) or sensorId (minimal)."
    )
    options: dict[
        Annotated[str, Field(pattern=r"^[a-z][a-z0-9._]*$")], str | int | float | bool
    ] = Field({}, description="librdkafka options (proto-cfg).")
    username: ListItem | None = Field(None, description="sasl.username.")
    password: Secret | None = Field(None, description="sasl.password; use ${ENV}.")
    sasl_mechanism: Annotated[
        Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None, BeforeValidator(_upper)
    ] = Field(None, description="sasl.mechanism; needed with a username.")
    security_protocol: Annotated[
        Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] | None, BeforeValidator(_upper)
    ] = Field(
        None,
        description="security.protocol. Default: SASL_SSL with a username and tls, "
        "SASL_PLAINTEXT with a username, SSL with tls only, else librdkafka's (PLAINTEXT).",
    )
    tls: KafkaTls | None = None

    @model_validator(mode="after")
    def _proto_cfg_safe(self) -> Kafka:
        # Options are joined into proto-cfg="k=v;k=v": these characters would split or end it.
        values = {k: str(v) for k, v in self.options.items()}
        if self.password is not None:
            values["password"] = self.password.get_secret_value()
        if self.username is not None:
            values["username"] = self.username
        if self.tls is not None:
            values["tls.ca_file"] = self.tls.ca_file
        for key, value in values.items():
            if any(c in value for c in ';="') or any(ord(c) < 32 for c in value):
                raise ValueError(
                    f"{key}: ';', '=', '\"' and control characters cannot appear in a Kafka option"
                )
        return self

    @model_validator(mode="after")
    def _auth_consistent(self) -> Kafka:
        for option, field in AUTH_OPTIONS.items():
            if option in self.options:
                raise ValueError(
                    f"options.{option}: set messaging.{field} instead (it is rendered into "
                    "proto-cfg with the other authentication settings)"
                )
        if (self.username is None) != (self.password is None):
            raise ValueError(
                "SASL needs messaging.username and messaging.password together "
                "(the password from the environment: password: ${KAFKA_PASSWORD})"
            )
        protocol = self.effective_protocol
        if self.username is not None:
            if self.sasl_mechanism is None:
                raise ValueError(
                    "messaging.sasl_mechanism: name the SASL mechanism the broker uses with a "
                    "username and password: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"
                )
            if protocol not in ("SASL_PLAINTEXT", "SASL_SSL"):
                raise ValueError(
                    f"security_protocol {protocol} sends no username/password: use SASL_SSL "
                    "(or SASL_PLAINTEXT on a trusted network)"
                )
        elif protocol in ("SASL_PLAINTEXT", "SASL_SSL"):
            raise ValueError(f"security_protocol {protocol} needs username and password")
        elif self.sasl_mechanism is not None:
            raise ValueError("sasl_mechanism needs username and password")
        if self.tls is not None and protocol not in ("SSL", "SASL_SSL"):
            raise ValueError(
                f"tls.ca_file is used with TLS only, but security_protocol is {protocol}: "
                "use SSL or SASL_SSL"
            )
        return self

    @property
    def effective_protocol(self) -> str:
        """security.protocol as rendered (librdkafka's default PLAINTEXT when unset)."""
        if self.security_protocol is not None:
            return self.security_protocol
        sasl = self.username is not None
        if self.tls is not None:
            return "SASL_SSL" if sasl else "SSL"
        return "SASL_PLAINTEXT" if sasl else "PLAINTEXT"


# librdkafka options that have their own profile fields (brokers.base.PROFILE_FIELD).
AUTH_OPTIONS = {
    "security.protocol": "security_protocol",
    "sasl.mechanism": "sasl_mechanism",
    "sasl.mechanisms": "sasl_mechanism",
    "sasl.username": "username",
    "sasl.password": "password",
    "ssl.ca.location": "tls.ca_file",
}


class MqttTls(Strict):
    ca_file: Path
    cert_file: Path | None = None
    key_file: Path | None = None


class Mqtt(_Broker):
    broker: Literal["mqtt"]
    port: Port = 1883
    username: ListItem | None = None
    password: Secret | None = None
    client_id: ListItem | None = None
    keep_alive: Int = Field(60, ge=5)
    tls: MqttTls | None = None


class Amqp(_Broker):
    broker: Literal["amqp"]
    port: Port = 5672
    username: ListItem = "guest"
    password: Secret | None = None
    exchange: ListItem = "amq.topic"


class Redis(_Broker):
    broker: Literal["redis"]
    port: Port = 6379
    password: Secret | None = None
    stream_size: Int = Field(10_000, ge=1)
    payload_key: ListItem = "metadata"


class NoMessaging(Strict):
    broker: Literal["none"]


Messaging = Annotated[Kafka | Mqtt | Amqp | Redis | NoMessaging, Field(discriminator="broker")]
