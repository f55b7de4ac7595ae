"""Typed views of a ConfigSet: what deepstream-app will build from each group.

Values are read with DeepStream's own semantics (values.py) and its defaults; a value GLib
cannot parse reads as the default here (validate reports it). Paths are resolved against the
file that names them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from alpr_gen.configset.files import ConfigFile
from alpr_gen.configset.model import ConfigSet
from alpr_gen.configset.values import (
    enabled,
    file_uri_path,
    glib_int,
    resolve_path,
    resolve_uri,
)
from alpr_gen.deepstream.facts import (
    DEFAULT_MSG_CONV_FRAME_INTERVAL,
    LIVE_SOURCE_TYPES,
    SinkType,
    SourceType,
)
from alpr_gen.deepstream.keyfile import Group, split_list
from alpr_gen.deepstream.versions import RELEASES

_SOURCE_RE = re.compile(r"source(\d+)")


def _int(group: Group | None, key: str, default: int) -> int:
    if group is None:
        return default
    value = glib_int(group.get(key))
    return default if value is None else value


@dataclass(frozen=True)
class SourceView:
    group: str
    index: int | None  # N of [sourceN]; None when the name is not of that form
    line: int
    enabled: bool
    type: int | None
    uri: str  # as written
    resolved_uri: str  # file:// made absolute as deepstream-app does
    num_sources: int
    latency_ms: int
    reconnect_interval_sec: int
    reconnect_attempts: int
    rtp_protocol: int
    drop_frame_interval: int

    @property
    def streams(self) -> int:
        """How many streams it feeds: type 3 (MultiURI) expands into num-sources."""
        return self.num_sources if self.type == SourceType.MULTI_URI else 1

    @property
    def is_live(self) -> bool:
        return self.type in LIVE_SOURCE_TYPES

    @property
    def is_rtsp(self) -> bool:
        return self.uri.lower().startswith(("rtsp://", "rtsps://"))

    @property
    def local_file(self) -> Path | None:
        return file_uri_path(self.resolved_uri)


def sources(cs: ConfigSet, *, only_enabled: bool = True) -> list[SourceView]:
    """[sourceN] groups in deepstream-app's order (by N)."""
    out = []
    for g in cs.app_groups("source"):
        m = _SOURCE_RE.fullmatch(g.name)
        if g.name == "source-list" or g.name == "source-attr-all":
            continue
        if only_enabled and not enabled(g):
            continue
        uri = g.get("uri", "") or ""
        num = max(1, _int(g, "num-sources", 1))  # parse_source raises <1 to 1
        out.append(
            SourceView(
                group=g.name,
                index=int(m.group(1)) if m else None,
                line=g.line,
                enabled=enabled(g),
                type=glib_int(g.get("type")),
                uri=uri,
                resolved_uri=resolve_uri(cs.app.logical, uri),
                num_sources=num,
                latency_ms=_int(g, "latency", 100),
                reconnect_interval_sec=_int(g, "rtsp-reconnect-interval-sec", 0),
                reconnect_attempts=_int(g, "rtsp-reconnect-attempts", -1),
                rtp_protocol=_int(g, "select-rtp-protocol", 0),
                drop_frame_interval=_int(g, "drop-frame-interval", 0),
            )
        )
    return sorted(out, key=lambda s: (s.index is None, s.index or 0, s.group))


def num_streams(cs: ConfigSet) -> int:
    return sum(s.streams for s in sources(cs))


@dataclass(frozen=True)
class SinkView:
    group: str
    line: int
    type: int | None
    sync: int
    source_id: int
    codec: int
    container: int
    bitrate: int
    enc_type: int
    output_file: Path | None
    rtsp_port: int
    udp_port: int
    # type 6 (msgconv + msgbroker)
    msg_conv_config: ConfigFile | None
    payload_type: int
    frame_interval: int
    msg2p_new_api: bool
    proto_lib: str
    adaptor: str | None  # kafka, mqtt, amqp, redis
    conn_str: str
    topic: str
    broker_config: ConfigFile | None
    broker_config_path: Path | None  # msg-broker-config resolved (None when not set)

    @property
    def is_msg_broker(self) -> bool:
        return self.type == SinkType.MSG_BROKER

    def broker_settings(self) -> dict[str, str]:
        """The adaptor cfg's [message-broker] values (empty when there is none)."""
        kf = self.broker_config.keyfile if self.broker_config else None
        group = kf.group("message-broker") if kf else None
        return {k: e.value for k, e in group.entries.items()} if group else {}

    def conn_parts(self) -> list[str]:
        return [p.strip() for p in self.conn_str.split(";")] if self.conn_str else []


def _path(cs: ConfigSet, group: Group, key: str) -> Path | None:
    value = group.get(key)
    return resolve_path(cs.app.logical, value) if value else None


def sinks(cs: ConfigSet, *, only_enabled: bool = True) -> list[SinkView]:
    from alpr_gen.deepstream.facts import broker_of_adaptor

    out = []
    for g in cs.app_groups("sink"):
        if only_enabled and not enabled(g):
            continue
        output = g.get("output-file")
        out.append(
            SinkView(
                group=g.name,
                line=g.line,
                type=glib_int(g.get("type")),
                sync=_int(g, "sync", 0),
                source_id=_int(g, "source-id", 0),
                codec=_int(g, "codec", 1),
                container=_int(g, "container", 1),
                bitrate=_int(g, "bitrate", 4_000_000),
                enc_type=_int(g, "enc-type", 0),
                output_file=resolve_path(cs.app.logical, output) if output else None,
                rtsp_port=_int(g, "rtsp-port", 8554),
                udp_port=_int(g, "udp-port", 5000),
                msg_conv_config=cs.msgconv_files.get(g.name),
                payload_type=_int(g, "msg-conv-payload-type", 0),
                frame_interval=_int(g, "msg-conv-frame-interval", DEFAULT_MSG_CONV_FRAME_INTERVAL),
                msg2p_new_api=_int(g, "msg-conv-msg2p-new-api", 0) != 0,
                proto_lib=(g.get("msg-broker-proto-lib") or "").strip(),
                adaptor=broker_of_adaptor(g.get("msg-broker-proto-lib") or ""),
                conn_str=(g.get("msg-broker-conn-str") or "").strip(),
                topic=(g.get("topic") or "").strip(),
                broker_config=cs.broker_files.get(g.name),
                broker_config_path=_path(cs, g, "msg-broker-config"),
            )
        )
    return out


def msg_sinks(cs: ConfigSet) -> list[SinkView]:
    return [s for s in sinks(cs) if s.is_msg_broker]


def has_display_sink(cs: ConfigSet) -> bool:
    return any(s.type == SinkType.DISPLAY for s in sinks(cs))


@dataclass(frozen=True)
class StreammuxView:
    batch_size: int
    width: int
    height: int
    enable_padding: bool
    live_source: bool
    batched_push_timeout: int  # µs; -1 = wait for a full batch
    new_mux_config: Path | None  # the new-mux file, read from the key this version reads


def streammux(cs: ConfigSet) -> StreammuxView:
    g = cs.app_group("streammux")
    key = RELEASES[cs.deepstream].mux_config_key if cs.deepstream in RELEASES else "config-file"
    value = g.get(key) if g else None
    return StreammuxView(
        batch_size=_int(g, "batch-size", 1),
        width=_int(g, "width", 0),
        height=_int(g, "height", 0),
        enable_padding=_int(g, "enable-padding", 0) != 0,
        live_source=_int(g, "live-source", 0) != 0,
        batched_push_timeout=_int(g, "batched-push-timeout", -1),
        new_mux_config=resolve_path(cs.app.logical, value) if value else None,
    )


def uses_new_streammux(cs: ConfigSet) -> bool:
    """The app config points the muxer at a new-mux config file (6.3 `config-file`, 8.0
    `config-file-path`), which deepstream-app honours only with USE_NEW_NVSTREAMMUX=yes."""
    g = cs.app_group("streammux")
    return bool(g and (g.get("config-file") or g.get("config-file-path")))


@dataclass(frozen=True)
class TrackerView:
    enabled: bool
    width: int
    height: int
    ll_lib_file: str
    config: ConfigFile | None
    display_tracking_id: bool


def tracker(cs: ConfigSet) -> TrackerView:
    g = cs.app_group("tracker")
    return TrackerView(
        enabled=enabled(g),
        width=_int(g, "tracker-width", 640),
        height=_int(g, "tracker-height", 384),
        ll_lib_file=(g.get("ll-lib-file") or "") if g else "",
        config=cs.tracker_file,
        display_tracking_id=_int(g, "display-tracking-id", 1) != 0,
    )


@dataclass(frozen=True)
class AppView:
    perf_enabled: bool
    perf_interval_sec: int
    file_loop: bool  # [tests] file-loop


def application(cs: ConfigSet) -> AppView:
    app = cs.app_group("application")
    tests = cs.app_group("tests")
    return AppView(
        perf_enabled=_int(app, "enable-perf-measurement", 0) != 0,
        perf_interval_sec=_int(app, "perf-measurement-interval-sec", 5),
        file_loop=_int(tests, "file-loop", 0) != 0,
    )


@dataclass(frozen=True)
class OcrParserView:
    file: ConfigFile
    settings: dict[str, str]
    dictionary: Path | None  # resolved against ocr_parser.cfg's directory


def ocr_parser(cs: ConfigSet) -> OcrParserView | None:
    f = cs.ocr_file
    if f is None or f.keyfile is None:
        return None
    g = f.keyfile.group("ocr-parser")
    settings = {k: e.value for k, e in g.entries.items()} if g else {}
    value = settings.get("dictionary")
    return OcrParserView(f, settings, resolve_path(f.logical, value) if value else None)


def class_ids(value: str | None) -> list[int]:
    """operate-on-class-ids and similar: a ';' list of integers (bad items dropped)."""
    if not value:
        return []
    out = []
    for item in split_list(value):
        number = glib_int(item)
        if number is not None:
            out.append(number)
    return out
