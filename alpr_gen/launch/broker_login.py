"""Log in to the sink's broker with the settings DeepStream's adaptor will use; publish nothing.

The TCP check only proves something listens. These checks read the rendered broker config
(`[message-broker]` of `msg-broker-config`) and authenticate as the adaptor would:

- MQTT (`libnvds_mqtt_proto.so`): an MQTT v5 CONNECT (the adaptor always speaks v5) with
  username/password (`USER_MQTT`/`PASSWORD_MQTT` override them, as in the adaptor) and, with
  `enable-tls=1`, the CA file/dir and the client certificate and key; then DISCONNECT.
- AMQP (`libnvds_amqp_proto.so`): a connection with PLAIN credentials (RabbitMQ defaults
  guest/guest), then a *passive* declare of the configured exchange, which only asks whether
  it exists.
- Redis (`libnvds_redis_proto.so`): AUTH with the password, then PING.

Kafka is not logged in to (that would need a Kafka client); its TCP check stands alone.
Client libraries are imported lazily: without them the check is skipped. Passwords never
appear in a result (every message goes through `mask`).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

LOGIN_TIMEOUT = 3.0
MASK = "***"
INSTALL_HINT = "pip install 'alpr-gen[brokers]'"


class Login(NamedTuple):
    """ok: True logged in, False refused or failed, None not checked (no client library...)."""

    ok: bool | None
    message: str
    hint: str = ""


def protocol_of(proto_lib: str) -> str | None:
    """mqtt | amqp | redis | kafka from the adaptor's file name, None for any other adaptor."""
    name = Path(proto_lib).name.lower()
    for proto in ("amqp", "mqtt", "redis", "kafka"):
        if f"_{proto}_" in name or name.startswith(f"lib{proto}"):
            return proto
    return None


def mask(text: str, secrets: list[str | None]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def _why(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _fix(keys: str, field: str, cfg_name: str, site: str | None) -> str:
    """`keys`: broker-config keys, "a/b"; `field`: the site-profile field(s) they come from."""
    render = f"alpr-gen render --site {site}" if site else "alpr-gen render"
    shown = "/".join(f"`{k}=`" for k in keys.split("/"))
    env = (
        " (a password usually comes from an environment variable there, `${VAR}`: export it "
        "before rendering)"
        if "password" in keys
        else ""
    )
    fields = "/".join(f"`{f}`" for f in field.split("/"))
    return (
        f"fix {shown} in {cfg_name}, or {fields} in the site profile{env} and re-render "
        f"(`{render}`)"
    )


# --- MQTT --------------------------------------------------------------------------------------

# CONNACK reason codes (MQTT v5 section 3.2.2.2) that say what to fix.
_MQTT_CREDENTIALS = {0x86, 0x04}  # bad user name or password (v5, v3.1.1)
_MQTT_NOT_AUTHORISED = {0x87, 0x05, 0x85}  # not authorized, client identifier not valid


def mqtt_login(
    host: str,
    port: int,
    settings: Mapping[str, str],
    *,
    base_dir: Path,
    environ: Mapping[str, str] | None = None,
    timeout: float = LOGIN_TIMEOUT,
    cfg_name: str = "broker.txt",
    site: str | None = None,
) -> Login:
    try:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion
    except ImportError:
        return Login(None, "paho-mqtt not installed: MQTT login not checked", INSTALL_HINT)

    environ = environ or {}
    username = settings.get("username") or ""
    password = settings.get("password") or ""
    from_env = [var for var in ("USER_MQTT", "PASSWORD_MQTT") if environ.get(var) is not None]
    if "USER_MQTT" in from_env:
        username = environ["USER_MQTT"]
    if "PASSWORD_MQTT" in from_env:
        password = environ["PASSWORD_MQTT"]
    source = f" (from {', '.join(from_env)})" if from_env else ""
    secrets = [password]

    def result(ok: bool | None, message: str, hint: str = "") -> Login:
        return Login(ok, mask(message, secrets), mask(hint, secrets))

    # Never the configured client-id itself: a second client with the live pipeline's id would
    # make the broker drop the first. A suffix keeps prefix-based broker rules working.
    configured_id = settings.get("client-id") or ""
    client_id = f"{configured_id}-preflight" if configured_id else ""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, clean_session=None
    )
    client.connect_timeout = timeout
    user_fix = _fix("username/password", "messaging.username/messaging.password", cfg_name, site)
    if username or password:
        client.username_pw_set(username, password or None)

    tls = (settings.get("enable-tls") or "").startswith("1")
    if tls:
        files = {}
        for key in ("tls-cafile", "tls-capath", "tls-certfile", "tls-keyfile"):
            value = settings.get(key)
            if value:
                path = Path(value).expanduser()
                files[key] = path if path.is_absolute() else base_dir / path
        field = {
            "tls-cafile": "messaging.tls.ca_file",
            "tls-capath": "messaging.tls.ca_file",
            "tls-certfile": "messaging.tls.cert_file",
            "tls-keyfile": "messaging.tls.key_file",
        }
        if "tls-cafile" not in files and "tls-capath" not in files:
            return result(
                False,
                "enable-tls=1 but neither tls-cafile nor tls-capath is set "
                "(the adaptor refuses to connect)",
                _fix("tls-cafile", "messaging.tls.ca_file", cfg_name, site),
            )
        for key, path in files.items():
            if not path.exists():
                return result(
                    False, f"{key} {path}: not found", _fix(key, field[key], cfg_name, site)
                )
        try:
            ctx = ssl.create_default_context(
                cafile=str(files["tls-cafile"]) if "tls-cafile" in files else None,
                capath=str(files["tls-capath"]) if "tls-capath" in files else None,
            )
        except (ssl.SSLError, OSError) as exc:
            return result(
                False,
                f"cannot load the CA certificates ({_why(exc)})",
                _fix("tls-cafile", "messaging.tls.ca_file", cfg_name, site),
            )
        # The adaptor passes the client certificate only when both files are set.
        if "tls-certfile" in files and "tls-keyfile" in files:
            try:
                ctx.load_cert_chain(str(files["tls-certfile"]), str(files["tls-keyfile"]))
            except (ssl.SSLError, OSError) as exc:
                return result(
                    False,
                    f"cannot load the client certificate/key ({_why(exc)})",
                    _fix(
                        "tls-certfile/tls-keyfile",
                        "messaging.tls.cert_file/messaging.tls.key_file",
                        cfg_name,
                        site,
                    ),
                )
        # The handshake on its own socket first: paho leaks its socket when the handshake fails,
        # and this way a TLS problem is told apart from an MQTT one.
        try:
            with (
                socket.create_connection((host, port), timeout=timeout) as raw,
                ctx.wrap_socket(raw, server_hostname=host),
            ):
                pass
        except ssl.SSLError as exc:
            return result(
                False,
                f"TLS handshake with {host}:{port} failed ({_why(exc)})",
                "the broker's certificate must be signed by the CA in tls-cafile and name the "
                "host in msg-broker-conn-str; "
                + _fix("tls-cafile", "messaging.tls.ca_file", cfg_name, site),
            )
        except OSError as exc:
            return result(
                False,
                f"TLS connect to {host}:{port} failed ({_why(exc)})",
                "is this port the broker's TLS listener?",
            )
        client.tls_set_context(ctx)

    reply: dict[str, Any] = {}

    def on_connect(_c: Any, _u: Any, _flags: Any, reason_code: Any, _props: Any) -> None:
        reply["rc"] = reason_code

    client.on_connect = on_connect
    who = f"user {username!r}{source}" if username else f"no username{source}"
    via = "TLS" if tls else "TCP"
    keep_alive = settings.get("keep-alive") or "60"
    try:
        client.connect(host, port, keepalive=int(keep_alive) if keep_alive.isdigit() else 60)
        deadline = time.monotonic() + timeout
        while "rc" not in reply and time.monotonic() < deadline:
            rc = client.loop(timeout=0.1)
            if rc != mqtt.MQTT_ERR_SUCCESS:
                reply.setdefault("lost", mqtt.error_string(rc))
                break
    except ssl.SSLError as exc:
        return result(
            False,
            f"TLS handshake with {host}:{port} failed ({_why(exc)})",
            "the broker's certificate must be signed by the CA in tls-cafile and name the host "
            "in msg-broker-conn-str; "
            + _fix("tls-cafile", "messaging.tls.ca_file", cfg_name, site),
        )
    except (OSError, ValueError) as exc:
        hint = "is this port the broker's TLS listener?" if tls else ""
        if not tls and isinstance(exc, (ConnectionResetError, TimeoutError)):
            hint = "does this listener want TLS? set enable-tls=1 and tls-cafile"
        return result(False, f"connect to {host}:{port} failed ({_why(exc)})", hint)
    finally:
        with contextlib.suppress(Exception):
            if "rc" in reply and not reply["rc"].is_failure:
                client.disconnect()
                client.loop(timeout=0.1)
        with contextlib.suppress(Exception):
            sock = client.socket()
            if sock is not None:
                sock.close()

    rc = reply.get("rc")
    if rc is None:
        why = reply.get("lost") or f"no CONNACK within {timeout:g} s"
        return result(
            False,
            f"{host}:{port} ({via}) closed or did not answer the MQTT v5 CONNECT ({why})",
            "DeepStream's MQTT adaptor speaks MQTT v5 only: use a v5 broker "
            "(mosquitto >= 1.6); check that this port is MQTT"
            + ("" if tls else " and whether it wants TLS (enable-tls=1)"),
        )
    code = int(rc.value)
    if not rc.is_failure:
        return result(True, f"{host}:{port} ({via}): CONNACK success, {who}")
    text = f"{host}:{port} ({via}): CONNACK {code:#04x} {rc}, {who}"
    if code in _MQTT_CREDENTIALS:
        return result(False, f"{text}: bad credentials (username/password)", user_fix)
    if code in _MQTT_NOT_AUTHORISED:
        # mosquitto answers a wrong password with "Not authorized" (0x87), not 0x86.
        return result(
            False,
            f"{text}: not authorised (wrong credentials, i.e. username/password, or a client "
            "the broker refuses)",
            user_fix + "; if the credentials are right, check the broker's ACL / allowed "
            "client ids (client-id)",
        )
    return result(False, f"{text}: connection refused", "see the broker's log for why")


# --- AMQP --------------------------------------------------------------------------------------


def amqp_login(
    host: str,
    port: int,
    settings: Mapping[str, str],
    *,
    conn_username: str | None = None,
    timeout: float = LOGIN_TIMEOUT,
    cfg_name: str = "broker.txt",
    site: str | None = None,
) -> Login:
    try:
        import pika
        import pika.exceptions as pex
    except ImportError:
        return Login(None, "pika not installed: AMQP login not checked", INSTALL_HINT)

    # The adaptor's defaults: guest/guest, exchange amq.topic, vhost "/".
    username = settings.get("username") or conn_username or "guest"
    password = settings.get("password") or "guest"
    exchange = settings.get("exchange") or "amq.topic"
    secrets = [password]

    def result(ok: bool | None, message: str, hint: str = "") -> Login:
        return Login(ok, mask(message, secrets), mask(hint, secrets))

    params = pika.ConnectionParameters(
        host=host,
        port=port,
        virtual_host="/",
        credentials=pika.PlainCredentials(username, password, erase_on_connect=True),
        connection_attempts=1,
        retry_delay=0,
        socket_timeout=timeout,
        stack_timeout=timeout,
        blocked_connection_timeout=timeout,
        heartbeat=0,
    )
    user_fix = _fix("username/password", "messaging.username/messaging.password", cfg_name, site)
    try:
        conn = pika.BlockingConnection(params)
    except (pex.ProbableAuthenticationError, pex.AuthenticationError) as exc:
        return result(
            False,
            f"{host}:{port}: login refused for user {username!r} ({_why(exc)}): bad credentials",
            user_fix,
        )
    except pex.ProbableAccessDeniedError as exc:
        return result(
            False,
            f"{host}:{port}: user {username!r} may not use vhost '/' ({_why(exc)})",
            "give the user permissions on vhost / (rabbitmqctl set_permissions), or " + user_fix,
        )
    except (pex.AMQPError, OSError) as exc:
        return result(
            False,
            f"{host}:{port}: AMQP connection failed ({_why(exc)})",
            "check that this port is the broker's AMQP listener",
        )
    try:
        channel = conn.channel()
        try:
            if exchange:  # the default exchange "" always exists and cannot be declared
                channel.exchange_declare(exchange=exchange, passive=True)
        except pex.ChannelClosedByBroker as exc:
            if exc.reply_code == 404:
                return result(
                    False,
                    f"{host}:{port}: logged in as {username!r}, but exchange {exchange!r} does "
                    "not exist on vhost '/'",
                    f"create it (rabbitmqadmin declare exchange name={exchange} type=topic) or "
                    + _fix("exchange", "messaging.exchange", cfg_name, site),
                )
            if exc.reply_code == 403:
                return result(
                    False,
                    f"{host}:{port}: user {username!r} may not use exchange {exchange!r} "
                    f"({exc.reply_text})",
                    "grant the user configure/write permission on it (rabbitmqctl set_permissions)",
                )
            return result(False, f"{host}:{port}: exchange check failed ({_why(exc)})")
        return result(
            True, f"{host}:{port}: logged in as {username!r}, exchange {exchange!r} exists"
        )
    except (pex.AMQPError, OSError) as exc:
        return result(False, f"{host}:{port}: AMQP channel failed ({_why(exc)})")
    finally:
        with contextlib.suppress(Exception):
            conn.close()


# --- Redis -------------------------------------------------------------------------------------


def redis_login(
    host: str,
    port: int,
    settings: Mapping[str, str],
    *,
    timeout: float = LOGIN_TIMEOUT,
    cfg_name: str = "broker.txt",
    site: str | None = None,
) -> Login:
    try:
        import redis
        import redis.exceptions as rex
        from redis.backoff import NoBackoff
        from redis.retry import Retry
    except ImportError:
        return Login(None, "redis (redis-py) not installed: Redis login not checked", INSTALL_HINT)

    password = settings.get("password") or ""
    secrets = [password]

    def result(ok: bool | None, message: str, hint: str = "") -> Login:
        return Login(ok, mask(message, secrets), mask(hint, secrets))

    fix = _fix("password", "messaging.password", cfg_name, site)
    how = "AUTH + PING" if password else "PING (no password)"
    client = None
    try:
        # single_connection_client: one connection, made (and AUTHed) here.
        client = redis.Redis(
            host=host,
            port=port,
            password=password or None,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            protocol=2,
            single_connection_client=True,
            # One attempt: redis-py retries connection errors (AUTH failures included) by
            # default, which would send a wrong password four times.
            retry=Retry(NoBackoff(), 0),
        )
        client.ping()
    except rex.AuthenticationError as exc:
        text = str(exc)
        if "without any password configured" in text:
            return result(
                False,
                f"{host}:{port}: a password is set but the server has none configured "
                f"({_why(exc)})",
                "remove `password=` from the broker config (messaging.password), or set "
                "requirepass on the server",
            )
        if not password or "NOAUTH" in text.upper() or "required" in text.lower():
            return result(
                False,
                f"{host}:{port}: the server requires a password (NOAUTH) and none is set",
                fix,
            )
        return result(
            False, f"{host}:{port}: AUTH refused (WRONGPASS: wrong password) ({_why(exc)})", fix
        )
    except rex.ResponseError as exc:
        text = str(exc)
        if "without any password configured" in text or "no password is set" in text:
            return result(
                False,
                f"{host}:{port}: a password is set but the server has none configured "
                f"({_why(exc)})",
                "remove `password=` from the broker config (messaging.password), or set "
                "requirepass on the server",
            )
        if "NOAUTH" in text.upper():
            return result(False, f"{host}:{port}: the server requires a password (NOAUTH)", fix)
        if "WRONGPASS" in text.upper():
            return result(False, f"{host}:{port}: AUTH refused (WRONGPASS)", fix)
        return result(False, f"{host}:{port}: {how} failed ({_why(exc)})")
    except (rex.RedisError, OSError) as exc:
        return result(
            False,
            f"{host}:{port}: {how} failed ({_why(exc)})",
            "check that this port is a Redis server",
        )
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()
    return result(True, f"{host}:{port}: {how} ok")
