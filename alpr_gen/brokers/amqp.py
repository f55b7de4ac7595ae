"""AMQP 0-9-1 as libnvds_amqp_proto.so speaks it (pika): login and publish.

The adaptor (amqp_client.cpp) logs in with SASL PLAIN on vhost "/" with frame size
`amqp-framesize` (131072) and heartbeat `amqp-heartbeat` (0), and never declares anything. It
publishes with amqp_basic_publish(channel 1, exchange = `exchange` (amq.topic), routing key =
the sink's topic (when set and shorter than 512 bytes, else the cfg's `topic`, else
"deepstream_topic"), mandatory=0, immediate=0, content_type "text/plain", delivery_mode 2
(persistent), body = amqp_cstring_bytes(payload): the payload up to its first NUL byte).
"""

from __future__ import annotations

import contextlib
import time
from types import ModuleType
from typing import TYPE_CHECKING

from alpr_gen.brokers.base import INSTALL_HINT, BrokerSettings, LoginResult, LoginStatus, why
from alpr_gen.brokers.publish import Publisher, start_error
from alpr_gen.deepstream import facts

if TYPE_CHECKING:
    import pika
    from pika.adapters.blocking_connection import BlockingChannel


def _pika() -> ModuleType | None:
    try:
        import pika as lib
        import pika.exceptions  # the submodule, used through `lib`
    except ImportError:
        return None
    module: ModuleType = lib  # pika ships no type hints
    return module


def _skipped(settings: BrokerSettings) -> LoginResult:
    return settings.result(
        LoginStatus.SKIPPED, "pika not installed: AMQP login not checked", INSTALL_HINT
    )


def exchange_of(settings: BrokerSettings) -> str:
    return settings.value("exchange", facts.AMQP_DEFAULT_EXCHANGE)


def routing_key_of(settings: BrokerSettings) -> str:
    """The sink's topic, unless empty or too long for the adaptor's buffer."""
    topic = settings.topic
    if topic and len(topic.encode()) <= facts.AMQP_MAX_TOPIC:
        return topic
    return settings.value("topic", facts.AMQP_DEFAULT_TOPIC)


def body_of(data: bytes) -> bytes:
    """amqp_cstring_bytes(payload): the adaptor sends the payload as a C string."""
    return data.split(b"\0", 1)[0]


def _int(settings: BrokerSettings, key: str, default: int) -> int:
    value = settings.value(key).strip()
    return int(value) if value.lstrip("-").isdigit() else default


def _parameters(
    lib: ModuleType, settings: BrokerSettings, timeout: float
) -> pika.ConnectionParameters:
    # pika accepts frames of 4096..131072 bytes; the adaptor's default is the maximum.
    frame = _int(settings, "amqp-framesize", facts.AMQP_DEFAULT_FRAME_SIZE)
    frame = min(max(frame, lib.spec.FRAME_MIN_SIZE), lib.spec.FRAME_MAX_SIZE)
    return lib.ConnectionParameters(
        host=settings.host,
        port=settings.port,
        virtual_host=facts.AMQP_VHOST,
        credentials=lib.PlainCredentials(
            settings.credentials.username or "", settings.password, erase_on_connect=True
        ),
        frame_max=frame,
        heartbeat=max(0, _int(settings, "amqp-heartbeat", facts.AMQP_DEFAULT_HEARTBEAT)),
        connection_attempts=1,
        retry_delay=0,
        socket_timeout=timeout,
        stack_timeout=timeout,
        blocked_connection_timeout=timeout,
    )


def _connect(
    lib: ModuleType, settings: BrokerSettings, timeout: float
) -> tuple[LoginResult, pika.BlockingConnection | None]:
    pex = lib.exceptions
    where = settings.endpoint
    user = settings.credentials.username
    creds = settings.credentials
    if creds.problem:
        return settings.result(
            LoginStatus.INVALID,
            f"{where}: {creds.problem}",
            settings.fix("username", "password"),
            "username/password",
        ), None
    try:
        conn = lib.BlockingConnection(_parameters(lib, settings, timeout))
    except (pex.ProbableAuthenticationError, pex.AuthenticationError) as exc:
        return settings.result(
            LoginStatus.REFUSED,
            f"{where}: login refused for user {user!r} ({why(exc)}): bad credentials",
            settings.fix_credentials("username", "password"),
            "username/password",
        ), None
    except pex.ProbableAccessDeniedError as exc:
        return settings.result(
            LoginStatus.REFUSED,
            f"{where}: user {user!r} may not use vhost '/' ({why(exc)})",
            "give the user permissions on vhost / (rabbitmqctl set_permissions), or "
            + settings.fix_credentials("username", "password"),
            "username",
        ), None
    except (pex.AMQPError, OSError) as exc:
        return settings.result(
            LoginStatus.UNREACHABLE,
            f"{where}: AMQP connection failed ({why(exc)})",
            "check that this port is the broker's AMQP listener",
        ), None
    return settings.result(LoginStatus.OK, f"{where}: logged in as {user!r}"), conn


def _check_exchange(
    lib: ModuleType, settings: BrokerSettings, conn: pika.BlockingConnection
) -> tuple[LoginResult, BlockingChannel | None]:
    """A passive declare only asks whether the exchange exists (it creates nothing)."""
    pex = lib.exceptions
    where, user, exchange = settings.endpoint, settings.credentials.username, exchange_of(settings)
    try:
        channel = conn.channel()
        if exchange:  # the default exchange "" always exists and cannot be declared
            channel.exchange_declare(exchange=exchange, passive=True)
    except pex.ChannelClosedByBroker as exc:
        if exc.reply_code == 404:
            return settings.result(
                LoginStatus.INVALID,
                f"{where}: logged in as {user!r}, but exchange {exchange!r} does not exist on "
                "vhost '/'",
                f"create it (rabbitmqadmin declare exchange name={exchange} type=topic) or "
                + settings.fix("exchange"),
                "exchange",
            ), None
        if exc.reply_code == 403:
            return settings.result(
                LoginStatus.REFUSED,
                f"{where}: user {user!r} may not use exchange {exchange!r} ({exc.reply_text})",
                "grant the user configure/write permission on it (rabbitmqctl set_permissions)",
                "username",
            ), None
        return settings.result(
            LoginStatus.UNREACHABLE, f"{where}: exchange check failed ({why(exc)})"
        ), None
    except (pex.AMQPError, OSError) as exc:
        return settings.result(
            LoginStatus.UNREACHABLE, f"{where}: AMQP channel failed ({why(exc)})"
        ), None
    return settings.result(
        LoginStatus.OK, f"{where}: logged in as {user!r}, exchange {exchange!r} exists"
    ), channel


def _open(
    lib: ModuleType, settings: BrokerSettings, timeout: float
) -> tuple[LoginResult, pika.BlockingConnection | None, BlockingChannel | None]:
    result, conn = _connect(lib, settings, timeout)
    if conn is None:
        return result, None, None
    result, channel = _check_exchange(lib, settings, conn)
    if channel is None:
        with contextlib.suppress(Exception):
            conn.close()
        return result, None, None
    return result, conn, channel


def login(settings: BrokerSettings, timeout: float) -> LoginResult:
    """Log in as the adaptor would and ask whether the exchange exists; publish nothing."""
    lib = _pika()
    if lib is None:
        return _skipped(settings)
    result, conn, _channel = _open(lib, settings, timeout)
    if conn is not None:
        with contextlib.suppress(Exception):
            conn.close()
    return result


class AmqpPublisher(Publisher):
    """Publishes synchronously, like the adaptor's do_work; reconnects at most once a second
    after the connection drops (pika does not on its own)."""

    def __init__(
        self,
        settings: BrokerSettings,
        lib: ModuleType,
        conn: pika.BlockingConnection,
        channel: BlockingChannel,
        timeout: float,
    ) -> None:
        super().__init__(settings)
        self._lib = lib
        self._conn: pika.BlockingConnection | None = conn
        self._channel: BlockingChannel | None = channel
        self._timeout = timeout
        self._last_attempt = 0.0
        self.exchange = exchange_of(settings)
        self.routing_key = routing_key_of(settings)
        self._properties = lib.BasicProperties(content_type="text/plain", delivery_mode=2)

    @classmethod
    def connect(cls, settings: BrokerSettings, timeout: float) -> AmqpPublisher:
        lib = _pika()
        if lib is None:
            raise start_error(_skipped(settings))
        result, conn, channel = _open(lib, settings, timeout)
        if conn is None or channel is None:
            raise start_error(result)
        return cls(settings, lib, conn, channel, timeout)

    def _ready_channel(self) -> BlockingChannel | None:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        if time.monotonic() - self._last_attempt < 1.0:
            return None
        self._last_attempt = time.monotonic()
        self._close()
        result, self._conn, self._channel = _open(self._lib, self.settings, self._timeout)
        if self._channel is None:
            self._note(f"reconnect failed: {result.message}")
        return self._channel

    def _send(self, data: bytes, key: str | None) -> bool | None:
        channel = self._ready_channel()
        if channel is None:
            self._note(self._last_error or "not connected")
            return False
        channel.basic_publish(
            self.exchange,
            self.routing_key,
            body_of(data),
            properties=self._properties,
            mandatory=False,
        )
        return True

    def _flush(self, timeout: float) -> None:
        if self._conn is not None and self._conn.is_open:
            self._conn.process_data_events(0)  # surfaces a channel the broker closed

    def _close(self) -> None:
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
