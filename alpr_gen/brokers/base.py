"""Typed broker settings (what a DeepStream adaptor would use) and login results.

`BrokerSettings.from_config` takes the values the adaptor reads: the sink's
`msg-broker-proto-lib`, `msg-broker-conn-str` and `topic`, the `[message-broker]` key values of
`msg-broker-config`, the directory relative paths in that cfg resolve against, and the
environment. It parses no file. Secrets are held in `Secret` and masked in every repr and text.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from alpr_gen.brokers import adaptor_cfg
from alpr_gen.deepstream.facts import broker_of_adaptor
from alpr_gen.errors import BrokerError
from alpr_gen.redact import MASK, mask, masked_items, secret_values

BrokerKind = Literal["mqtt", "amqp", "redis", "kafka"]
KINDS: tuple[BrokerKind, ...] = ("mqtt", "amqp", "redis", "kafka")

LOGIN_TIMEOUT = 3.0
INSTALL_HINT = "pip install 'alpr-gen[brokers]'"


class Secret:
    """A secret string: `repr`/`str` show MASK; `reveal()` hands the value to a client library."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Credentials:
    """User and password as the adaptor resolves them, and where each came from."""

    username: str | None = None
    password: Secret | None = None
    username_from: str = ""  # e.g. "USER_MQTT", "username= in broker.txt", "msg-broker-conn-str"
    password_from: str = ""
    problem: str | None = None  # why the adaptor itself would refuse to connect


class LoginStatus(str, Enum):
    OK = "ok"
    REFUSED = "refused"  # the broker (or its TLS certificate check) said no: a credential is wrong
    UNREACHABLE = "unreachable"  # nothing answered, or not the protocol expected
    INVALID = "invalid"  # the adaptor would refuse this configuration before connecting
    SKIPPED = "skipped"  # no client library here


@dataclass(frozen=True)
class LoginResult:
    """What a login found. `credential`: the key at fault (`password`, `tls-cafile`...)."""

    status: LoginStatus
    message: str
    hint: str = ""
    credential: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is LoginStatus.OK


# Where each cfg key comes from in the site profile, for "what to fix" hints.
PROFILE_FIELD: dict[str, str] = {
    "username": "messaging.username",
    "password": "messaging.password",
    "client-id": "messaging.client_id",
    "exchange": "messaging.exchange",
    "tls-cafile": "messaging.tls.ca_file",
    "tls-capath": "messaging.tls.ca_file",
    "tls-certfile": "messaging.tls.cert_file",
    "tls-keyfile": "messaging.tls.key_file",
    "streamsize": "messaging.stream_size",
    "payloadkey": "messaging.payload_key",
    # Kafka: librdkafka options inside proto-cfg (issue 16 adds the profile fields).
    "sasl.username": "messaging.username",
    "sasl.password": "messaging.password",
    "sasl.mechanism": "messaging.sasl_mechanism",
    "sasl.mechanisms": "messaging.sasl_mechanism",
    "security.protocol": "messaging.security_protocol",
    "ssl.ca.location": "messaging.tls.ca_file",
    "proto-cfg": "messaging.options",
}


@dataclass(frozen=True, repr=False)
class BrokerSettings:
    """One broker sink as its DeepStream adaptor sees it."""

    kind: BrokerKind
    host: str
    port: int
    topic: str  # the sink's `topic=` (MQTT topic, Kafka topic, Redis stream, AMQP routing key)
    cfg: Mapping[str, str]  # [message-broker] of msg-broker-config, values as the adaptor reads
    conn_parts: tuple[str, ...]  # msg-broker-conn-str split at ';'
    base_dir: Path  # relative paths in the cfg (TLS files) resolve against this
    credentials: Credentials = field(default_factory=Credentials)
    cfg_name: str = "broker.txt"  # how hints name the cfg file
    site: str | None = None  # for `alpr-gen render --site NAME` in hints

    @classmethod
    def from_config(
        cls,
        *,
        proto_lib: str,
        conn_str: str,
        topic: str,
        cfg: Mapping[str, str],
        base_dir: Path,
        environ: Mapping[str, str] | None = None,
        cfg_name: str = "broker.txt",
        site: str | None = None,
    ) -> BrokerSettings:
        """Settings from the sink's values; `environ` None reads the process environment.

        Pass `environ={}` where the adaptor will not see this process's environment (a
        container started without those variables). Raises BrokerError for an adaptor that is
        not a supported broker or a connection string the adaptor would reject.
        """
        kind = broker_of_adaptor(proto_lib)
        if kind not in KINDS:
            raise BrokerError(
                f"msg-broker-proto-lib {proto_lib!r}: not a broker alpr-gen can log in to "
                f"({', '.join(KINDS)})",
                hint="use one of DeepStream's adaptors: libnvds_{kafka,mqtt,amqp,redis}_proto.so",
            )
        env = os.environ if environ is None else environ
        values = MappingProxyType(dict(cfg))
        parts = tuple(conn_str.split(";")) if conn_str else ()
        try:
            host, port = adaptor_cfg.endpoint(kind, conn_str, values)
            creds = adaptor_cfg.credentials(kind, parts, values, env, cfg_name)
        except ValueError as exc:
            secrets = [*secret_values(values), *(parts[3:4])]
            raise BrokerError(
                mask(f"{cfg_name} / msg-broker-conn-str: {exc}", secrets),
                hint=f"render the bundle again ({_render(site, base_dir)}) or fix the sink's "
                "msg-broker-conn-str (host;port)",
            ) from None
        return cls(kind, host, port, topic, values, parts, base_dir, creds, cfg_name, site)

    # --- values --------------------------------------------------------------------------

    def value(self, key: str, default: str = "") -> str:
        return self.cfg.get(key) or default

    def path(self, key: str) -> Path | None:
        """A cfg path, relative ones against `base_dir`; None when the key is unset."""
        value = self.cfg.get(key)
        if not value:
            return None
        path = Path(value)
        return path if path.is_absolute() else self.base_dir / path

    @property
    def password(self) -> str:
        return self.credentials.password.reveal() if self.credentials.password else ""

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    # --- secrets -------------------------------------------------------------------------

    def secrets(self) -> list[str]:
        """Every secret value these settings hold, for `mask`."""
        out = [self.password, *secret_values(self.cfg), *self.conn_parts[3:4]]
        for key in ("proto-cfg", "producer-proto-cfg", "consumer-proto-cfg"):
            raw = self.cfg.get(key)
            if raw:
                try:
                    out += secret_values(adaptor_cfg.parse_proto_cfg(raw))
                except ValueError:
                    out.append(raw)  # unparsable: hide it whole
        return [s for s in out if s]

    def mask(self, text: str) -> str:
        return mask(text, self.secrets())

    def result(
        self, status: LoginStatus, message: str, hint: str = "", credential: str | None = None
    ) -> LoginResult:
        """A LoginResult whose texts carry no secret of these settings."""
        return LoginResult(status, self.mask(message), self.mask(hint), credential)

    def __hash__(self) -> int:
        # The generated hash would fail on the mapping; these identify one sink's settings.
        return hash((self.kind, self.host, self.port, self.topic, self.conn_parts,
                     tuple(sorted(self.cfg.items())), self.base_dir))  # fmt: skip

    def __repr__(self) -> str:
        cfg = masked_items(self.cfg)
        for key in ("proto-cfg", "producer-proto-cfg", "consumer-proto-cfg"):
            if key in cfg:
                cfg[key] = self.mask(cfg[key])
        parts = self.conn_parts[:3] + ((MASK,) if len(self.conn_parts) > 3 else ())
        return (
            f"BrokerSettings(kind={self.kind!r}, host={self.host!r}, port={self.port}, "
            f"topic={self.topic!r}, cfg={cfg!r}, conn_parts={parts!r}, "
            f"base_dir={str(self.base_dir)!r}, credentials={self.credentials!r})"
        )

    # --- hints ---------------------------------------------------------------------------

    def fix(self, *keys: str) -> str:
        """How to fix cfg `keys`: in the cfg, or in the profile field they are rendered from."""
        from alpr_gen.next_steps import render_advice

        render = render_advice(self.site, self.base_dir)
        shown = "/".join(f"`{k}=`" for k in keys)
        fields = "/".join(dict.fromkeys(f"`{PROFILE_FIELD.get(k, 'messaging')}`" for k in keys))
        env = ""
        if any("password" in k for k in keys):
            env = (
                " (a password usually comes from an environment variable there, `${VAR}`: "
                "export it before rendering)"
            )
        where = "in proto-cfg of " if any("." in k for k in keys) else "in "
        return (
            f"fix {shown} {where}{self.cfg_name}, or {fields} in the site profile{env} and "
            f"render again ({render})"
        )

    def fix_credentials(self, *keys: str) -> str:
        """Like `fix`, but names the environment variable when that is where a value came from."""
        c = self.credentials
        from_env = [
            src
            for key, src in (("username", c.username_from), ("password", c.password_from))
            if key in keys and src.isupper()
        ]
        if from_env:
            names = " / ".join(f"`{v}`" for v in from_env)
            return (
                f"fix the environment variable {names} (the adaptor lets it override "
                f"{self.cfg_name}), or unset it to use {self.cfg_name}"
            )
        return self.fix(*keys)

    def who(self) -> str:
        """`user 'alpr' (from USER_MQTT)` / `no username`: never the password."""
        c = self.credentials
        env = [s for s in (c.username_from, c.password_from) if s.isupper()]
        source = f" (from {', '.join(dict.fromkeys(env))})" if env else ""
        return f"user {c.username!r}{source}" if c.username else f"no username{source}"


def why(exc: BaseException) -> str:
    """`Type: text` for an exception (the caller masks it)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _render(site: str | None, bundle: Path) -> str:
    from alpr_gen.next_steps import render_advice

    return render_advice(site, bundle)
