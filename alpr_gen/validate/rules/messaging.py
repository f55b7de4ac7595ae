"""DS4xx: type-6 (msgconv + msgbroker) sinks, broker cfg and msgconv config."""

from __future__ import annotations

import re
from collections.abc import Iterator

from alpr_gen.configset import ConfigSet
from alpr_gen.configset.values import glib_int
from alpr_gen.deepstream.facts import broker_of_adaptor
from alpr_gen.deepstream.keyfile import Group
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, rule

E, W = Severity.ERROR, Severity.WARNING


def _msg_sinks(cs: ConfigSet) -> list[Group]:
    return [g for g in cs.enabled_sink_groups() if glib_int(g.get("type")) == 6]


def _adaptor(g: Group) -> str | None:
    return broker_of_adaptor(g.get("msg-broker-proto-lib") or "")


def _cfg_has(cs: ConfigSet, sink: Group, key: str) -> bool:
    src = cs.broker_files.get(sink.name)
    group = src.keyfile.group("message-broker") if src and src.keyfile else None
    return group is not None and bool(group.get(key))


@rule("DS401", E, "message sink without msg-broker-proto-lib")
def proto_lib(cs: ConfigSet) -> Iterator[Hit]:
    for g in _msg_sinks(cs):
        if not g.get("msg-broker-proto-lib"):
            yield hit(
                cs.app,
                g.line,
                g.name,
                "msg-broker-proto-lib",
                "type=6 sink without msg-broker-proto-lib: name the adaptor, e.g. "
                "/opt/nvidia/deepstream/deepstream/lib/libnvds_mqtt_proto.so",
            )


@rule("DS402", E, "message sink without a broker connection string")
def conn_str(cs: ConfigSet) -> Iterator[Hit]:
    for g in _msg_sinks(cs):
        adaptor = _adaptor(g)
        if g.get("msg-broker-conn-str") or adaptor is None:
            continue
        if adaptor in ("amqp", "redis") and _cfg_has(cs, g, "hostname"):
            continue  # these adaptors can take host/port from the cfg
        yield hit(
            cs.app,
            g.line,
            g.name,
            "msg-broker-conn-str",
            f"the {adaptor} adaptor needs msg-broker-conn-str=host;port",
        )


@rule("DS403", E, "message sink without a topic")
def topic(cs: ConfigSet) -> Iterator[Hit]:
    for g in _msg_sinks(cs):
        adaptor = _adaptor(g)
        if g.get("topic") or adaptor is None:
            continue
        if adaptor == "amqp" and _cfg_has(cs, g, "topic"):
            continue
        yield hit(
            cs.app,
            g.line,
            g.name,
            "topic",
            f"type=6 sink without topic: the {adaptor} adaptor has nowhere to send",
        )


@rule("DS404", E, "message sink without msg-conv-msg2p-new-api=1 (sends nothing)")
def new_api(cs: ConfigSet) -> Iterator[Hit]:
    for g in _msg_sinks(cs):
        if not glib_int(g.get("msg-conv-msg2p-new-api")) and not glib_int(g.get("disable-msgconv")):
            yield hit(
                cs.app,
                g.line_of("msg-conv-msg2p-new-api"),
                g.name,
                "msg-conv-msg2p-new-api",
                "deepstream-app attaches no event meta, so this sink sends nothing: "
                "set msg-conv-msg2p-new-api=1",
            )


@rule("DS405", E, "custom payload type without msg-conv-msg2p-lib")
def msg2p_lib(cs: ConfigSet) -> Iterator[Hit]:
    for g in _msg_sinks(cs):
        if glib_int(g.get("msg-conv-payload-type")) == 257 and not g.get("msg-conv-msg2p-lib"):
            yield hit(
                cs.app,
                g.line_of("msg-conv-payload-type"),
                g.name,
                "msg-conv-payload-type",
                "msg-conv-payload-type=257 (custom) needs msg-conv-msg2p-lib",
            )


@rule("DS406", E, "broker cfg without the [message-broker] header")
def broker_header(cs: ConfigSet) -> Iterator[Hit]:
    for src in cs.broker_files.values():
        if src.keyfile is not None and src.keyfile.group("message-broker") is None:
            line = src.keyfile.bad_lines[0][0] if src.keyfile.bad_lines else 1
            yield hit(
                src,
                line,
                None,
                None,
                "the adaptor reads only the [message-broker] group: add that header "
                "line above the keys",
            )


_SECTION = re.compile(r"(sensor|place|analytics)(\d+)")


@rule("DS407", E, "msgconv [sensorN]/[placeN]/[analyticsN] for a source that does not exist")
def msgconv_index(cs: ConfigSet) -> Iterator[Hit]:
    n = cs.num_streams
    for src in {s.rel: s for s in cs.msgconv_files.values()}.values():
        if src.keyfile is None:
            continue
        for group in src.keyfile.groups.values():
            m = _SECTION.fullmatch(group.name)
            if m and int(m[2]) >= n:
                yield hit(
                    src,
                    group.line,
                    group.name,
                    None,
                    f"[{group.name}]: N is a source index and there are {n} sources (0..{n - 1})",
                )


@rule("DS408", W, "OCR SGIE without classifier-type while messages are sent")
def plate_in_payload(cs: ConfigSet) -> Iterator[Hit]:
    if not _msg_sinks(cs):
        return
    for gie in cs.gies:
        if gie.enabled and gie.is_ocr and not gie.value("classifier-type"):
            prop = gie.property_group
            src, line = (gie.config, prop.line) if gie.config and prop else (cs.app, 0)
            yield hit(
                src,
                line,
                "property",
                "classifier-type",
                "the plate text reaches the payload only when the OCR SGIE sets "
                "classifier-type (e.g. classifier-type=licenseplate)",
            )


@rule("DS409", E, "msg-broker-conn-str that is not host;port")
def conn_str_format(cs: ConfigSet) -> Iterator[Hit]:
    for g in _msg_sinks(cs):
        value = g.get("msg-broker-conn-str")
        if not value:
            continue
        parts = value.split(";")
        ok = len(parts) >= 2 and parts[0].strip() and parts[1].strip().isdigit()
        if ok and not 0 < int(parts[1]) < 65536:
            ok = False
        if not ok:
            yield hit(
                cs.app,
                g.line_of("msg-broker-conn-str"),
                g.name,
                "msg-broker-conn-str",
                f"'{value}' is not host;port (e.g. localhost;1883)",
            )


# The field the Kafka adaptor hashes to pick a partition, per msgconv payload type.
_PARTITION_KEY = {"0": "sensor.id", "1": "sensorId"}


@rule("DS410", W, "Kafka partition-key that the payload schema does not have")
def partition_key(cs: ConfigSet) -> Iterator[Hit]:
    for g in _msg_sinks(cs):
        src = cs.broker_files.get(g.name)
        group = src.keyfile.group("message-broker") if src and src.keyfile else None
        payload = g.get("msg-conv-payload-type", "0") or "0"
        want = _PARTITION_KEY.get(payload)
        if _adaptor(g) != "kafka" or group is None or want is None or src is None:
            continue
        value = group.get("partition-key")
        if value is not None and value != want:
            yield hit(
                src,
                group.line_of("partition-key"),
                "message-broker",
                "partition-key",
                f"partition-key={value} is not a field of the "
                f"{'full' if payload == '0' else 'minimal'} payload "
                f"(msg-conv-payload-type={payload}): use partition-key={want}",
            )


def _proto_cfg_keys(raw: str) -> list[str]:
    """The option names of a quoted proto-cfg value, in order, repeats kept (see
    brokers.adaptor_cfg.parse_proto_cfg for how the Kafka adaptor splits it)."""
    if len(raw) < 3 or raw[0] != '"' or raw[-1] != '"':
        return []
    keys = []
    for item in raw[1:-1].split(";"):
        key, sep, _ = item.partition("=")
        if sep:
            keys.append(key)
    return keys


@rule("DS411", W, "Kafka option set twice in proto-cfg (the later one wins)")
def proto_cfg_repeats(cs: ConfigSet) -> Iterator[Hit]:
    for g in _msg_sinks(cs):
        src = cs.broker_files.get(g.name)
        group = src.keyfile.group("message-broker") if src and src.keyfile else None
        if _adaptor(g) != "kafka" or group is None or src is None:
            continue
        for key in ("proto-cfg", "producer-proto-cfg"):
            names = _proto_cfg_keys(group.get(key) or "")
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                yield hit(
                    src,
                    group.line_of(key),
                    "message-broker",
                    key,
                    f"{key} sets {', '.join(twice)} more than once; librdkafka keeps the last "
                    "value: keep one",
                )
