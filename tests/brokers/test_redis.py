"""Redis login and publish against real redis-server instances on loopback.

What the adaptor does is in nvds_redis_client.cpp (DeepStream 7.1): `AUTH <password>`
(PASSWORD_REDIS over the cfg), PING, then per message
`XADD <topic> [MAXLEN ~ <streamsize>] * <payloadkey> <payload>`. XRANGE reads it back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alpr_gen.brokers import LoginStatus, login, open_publisher
from alpr_gen.errors import BrokerError

from .servers import (
    REDIS_PASSWORD,
    RunningBroker,
    assert_no_secret,
    closed_port,
    settings_for,
    start_redis,
    stop_broker,
)

pytestmark = pytest.mark.brokers
redis_py = pytest.importorskip("redis")
WRONG = "not-the-pw-42"


def reader(port: int, password: str | None = None) -> object:
    return redis_py.Redis(host="127.0.0.1", port=port, password=password)


# --- login -------------------------------------------------------------------------------------


def test_login_ok_wrong_password_unreachable(redis_auth: RunningBroker) -> None:
    ok = login(settings_for("redis", redis_auth.port, {"password": REDIS_PASSWORD}))
    assert ok.status is LoginStatus.OK and "AUTH + PING ok" in ok.message, ok
    bad = login(settings_for("redis", redis_auth.port, {"password": WRONG}))
    assert bad.status is LoginStatus.REFUSED and bad.credential == "password", bad
    assert "WRONGPASS" in bad.message and "messaging.password" in bad.hint
    down = login(settings_for("redis", closed_port(), {"password": WRONG}), timeout=1)
    assert down.status is LoginStatus.UNREACHABLE, down
    assert_no_secret(ok, bad, down, secrets=(REDIS_PASSWORD, WRONG))


def test_password_redis_overrides_the_cfg(redis_auth: RunningBroker) -> None:
    s = settings_for("redis", redis_auth.port, {"password": WRONG},
                     environ={"PASSWORD_REDIS": REDIS_PASSWORD})  # fmt: skip
    assert login(s).ok
    s = settings_for("redis", redis_auth.port, {"password": REDIS_PASSWORD},
                     environ={"PASSWORD_REDIS": WRONG})  # fmt: skip
    res = login(s)
    assert res.status is LoginStatus.REFUSED and "`PASSWORD_REDIS`" in res.hint, res
    assert_no_secret(res, secrets=(WRONG, REDIS_PASSWORD))


def test_configs_the_adaptor_would_mangle_are_invalid(redis: RunningBroker) -> None:
    # hiredis formats "AUTH <password>" printf-style: a space splits it into two arguments.
    res = login(settings_for("redis", redis.port, {"password": "two words"}))
    assert res.status is LoginStatus.INVALID and res.credential == "password", res
    assert_no_secret(res, secrets=("two words",))
    res = login(settings_for("redis", redis.port, {"streamsize": "many"}))
    assert res.status is LoginStatus.INVALID and res.credential == "streamsize", res


# --- publish -----------------------------------------------------------------------------------


def test_xadd_to_the_topic_stream_under_the_payload_key(redis_auth: RunningBroker) -> None:
    payloads = [b'{"plate":"AB123CD"}', '{"plate":"ZZ9"}', b"\x00bin\xff"]
    s = settings_for("redis", redis_auth.port, {"password": REDIS_PASSWORD}, topic="alpr:events")
    with open_publisher(s) as pub:
        assert all(pub.send(p) for p in payloads)
    assert (pub.stats.sent, pub.stats.failed) == (3, 0)
    entries = reader(redis_auth.port, REDIS_PASSWORD).xrange("alpr:events")  # type: ignore[attr-defined]
    assert [fields for _id, fields in entries] == [
        {b"metadata": b'{"plate":"AB123CD"}'},
        {b"metadata": b'{"plate":"ZZ9"}'},
        {b"metadata": b"\x00bin\xff"},
    ]
    # payloadkey names the field.
    s = settings_for("redis", redis_auth.port, {"password": REDIS_PASSWORD, "payloadkey": "event"},
                     topic="other")  # fmt: skip
    with open_publisher(s) as pub:
        pub.send(b"x")
    entries = reader(redis_auth.port, REDIS_PASSWORD).xrange("other")  # type: ignore[attr-defined]
    assert [fields for _id, fields in entries] == [{b"event": b"x"}]


def test_streamsize_trims_the_stream(tmp_path: Path) -> None:
    # One entry per stream node makes `MAXLEN ~` trimming exact enough to observe.
    server = start_redis(tmp_path, ["--stream-node-max-entries", "1"], "redis-trim")
    try:
        untrimmed = settings_for("redis", server.port, {}, topic="free")
        trimmed = settings_for("redis", server.port, {"streamsize": "3"}, topic="capped")
        for s in (untrimmed, trimmed):
            with open_publisher(s) as pub:
                for i in range(20):
                    pub.send(f"m{i}")
        r = reader(server.port)
        assert r.xlen("free") == 20  # type: ignore[attr-defined]
        capped = r.xrange("capped")  # type: ignore[attr-defined]
        assert 3 <= len(capped) < 20 and capped[-1][1] == {b"metadata": b"m19"}
    finally:
        stop_broker(server)


def test_publisher_start_errors_and_a_broker_that_goes_away(redis_auth: RunningBroker) -> None:
    with pytest.raises(BrokerError) as err:
        open_publisher(settings_for("redis", redis_auth.port, {"password": WRONG}))
    assert "WRONGPASS" in err.value.message
    assert_no_secret(err.value, secrets=(WRONG,))
    pub = open_publisher(settings_for("redis", redis_auth.port, {"password": REDIS_PASSWORD}))
    assert pub.send(b"before")
    stop_broker(redis_auth)
    assert pub.send(b"after") is False  # counted, not raised
    stats = pub.close()
    assert (stats.sent, stats.failed) == (1, 1) and stats.last_error, stats
    assert_no_secret(stats, secrets=(REDIS_PASSWORD,))
