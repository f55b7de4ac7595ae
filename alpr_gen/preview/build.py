"""Build the preview pipeline's stages from a ConfigSet; every problem found here is a PreviewError
(exit 2) before the first frame: a missing model or parser, a video that cannot be decoded, a
broker that refuses the login."""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from alpr_gen.configset import ConfigSet
from alpr_gen.configset.values import enabled
from alpr_gen.configset.views import SinkView
from alpr_gen.deepstream.facts import SinkType, SourceType
from alpr_gen.deepstream.versions import min_object_size
from alpr_gen.errors import PreviewError
from alpr_gen.preview.analytics import AnalyticsStage
from alpr_gen.preview.gie import RunnerFactory
from alpr_gen.preview.msgconv import MsgconvSettings
from alpr_gen.preview.osd import OsdStyle, TileLayout, rgba
from alpr_gen.preview.pgie import PrimaryGie
from alpr_gen.preview.publish import JsonlWriter, Outlets, open_publisher
from alpr_gen.preview.sgie import SecondaryGie
from alpr_gen.preview.sources import SourceSpec
from alpr_gen.preview.streammux import MuxSettings
from alpr_gen.preview.tracker import TrackerStage

_TCP_ONLY = 4  # select-rtp-protocol=4: RTP over TCP


@dataclass
class Stages:
    sources: list[SourceSpec]
    fps: dict[int, float]
    mux: MuxSettings
    pgie: PrimaryGie | None = None
    sgies: list[SecondaryGie] = field(default_factory=list)
    tracker: TrackerStage | None = None
    analytics: AnalyticsStage | None = None
    msg_sinks: list[tuple[SinkView, MsgconvSettings]] = field(default_factory=list)
    outlets: Outlets = field(default_factory=Outlets)
    file_sinks: list[SinkView] = field(default_factory=list)
    osd: OsdStyle = field(default_factory=OsdStyle)
    tiles: TileLayout | None = None


def source_specs(cs: ConfigSet) -> list[SourceSpec]:
    out: list[SourceSpec] = []
    loop = cs.application.file_loop
    for src in cs.sources:
        if src.type not in (SourceType.URI, SourceType.MULTI_URI, SourceType.RTSP):
            raise PreviewError(
                f"{cs.app.rel} [{src.group}] type={src.type}: the preview backend reads URIs "
                "(type 2, 3, 4: file:// and rtsp://), not cameras",
            )
        uri = src.resolved_uri
        if not uri.startswith(("file://", "rtsp://", "rtsps://")):
            raise PreviewError(f"{cs.app.rel} [{src.group}] uri={src.uri}: not file:// or rtsp://")
        for _ in range(src.streams):
            out.append(
                SourceSpec(
                    stream=len(out),
                    uri=uri,
                    live=src.is_rtsp,
                    file_loop=loop,
                    reconnect_interval_s=src.reconnect_interval_sec,
                    reconnect_attempts=src.reconnect_attempts,
                    tcp=src.rtp_protocol == _TCP_ONLY,
                )
            )
    if not out:
        raise PreviewError(f"{cs.app.rel}: no enabled [sourceN] group")
    return out


def probe_file(spec: SourceSpec) -> float:
    """Open a file source and decode one frame now, so that a bad file fails before the run;
    its frame rate (0 when unknown)."""
    import av

    path = Path(spec.uri[len("file://") :])
    if not path.is_file():
        raise PreviewError(
            f"{path}: no such video file (stream {spec.stream})",
            hint="check the source's uri (relative file:// URIs resolve against the app config)",
        )
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            rate = float(stream.average_rate) if stream.average_rate else 0.0
            next(container.decode(stream))
    except (OSError, av.FFmpegError, IndexError, StopIteration) as exc:
        raise PreviewError(
            f"{path}: cannot decode a video frame ({type(exc).__name__}: {exc})".rstrip(),
            hint="give a video file FFmpeg can read (H.264/H.265 in MP4, MKV...)",
        ) from None
    return rate


def load_ocr_settings(cs: ConfigSet, sgie: SecondaryGie) -> None:
    """What deepstream-app gets from ALPR_OCR_CONFIG: the set's ocr_parser.cfg in the parser."""
    if cs.ocr_file is None:
        return
    bridge = sgie.inst.bridge
    try:
        load = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p)(bridge.symbol("AlprOcrLoadConfig"))
    except AttributeError:
        return  # not alpr-gen's parser library: it reads its own settings
    if not load(str(cs.ocr_file.real).encode()):
        raise PreviewError(f"{cs.ocr_file.rel}: {bridge.last_error() or 'unusable'}")


def build_stages(
    cs: ConfigSet,
    *,
    events: Path | None,
    providers: Sequence[str] | None,
    threads: int | None,
    login_timeout: float,
    runner_for: RunnerFactory | None = None,
) -> Stages:
    from alpr_gen.preview.gie import open_instance

    specs = source_specs(cs)
    fps = {s.stream: probe_file(s) for s in specs if not s.live}
    m = cs.streammux
    live = any(s.live for s in specs) or m.live_source
    mux = MuxSettings(max(1, m.batch_size), m.width, m.height, m.enable_padding, live,
                      m.batched_push_timeout)  # fmt: skip
    stages = Stages(specs, fps, mux)
    for gie in cs.enabled_gies:
        inst = open_instance(
            gie, deepstream=cs.deepstream, providers=providers, threads=threads,
            runner_for=runner_for,
        )  # fmt: skip
        if gie.primary:
            stages.pgie = PrimaryGie(inst)
        else:
            floor = min_object_size(cs.deepstream, cs.platform)
            stages.sgies.append(SecondaryGie(inst, min_object=floor))
    for sgie in stages.sgies:
        if sgie.inst.gie.is_ocr:
            load_ocr_settings(cs, sgie)
    if cs.tracker.enabled:
        if cs.tracker_settings is None:
            raise PreviewError(
                f"{cs.app.rel} [tracker]: ll-config-file is missing or not YAML the preview reads"
            )
        stages.tracker = TrackerStage(cs.tracker_settings)
    view = cs.analytics
    app_analytics = cs.app_group("nvds-analytics")
    if view is not None and enabled(app_analytics):
        stages.analytics = AnalyticsStage(view, (m.width, m.height))
    stages.osd, stages.tiles = osd_style(cs)
    for sink in cs.sinks:
        if sink.type == SinkType.FILE and sink.output_file is not None:
            stages.file_sinks.append(sink)
        if sink.type == SinkType.MSG_BROKER:
            settings = MsgconvSettings(
                sink.payload_type, sink.frame_interval, sink.msg2p_new_api, cs.msgconv(sink.group)
            )
            stages.msg_sinks.append((sink, settings))
    if events is not None:
        stages.outlets.jsonl = JsonlWriter(events)
    else:
        for sink, settings in stages.msg_sinks:
            if settings.emulated:
                stages.outlets.publishers[sink.group] = open_publisher(cs, sink, login_timeout)
    return stages


def osd_style(cs: ConfigSet) -> tuple[OsdStyle, TileLayout | None]:
    from alpr_gen.configset.values import glib_int

    osd = cs.app_group("osd")
    pgie = cs.pgie
    colors = {}
    if pgie is not None:
        for key, entry in pgie.group.entries.items():
            if key.startswith("bbox-border-color") and key[len("bbox-border-color") :].isdigit():
                colors[int(key[len("bbox-border-color") :])] = rgba(entry.value, (255, 0, 0))

    def num(key: str, default: int) -> int:
        value = glib_int(osd.get(key)) if osd is not None else None
        return default if value is None else value

    style = OsdStyle(
        enabled=enabled(osd),
        border_width=num("border-width", 1),
        text_size=num("text-size", 15),
        text_color=rgba(osd.get("text-color") if osd else None, (255, 255, 255)),
        text_bg=rgba(osd.get("text-bg-color") if osd else None, (77, 77, 77)),
        display_text=num("display-text", 1) != 0,
        display_bbox=num("display-bbox", 1) != 0,
        show_track_id=cs.tracker.display_tracking_id,
        class_colors=colors,
    )
    tiled = cs.app_group("tiled-display")
    layout = None
    if tiled is not None and enabled(tiled):
        layout = TileLayout(
            max(1, glib_int(tiled.get("rows")) or 1),
            max(1, glib_int(tiled.get("columns")) or 1),
            glib_int(tiled.get("width")) or 1280,
            glib_int(tiled.get("height")) or 720,
        )
    return style, layout
