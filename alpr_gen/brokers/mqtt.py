"""MQTT as libnvds_mqtt_proto.so speaks it (paho-mqtt): login and publish.

The adaptor (nvds_mqtt_proto.cpp) always speaks MQTT v5 (mosquitto_connect_bind_v5), sends
username/password when either is set (USER_MQTT / PASSWORD_MQTT override the cfg), and with
`enable-tls=1` (value starting with "1") calls mosquitto_tls_set with tls-cafile / tls-capath
and the client certificate only when both tls-certfile and tls-keyfile are set; TLS enabled
without a CA file or directory is a config error. It publishes with
mosquitto_publish_v5(topic, payload, qos=0, retain=false) to the sink's topic.
"""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import time
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from alpr_gen.brokers.base import INSTALL_HINT, BrokerSettings, LoginResult, LoginStatus, why
from alpr_gen.brokers.publish import Publisher, require_topic, start_error
from alpr_gen.deepstream.facts import MQTT_DEFAULT_KEEP_ALIVE

if TYPE_CHECKING:
    import paho.mqtt.client as paho
    from paho.mqtt.reasoncodes import ReasonCode

# CONNACK reason codes (MQTT v5 section 3.2.2.2; v3.1.1 codes for older brokers).
_BAD_CREDENTIALS = {0x86, 0x04}
_NOT_AUTHORISED = {0x87, 0x05, 0x85}  # mosquitto answers a wrong password with 0x87
_TLS_FILES = ("tls-cafile", "tls-capath", "tls-certfile", "tls-keyfile")
_CA_FIX = (
    "the broker's certificate must be signed by the CA in tls-cafile and name the host in "
    "msg-broker-conn-str; "
)


def _client_module() -> ModuleType | None:
    try:
        import paho.mqtt.client as client_module
    except ImportError:
        return None
    return client_module


def _skipped(settings: BrokerSettings) -> LoginResult:
    return settings.result(
        LoginStatus.SKIPPED, "paho-mqtt not installed: MQTT login not checked", INSTALL_HINT
    )


def _tls_enabled(settings: BrokerSettings) -> bool:
    return settings.value("enable-tls").startswith("1")  # strncmp(value, "1", 1)


def _keep_alive(settings: BrokerSettings) -> int:
    # std::stoi: leading digits count, anything else falls back to the default.
    match = re.match(r"\s*([+-]?\d+)", settings.value("keep-alive"))
    return int(match.group(1)) if match else MQTT_DEFAULT_KEEP_ALIVE


def tls_context(settings: BrokerSettings) -> ssl.SSLContext | LoginResult:
    """The TLS context the adaptor's mosquitto_tls_set amounts to, or why there is none."""
    files = {key: path for key in _TLS_FILES if (path := settings.path(key)) is not None}
    if "tls-cafile" not in files and "tls-capath" not in files:
        return settings.result(
            LoginStatus.INVALID,
            "enable-tls=1 but neither tls-cafile nor tls-capath is set (the adaptor refuses to "
            "connect)",
            settings.fix("tls-cafile"),
            "tls-cafile",
        )
    for key, path in files.items():
        if not path.exists():
            return settings.result(
                LoginStatus.INVALID, f"{key} {path}: not found", settings.fix(key), key
            )
    cafile, capath = files.get("tls-cafile"), files.get("tls-capath")
    try:
        ctx = ssl.create_default_context(
            cafile=str(cafile) if cafile else None, capath=str(capath) if capath else None
        )
    except (ssl.SSLError, OSError) as exc:
        return settings.result(
            LoginStatus.INVALID,
            f"cannot load the CA certificates ({why(exc)})",
            settings.fix("tls-cafile"),
            "tls-cafile",
        )
    if "tls-certfile" in files and "tls-keyfile" in files:
        try:
            ctx.load_cert_chain(str(files["tls-certfile"]), str(files["tls-keyfile"]))
        except (ssl.SSLError, OSError) as exc:
            return settings.result(
                LoginStatus.INVALID,
                f"cannot load the client certificate/key ({why(exc)})",
                settings.fix("tls-certfile", "tls-keyfile"),
                "tls-certfile",
            )
    return ctx


def _tls_probe(settings: BrokerSettings, ctx: ssl.SSLContext, timeout: float) -> LoginResult | None:
    """A handshake on a socket of our own: tells a TLS problem from an MQTT one (and paho
    leaks its socket when its own handshake fails)."""
    where = settings.endpoint
    try:
        with (
            socket.create_connection((settings.host, settings.port), timeout=timeout) as raw,
            ctx.wrap_socket(raw, server_hostname=settings.host),
        ):
            return None
    except ssl.SSLError as exc:
        return settings.result(
            LoginStatus.REFUSED,
            f"TLS handshake with {where} failed ({why(exc)})",
            _CA_FIX + settings.fix("tls-cafile"),
            "tls-cafile",
        )
    except OSError as exc:
        return settings.result(
            LoginStatus.UNREACHABLE,
            f"TLS connect to {where} failed ({why(exc)})",
            "is this port the broker's TLS listener?",
        )


def _new_client(mqtt: ModuleType, settings: BrokerSettings, suffix: str) -> paho.Client:
    """A v5 client with the adaptor's credentials; the client id is `client-id-<suffix>`:
    never the pipeline's own id, which would make the broker drop a running pipeline
    (a suffix keeps prefix-based broker rules working)."""
    from paho.mqtt.enums import CallbackAPIVersion

    configured = settings.value("client-id")
    client_id = f"{configured}-{suffix}" if configured else ""
    client: paho.Client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, clean_session=None
    )
    creds = settings.credentials
    if creds.username or creds.password:
        client.username_pw_set(creds.username or "", settings.password or None)
    return client


@dataclass
class _Reply:
    rc: ReasonCode | None = None
    lost: str | None = None


def _connect(
    mqtt: ModuleType, client: paho.Client, settings: BrokerSettings, timeout: float
) -> _Reply:
    """CONNECT and wait for the CONNACK in this thread; raises OSError/ssl.SSLError."""
    reply = _Reply()

    def on_connect(_c: object, _u: object, _f: object, rc: ReasonCode, _p: object) -> None:
        reply.rc = rc

    client.on_connect = on_connect
    client.connect_timeout = timeout
    client.connect(settings.host, settings.port, keepalive=_keep_alive(settings))
    deadline = time.monotonic() + timeout
    while reply.rc is None and time.monotonic() < deadline:
        rc = client.loop(timeout=0.1)
        if rc != mqtt.MQTT_ERR_SUCCESS:
            reply.lost = mqtt.error_string(rc)
            break
    return reply


def _connect_failed(settings: BrokerSettings, exc: Exception, tls: bool) -> LoginResult:
    where = settings.endpoint
    if isinstance(exc, ssl.SSLError):
        return settings.result(
            LoginStatus.REFUSED,
            f"TLS handshake with {where} failed ({why(exc)})",
            _CA_FIX + settings.fix("tls-cafile"),
            "tls-cafile",
        )
    hint = "is this port the broker's TLS listener?" if tls else ""
    if not tls and isinstance(exc, (ConnectionResetError, TimeoutError)):
        hint = "does this listener want TLS? set enable-tls=1 and tls-cafile"
    return settings.result(LoginStatus.UNREACHABLE, f"connect to {where} failed ({why(exc)})", hint)


def _connack(settings: BrokerSettings, reply: _Reply, tls: bool, timeout: float) -> LoginResult:
    """What the broker's CONNACK (or its silence) means, and what to fix."""
    via = "TLS" if tls else "TCP"
    where = f"{settings.endpoint} ({via})"
    if reply.rc is None:
        lost = reply.lost or f"no CONNACK within {timeout:g} s"
        return settings.result(
            LoginStatus.UNREACHABLE,
            f"{where} closed or did not answer the MQTT v5 CONNECT ({lost})",
            "DeepStream's MQTT adaptor speaks MQTT v5 only: use a v5 broker (mosquitto >= 1.6); "
            "check that this port is MQTT"
            + ("" if tls else " and whether it wants TLS (enable-tls=1)"),
        )
    who = settings.who()
    if not reply.rc.is_failure:
        return settings.result(LoginStatus.OK, f"{where}: CONNACK success, {who}")
    code = int(reply.rc.value)
    text = f"{where}: CONNACK {code:#04x} {reply.rc}, {who}"
    user_fix = settings.fix_credentials("username", "password")
    if code in _BAD_CREDENTIALS:
        return settings.result(
            LoginStatus.REFUSED,
            f"{text}: bad credentials (username/password)",
            user_fix,
            "username/password",
        )
    if code in _NOT_AUTHORISED:
        return settings.result(
            LoginStatus.REFUSED,
            f"{text}: not authorised (wrong credentials, i.e. username/password, or a client "
            "the broker refuses)",
            user_fix + "; if the credentials are right, check the broker's ACL / allowed "
            "client ids (client-id)",
            "username/password",
        )
    return settings.result(
        LoginStatus.REFUSED, f"{text}: connection refused", "see the broker's log for why"
    )


def _close_quietly(client: paho.Client, connected: bool) -> None:
    with contextlib.suppress(Exception):
        if connected:
            client.disconnect()
            client.loop(timeout=0.1)
    with contextlib.suppress(Exception):
        sock = client.socket()
        if sock is not None:
            sock.close()


def _open(
    mqtt: ModuleType, settings: BrokerSettings, timeout: float, suffix: str
) -> tuple[LoginResult, paho.Client | None]:
    """Log in; on success the client stays connected (the caller closes it)."""
    tls = _tls_enabled(settings)
    ctx: ssl.SSLContext | None = None
    if tls:
        made = tls_context(settings)
        if isinstance(made, LoginResult):
            return made, None
        ctx = made
        probe = _tls_probe(settings, ctx, timeout)
        if probe is not None:
            return probe, None
    client = _new_client(mqtt, settings, suffix)
    if ctx is not None:
        client.tls_set_context(ctx)
    reply = _Reply()
    try:
        reply = _connect(mqtt, client, settings, timeout)
    except (OSError, ValueError) as exc:
        _close_quietly(client, False)
        return _connect_failed(settings, exc, tls), None
    result = _connack(settings, reply, tls, timeout)
    if not result.ok:
        _close_quietly(client, False)
        return result, None
    return result, client


def login(settings: BrokerSettings, timeout: float) -> LoginResult:
    """CONNECT as the adaptor would (client id `<client-id>-preflight`), then DISCONNECT."""
    mqtt = _client_module()
    if mqtt is None:
        return _skipped(settings)
    result, client = _open(mqtt, settings, timeout, "preflight")
    if client is not None:
        _close_quietly(client, True)
    return result


class MqttPublisher(Publisher):
    """QoS 0, no retain, to the sink's topic; paho's network thread reconnects on its own."""

    def __init__(self, settings: BrokerSettings, mqtt: ModuleType, client: paho.Client) -> None:
        super().__init__(settings)
        self._mqtt = mqtt
        self._client = client
        client.on_publish = self._on_publish
        client.loop_start()

    @classmethod
    def connect(cls, settings: BrokerSettings, timeout: float) -> MqttPublisher:
        require_topic(settings)
        mqtt = _client_module()
        if mqtt is None:
            raise start_error(_skipped(settings))
        result, client = _open(mqtt, settings, timeout, "preview")
        if client is None:
            raise start_error(result)
        return cls(settings, mqtt, client)

    def _on_publish(self, _c: object, _u: object, _mid: int, _rc: object, _p: object) -> None:
        self._settle(True)  # QoS 0: called once the message is written to the socket

    def _send(self, data: bytes, key: str | None) -> bool | None:
        info = self._client.publish(self.settings.topic, data, qos=0, retain=False)
        if info.rc != self._mqtt.MQTT_ERR_SUCCESS:
            self._note(f"publish failed: {self._mqtt.error_string(info.rc)}")
            return False
        return None

    def _close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.disconnect()
        with contextlib.suppress(Exception):
            self._client.loop_stop()
