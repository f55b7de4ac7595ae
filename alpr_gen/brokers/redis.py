"""Redis Streams as libnvds_redis_proto.so uses them (redis-py): login and publish.

The adaptor (nvds_redis_client.cpp) connects to the conn-str's host;port (the cfg's
hostname/port when the conn-str is empty), sends `AUTH <password>` when a password is set
(PASSWORD_REDIS overrides the cfg's), then PING. Each message is
`XADD <topic> [MAXLEN ~ <streamsize>] * <payloadkey> <payload>`: the stream key is the sink's
topic, the field `payloadkey` ("metadata" by default), approximate trimming when `streamsize`
is set.
"""

from __future__ import annotations

import contextlib
import re
from types import ModuleType
from typing import TYPE_CHECKING

from alpr_gen.brokers.base import INSTALL_HINT, BrokerSettings, LoginResult, LoginStatus, why
from alpr_gen.brokers.publish import Publisher, require_topic, start_error
from alpr_gen.deepstream.facts import REDIS_DEFAULT_PAYLOAD_KEY

if TYPE_CHECKING:
    import redis as redis_py

_NO_SERVER_PASSWORD = ("without any password configured", "no password is set")


def _client_module() -> ModuleType | None:
    try:
        import redis as lib
        import redis.backoff
        import redis.exceptions
        import redis.retry  # submodules, used through `lib`
    except ImportError:
        return None
    return lib


def _skipped(settings: BrokerSettings) -> LoginResult:
    return settings.result(
        LoginStatus.SKIPPED,
        "redis (redis-py) not installed: Redis login not checked",
        INSTALL_HINT,
    )


def payload_key_of(settings: BrokerSettings) -> str:
    return settings.value("payloadkey", REDIS_DEFAULT_PAYLOAD_KEY)


def _config_problem(settings: BrokerSettings) -> LoginResult | None:
    """What the adaptor would get wrong before the server sees anything."""
    password = settings.password
    # redisCommand(c, ("AUTH " + password).c_str()) uses the password as a printf-style
    # format: spaces split it into more arguments and '%' starts a conversion.
    if re.search(r"[\s%]", password):
        return settings.result(
            LoginStatus.INVALID,
            f"{settings.endpoint}: the password contains a space or '%': the Redis adaptor "
            "sends `AUTH <password>` through hiredis's format string, so the server would get "
            "a different password",
            "use a password without spaces and '%' (server requirepass and "
            + settings.fix_credentials("password")
            + ")",
            "password",
        )
    size = settings.value("streamsize").strip()
    if size and not size.isdigit():
        return settings.result(
            LoginStatus.INVALID,
            f"streamsize={size!r} is not a number: every XADD would be refused",
            settings.fix("streamsize"),
            "streamsize",
        )
    return None


def _client(lib: ModuleType, settings: BrokerSettings, timeout: float) -> redis_py.Redis:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client: redis_py.Redis = lib.Redis(
        host=settings.host,
        port=settings.port,
        password=settings.password or None,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        protocol=2,
        # One attempt: redis-py retries connection errors (AUTH failures included) by
        # default, which would send a wrong password four times.
        retry=Retry(NoBackoff(), 0),
    )
    return client


def _auth_failed(settings: BrokerSettings, text: str, err: str) -> LoginResult:
    where, fix = settings.endpoint, settings.fix_credentials("password")
    if any(t in text for t in _NO_SERVER_PASSWORD):
        return settings.result(
            LoginStatus.REFUSED,
            f"{where}: a password is set but the server has none configured ({err})",
            "remove `password=` from the broker config (messaging.password), or set "
            "requirepass on the server",
            "password",
        )
    if "NOAUTH" in text.upper() or (not settings.password and "required" in text.lower()):
        return settings.result(
            LoginStatus.REFUSED,
            f"{where}: the server requires a password (NOAUTH) and none is set",
            fix,
            "password",
        )
    return settings.result(
        LoginStatus.REFUSED,
        f"{where}: AUTH refused (WRONGPASS: wrong password) ({err})",
        fix,
        "password",
    )


def _ping(lib: ModuleType, settings: BrokerSettings, client: redis_py.Redis) -> LoginResult:
    rex = lib.exceptions
    how = "AUTH + PING" if settings.password else "PING (no password)"
    where = settings.endpoint
    try:
        client.ping()
    except rex.AuthenticationError as exc:
        return _auth_failed(settings, str(exc), why(exc))
    except rex.ResponseError as exc:
        text = str(exc)
        if (
            "NOAUTH" in text.upper()
            or "WRONGPASS" in text.upper()
            or any(t in text for t in _NO_SERVER_PASSWORD)
        ):
            return _auth_failed(settings, text, why(exc))
        return settings.result(LoginStatus.REFUSED, f"{where}: {how} failed ({why(exc)})")
    except (rex.RedisError, OSError) as exc:
        return settings.result(
            LoginStatus.UNREACHABLE,
            f"{where}: {how} failed ({why(exc)})",
            "check that this port is a Redis server",
        )
    return settings.result(LoginStatus.OK, f"{where}: {how} ok")


def _open(
    lib: ModuleType, settings: BrokerSettings, timeout: float
) -> tuple[LoginResult, redis_py.Redis | None]:
    problem = _config_problem(settings)
    if problem is not None:
        return problem, None
    client = _client(lib, settings, timeout)
    result = _ping(lib, settings, client)
    if not result.ok:
        with contextlib.suppress(Exception):
            client.close()
        return result, None
    return result, client


def login(settings: BrokerSettings, timeout: float) -> LoginResult:
    """AUTH (when a password is set) and PING, one attempt; nothing written."""
    lib = _client_module()
    if lib is None:
        return _skipped(settings)
    result, client = _open(lib, settings, timeout)
    if client is not None:
        with contextlib.suppress(Exception):
            client.close()
    return result


class RedisPublisher(Publisher):
    """XADD per message, synchronously (the adaptor's do_work sends its queue the same way).
    A dropped connection is re-made by redis-py's pool on the next command."""

    def __init__(self, settings: BrokerSettings, client: redis_py.Redis) -> None:
        super().__init__(settings)
        self._client = client
        self.stream = settings.topic
        self.field = payload_key_of(settings)
        size = settings.value("streamsize").strip()
        self.maxlen = int(size) if size else None

    @classmethod
    def connect(cls, settings: BrokerSettings, timeout: float) -> RedisPublisher:
        require_topic(settings)
        lib = _client_module()
        if lib is None:
            raise start_error(_skipped(settings))
        result, client = _open(lib, settings, timeout)
        if client is None:
            raise start_error(result)
        return cls(settings, client)

    def _send(self, data: bytes, key: str | None) -> bool | None:
        self._client.xadd(self.stream, {self.field: data}, maxlen=self.maxlen, approximate=True)
        return True

    def _close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.close()
