"""AMQP login and publish against a real rabbitmq-server on loopback (one for the module).

What the adaptor does is in amqp_client.cpp (DeepStream 7.1): PLAIN login on vhost "/",
USER_AMQP / PASSWORD_AMQP over the cfg, basic_publish to `exchange` (amq.topic) with the sink's
topic as routing key, content type text/plain, delivery mode 2, the payload as a C string.
A queue bound to the exchange reads back what was published.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from alpr_gen.brokers import LoginStatus, login, open_publisher
from alpr_gen.errors import BrokerError

from .servers import RunningBroker, assert_no_secret, closed_port, settings_for

pytestmark = [pytest.mark.brokers, pytest.mark.slow]
pika = pytest.importorskip("pika")
WRONG = "not-the-pw-42"
GUEST = {"username": "guest", "password": "guest"}


@pytest.fixture
def channel(rabbitmq_module: RunningBroker) -> Iterator[object]:
    """A consumer's own connection (guest/guest)."""
    conn = pika.BlockingConnection(
        pika.ConnectionParameters("127.0.0.1", rabbitmq_module.port,
                                  credentials=pika.PlainCredentials("guest", "guest"))
    )  # fmt: skip
    try:
        yield conn.channel()
    finally:
        conn.close()


def bound_queue(ch: object, exchange: str, routing_key: str) -> str:
    name = ch.queue_declare("", exclusive=True).method.queue  # type: ignore[attr-defined]
    ch.queue_bind(name, exchange, routing_key=routing_key)  # type: ignore[attr-defined]
    return str(name)


def drain(ch: object, queue: str, n: int) -> list[tuple[object, object, bytes]]:
    out = []
    for _ in range(50):
        method, props, body = ch.basic_get(queue, auto_ack=True)  # type: ignore[attr-defined]
        if method is None:
            if len(out) >= n:
                break
            ch.connection.sleep(0.05)  # type: ignore[attr-defined]
            continue
        out.append((method, props, body))
    return out


# --- login -------------------------------------------------------------------------------------


def test_login_ok_wrong_password_unreachable(rabbitmq_module: RunningBroker) -> None:
    ok = login(settings_for("amqp", rabbitmq_module.port, GUEST))
    assert ok.status is LoginStatus.OK and "'amq.topic' exists" in ok.message, ok
    bad = login(
        settings_for("amqp", rabbitmq_module.port, {"username": "guest", "password": WRONG})
    )
    assert bad.status is LoginStatus.REFUSED and bad.credential == "username/password", bad
    assert "credentials" in bad.message and "messaging.password" in bad.hint
    down = login(
        settings_for("amqp", closed_port(), {"username": "u", "password": WRONG}), timeout=1
    )
    assert down.status is LoginStatus.UNREACHABLE, down
    assert_no_secret(ok, secrets=("guest",))  # masked even where it equals the user name
    assert_no_secret(bad, down, secrets=(WRONG,))


def test_missing_credentials_are_invalid_and_the_environment_fills_them(
    rabbitmq_module: RunningBroker,
) -> None:
    # No guest/guest default in the adaptor: it does not connect at all.
    res = login(settings_for("amqp", rabbitmq_module.port, {}))
    assert res.status is LoginStatus.INVALID and "PASSWORD_AMQP" in res.message, res
    env = {"USER_AMQP": "guest", "PASSWORD_AMQP": "guest"}
    res = login(settings_for("amqp", rabbitmq_module.port, {}, environ=env))
    assert res.ok, res
    res = login(settings_for("amqp", rabbitmq_module.port, GUEST, environ={"PASSWORD_AMQP": WRONG}))
    assert res.status is LoginStatus.REFUSED and "`PASSWORD_AMQP`" in res.hint, res
    assert_no_secret(res, secrets=(WRONG,))


# --- publish -----------------------------------------------------------------------------------


def test_publish_to_amq_topic_with_the_sink_topic_as_routing_key(
    rabbitmq_module: RunningBroker, channel: object
) -> None:
    queue = bound_queue(channel, "amq.topic", "alpr.site1")
    payloads = [b'{"plate":"AB123CD"}', '{"plate":"ZZ9"}', b"cut\x00after-nul"]
    with open_publisher(
        settings_for("amqp", rabbitmq_module.port, GUEST, topic="alpr.site1")
    ) as pub:
        assert all(pub.send(p) for p in payloads)
        stats = pub.flush()
    got = drain(channel, queue, 3)
    assert (stats.sent, stats.failed) == (3, 0)
    # amqp_cstring_bytes: the body ends at the first NUL byte.
    assert [body for _m, _p, body in got] == [b'{"plate":"AB123CD"}', b'{"plate":"ZZ9"}', b"cut"]
    for method, props, _body in got:
        assert (method.exchange, method.routing_key) == ("amq.topic", "alpr.site1")  # type: ignore[attr-defined]
        assert props.content_type == "text/plain" and props.delivery_mode == 2  # type: ignore[attr-defined]


def test_cfg_exchange_and_topic_fallback(rabbitmq_module: RunningBroker, channel: object) -> None:
    channel.exchange_declare("alpr-x", exchange_type="topic")  # type: ignore[attr-defined]
    try:
        cfg_queue = bound_queue(channel, "alpr-x", "cfg.topic")
        default_queue = bound_queue(channel, "alpr-x", "deepstream_topic")
        cfg = {**GUEST, "exchange": "alpr-x", "topic": "cfg.topic"}
        # The sink names no topic: the cfg's topic is the routing key, else deepstream_topic.
        with open_publisher(settings_for("amqp", rabbitmq_module.port, cfg, topic="")) as pub:
            pub.send(b"one")
        with open_publisher(settings_for("amqp", rabbitmq_module.port, {**GUEST, "exchange": "alpr-x"},
                                         topic="")) as pub:  # fmt: skip
            pub.send(b"two")
        assert [b for *_x, b in drain(channel, cfg_queue, 1)] == [b"one"]
        assert [b for *_x, b in drain(channel, default_queue, 1)] == [b"two"]
    finally:
        channel.exchange_delete("alpr-x")  # type: ignore[attr-defined]


def test_publisher_start_errors(rabbitmq_module: RunningBroker) -> None:
    with pytest.raises(BrokerError) as err:
        open_publisher(
            settings_for("amqp", rabbitmq_module.port, {**GUEST, "exchange": "alpr-nope"})
        )
    assert "exchange 'alpr-nope' does not exist" in err.value.message
    assert "messaging.exchange" in str(err.value)
    with pytest.raises(BrokerError) as err:
        open_publisher(
            settings_for("amqp", rabbitmq_module.port, {"username": "guest", "password": WRONG})
        )
    assert "credentials" in err.value.message
    assert_no_secret(err.value, secrets=(WRONG,))
