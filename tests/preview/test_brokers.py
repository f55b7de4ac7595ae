"""Messages from the preview backend reach real brokers (mosquitto, redis-server, rabbitmq-server,
Tansu for Kafka) as nvmsgconv builds them: the plate text, the sensor id, the track id, valid
against the schema of the set's DeepStream release. nvmsgconv puts no analytics in its payloads,
so the line crossing (and its direction) is checked on the same run's LineCrossed event, on the
same track id."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import jsonschema
import pytest

from alpr_gen.configset import load
from alpr_gen.deepstream.facts import BROKERS, PayloadType
from alpr_gen.errors import PreviewError
from alpr_gen.preview.payload_schema import schema_for

from .conftest import edit_group, one_stream, run_preview

pytestmark = [pytest.mark.slow, pytest.mark.brokers]

TOPIC = "alpr-events"
FRAMES = 66  # vehicle 1 crosses the line at frame 32; its plate is read at frame 58
PLATE = "046CME"


def add_sink(bundle: Path, kind: str, port: int, cfg: dict[str, str], payload: int) -> None:
    one_stream(bundle)
    edit_group(
        bundle / "deepstream_app.txt",
        "sink2",
        {
            "enable": "1",
            "type": "6",
            "msg-conv-config": "msgconv.txt",
            "msg-conv-payload-type": str(payload),
            "msg-conv-msg2p-new-api": "1",
            "msg-conv-frame-interval": "1",
            "msg-broker-proto-lib": BROKERS[kind].adaptor_path,
            "msg-broker-conn-str": f"127.0.0.1;{port}",
            "topic": TOPIC,
            "msg-broker-config": "broker.txt",
        },
    )
    (bundle / "broker.txt").write_text(
        "[message-broker]\n" + "".join(f"{k}={v}\n" for k, v in cfg.items())
    )


def check_run(bundle: Path, payloads: list[dict[str, object]], payload_type: int) -> None:
    """What the broker got, against what the same run saw."""
    cs = load(bundle)
    schema = schema_for(cs.deepstream, payload_type)
    for p in payloads:
        jsonschema.validate(p, schema)


def run_and_check(bundle: Path, receive, payload_type: int = PayloadType.FULL) -> None:  # type: ignore[no-untyped-def]
    run = run_preview(bundle, max_frames=FRAMES)
    assert run.code == 0
    reads = [r for r in run.reads if r.text == PLATE]
    assert reads, f"the plate was not read: {run.reads}"
    track = reads[0].track_id
    crossing = run.crossings[0]
    assert crossing.label == "vehicle" and crossing.direction == (0.0, 200.0)
    assert crossing.motion[1] > 0  # moving down the picture, the configured direction
    payloads = receive(run.summary.published)
    assert len(payloads) == run.summary.published > 0 and run.summary.publish_failed == 0
    check_run(bundle, payloads, payload_type)
    if payload_type == PayloadType.FULL:
        plates = [p for p in payloads if p["object"].get("plate", {}).get("licenseplate") == PLATE]
        assert plates and all(p["object"]["id"] == str(track) for p in plates)
        assert all(p["sensor"]["id"] == "demo-a" for p in plates)
        vehicles = {p["object"]["id"] for p in payloads if "vehicle" in p["object"]}
        assert str(crossing.track_id) in vehicles
    else:
        objs = [o for p in payloads for o in p["objects"]]
        assert any(o.startswith(f"{track}|") and f"|plate|#|{PLATE}|" in o for o in objs)
        assert all(p["sensorId"] == "demo-a" for p in payloads)


def test_mqtt(bundle: Path, mosquitto) -> None:  # type: ignore[no-untyped-def]
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    add_sink(bundle, "mqtt", mosquitto.port, {}, PayloadType.FULL)
    got: list[dict[str, object]] = []
    ready = threading.Event()
    client = paho.Client(CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, m: got.append(json.loads(m.payload))
    client.on_subscribe = lambda *_a: ready.set()
    client.on_connect = lambda c, *_a: c.subscribe(TOPIC, qos=1)
    client.connect("127.0.0.1", mosquitto.port)
    client.loop_start()
    try:
        assert ready.wait(5)

        def receive(n: int) -> list[dict[str, object]]:
            deadline = time.monotonic() + 10
            while len(got) < n and time.monotonic() < deadline:
                time.sleep(0.05)
            return list(got)

        run_and_check(bundle, receive)
    finally:
        client.disconnect()
        client.loop_stop()


def test_redis_minimal_payload(bundle: Path, redis) -> None:  # type: ignore[no-untyped-def]
    import redis as redis_py

    add_sink(bundle, "redis", redis.port, {}, PayloadType.MINIMAL)

    def receive(_n: int) -> list[dict[str, object]]:
        r = redis_py.Redis(host="127.0.0.1", port=redis.port)
        entries = r.xrange(TOPIC)
        return [json.loads(next(iter(fields.values()))) for _id, fields in entries]

    run_and_check(bundle, receive, PayloadType.MINIMAL)


def test_amqp(bundle: Path, rabbitmq_module) -> None:  # type: ignore[no-untyped-def]
    import pika

    port = rabbitmq_module.port
    add_sink(bundle, "amqp", port, {"username": "guest", "password": "guest",
                                    "exchange": "amq.topic"}, PayloadType.FULL)  # fmt: skip
    conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port))
    ch = conn.channel()
    queue = ch.queue_declare("", exclusive=True).method.queue
    ch.queue_bind(queue, "amq.topic", routing_key=TOPIC)
    try:

        def receive(n: int) -> list[dict[str, object]]:
            out: list[dict[str, object]] = []
            deadline = time.monotonic() + 10
            while len(out) < n and time.monotonic() < deadline:
                _m, _p, body = ch.basic_get(queue, auto_ack=True)
                if body is not None:
                    out.append(json.loads(body))
            return out

        run_and_check(bundle, receive)
    finally:
        conn.close()


def test_kafka(bundle: Path, tansu) -> None:  # type: ignore[no-untyped-def]
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    add_sink(bundle, "kafka", tansu.port, {"partition-key": "sensor.id"}, PayloadType.FULL)

    def receive(n: int) -> list[dict[str, object]]:
        consumer = Consumer({"bootstrap.servers": f"127.0.0.1:{tansu.port}", "group.id": "t",
                             "enable.auto.commit": False})  # fmt: skip
        try:
            parts = consumer.list_topics(TOPIC, timeout=5).topics[TOPIC].partitions
            consumer.assign([TopicPartition(TOPIC, p, OFFSET_BEGINNING) for p in parts])
            out: list[dict[str, object]] = []
            deadline = time.monotonic() + 15
            while len(out) < n and time.monotonic() < deadline:
                msg = consumer.poll(0.2)
                if msg is not None and msg.error() is None:
                    out.append(json.loads(msg.value()))
            return out
        finally:
            consumer.close()

    run_and_check(bundle, receive)


def test_refused_login_stops_before_the_first_frame(bundle: Path, mosquitto_auth) -> None:  # type: ignore[no-untyped-def]
    add_sink(bundle, "mqtt", mosquitto_auth.port, {"username": "alpr", "password": "wrong"},
             PayloadType.FULL)  # fmt: skip
    t0 = time.monotonic()
    with pytest.raises(PreviewError) as err:
        run_preview(bundle, max_frames=FRAMES)
    assert time.monotonic() - t0 < 30
    assert "[sink2]" in err.value.message and "wrong" not in str(err.value)


def test_events_file_instead_of_the_broker(bundle: Path, tmp_path: Path) -> None:
    add_sink(bundle, "mqtt", 1, {}, PayloadType.FULL)  # nothing listens on port 1: not used
    events = tmp_path / "events.jsonl"
    run = run_preview(bundle, max_frames=FRAMES, events=events)
    lines = [json.loads(x) for x in events.read_text().splitlines()]
    kinds = {x["kind"] for x in lines}
    assert kinds == {"message", "plate", "line-crossing", "summary"}
    messages = [x for x in lines if x["kind"] == "message"]
    assert len(messages) == run.summary.written > 0 and run.summary.published == 0
    schema = schema_for(load(bundle).deepstream, PayloadType.FULL)
    for m in messages:
        assert m["sink"] == "sink2"
        jsonschema.validate(m["payload"], schema)
    crossing = next(x for x in lines if x["kind"] == "line-crossing")
    assert crossing["direction"] == [0.0, 200.0] and crossing["motion"][1] > 0
    assert lines[-1]["kind"] == "summary" and lines[-1]["frames"] == FRAMES
