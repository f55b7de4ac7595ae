"""From a site profile to every value the configs need: `build_plan(profile) -> Plan`.

Pure: no I/O, no globals. This is where the values users get wrong are derived, each with the
reason next to it; templates only format what is here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from alpr_gen import __version__
from alpr_gen.deepstream.engine_naming import engine_name
from alpr_gen.deepstream.facts import BROKERS, INT_MAX, NETWORK_MODE, OCR_GIE_ID, PGIE_ID
from alpr_gen.deepstream.versions import RELEASES
from alpr_gen.ocr.presets import BLANK_LAST, OCR_PRESETS
from alpr_gen.profile.model import Camera, Location, SiteProfile

# Rows of the colour table used for boxes, per class (r, g, b, a).
_PALETTE = ((0.0, 1.0, 0.0, 1.0), (1.0, 0.0, 0.0, 1.0), (0.0, 0.6, 1.0, 1.0), (1.0, 1.0, 0.0, 1.0))


@dataclass(frozen=True)
class SourcePlan:
    index: int
    camera_id: str
    name: str
    uri: str
    type: int  # 2 URI (file/http), 4 RTSP
    is_rtsp: bool
    has_credentials: bool


@dataclass(frozen=True)
class MuxPlan:
    batch_size: int
    batched_push_timeout: int
    width: int
    height: int
    live_source: bool
    enable_padding: bool
    new_mux: bool
    config_key: str  # config-file (< 8.0) or config-file-path (8.0)
    max_fps: int
    min_fps: int


@dataclass(frozen=True)
class ClassAttrs:
    class_id: int
    label: str
    threshold: float


@dataclass(frozen=True)
class PgiePlan:
    gie_id: int
    batch_size: int
    onnx_file: str
    engine_file: str
    precision: str
    network_mode: int
    int8_calib_file: str | None
    input_size: int
    num_classes: int
    labels: tuple[str, ...]
    cluster_mode: int  # 2 NMS for the [A,6] head, 4 none for end2end
    threshold: float
    nms_iou: float
    topk: int
    class_attrs: tuple[ClassAttrs, ...]
    interval: int
    workspace_mb: int
    colors: tuple[tuple[float, float, float, float], ...]


@dataclass(frozen=True)
class OcrPlan:
    gie_id: int
    operate_on_gie_id: int
    operate_on_class_ids: tuple[int, ...]
    batch_size: int
    onnx_file: str
    engine_file: str
    dictionary: str
    precision: str
    network_mode: int
    infer_dims: tuple[int, int, int]
    net_scale_factor: float
    offsets: tuple[float, float, float]
    model_color_format: int
    maintain_aspect_ratio: int
    symmetric_padding: int
    blank_index: int
    threshold: float
    confidence: str
    charset: str
    min_length: int
    substitutions: tuple[str, ...]  # "O:0" items
    formats: tuple[str, ...]  # "LLLDDDD" items, in the profile's order (ties: the first)
    formats_strict: bool
    min_width: int
    min_height: int
    reinfer_interval: int
    async_mode: bool
    workspace_mb: int


@dataclass(frozen=True)
class TrackerPlan:
    kind: str
    width: int
    height: int
    max_targets_per_stream: int
    probation_age: int
    max_shadow_tracking_age: int
    display_tracking_id: bool


@dataclass(frozen=True)
class LinePlan:
    label: str
    direction: tuple[int, int, int, int]
    line: tuple[int, int, int, int]
    class_id: int
    mode: str
    extended: bool


@dataclass(frozen=True)
class ZonePlan:
    label: str
    points: tuple[int, ...]
    class_id: int
    inverse: bool
    object_threshold: int
    time_threshold_ms: int


@dataclass(frozen=True)
class AnalyticsStream:
    index: int
    lines: tuple[LinePlan, ...]
    rois: tuple[ZonePlan, ...]
    overcrowding: tuple[ZonePlan, ...]


@dataclass(frozen=True)
class AnalyticsPlan:
    width: int
    height: int
    streams: tuple[AnalyticsStream, ...]


@dataclass(frozen=True)
class SensorPlan:
    index: int
    id: str
    description: str
    location: tuple[float, float, float]


@dataclass(frozen=True)
class BrokerPlan:
    kind: str  # kafka, mqtt, amqp, redis
    proto_lib: str
    conn_str: str
    topic: str
    payload_type: int  # 0 full, 1 minimal
    frame_interval: int
    # Lines of the [message-broker] group, already checked: (key, value).
    settings: tuple[tuple[str, str], ...]
    has_secret: bool


@dataclass(frozen=True)
class SinkPlan:
    index: int
    kind: str  # fakesink, file, rtsp, display, msgbroker
    type: int
    sync: bool
    codec: int = 1
    bitrate: int = 0
    enc_type: int = 0
    container: int = 1
    output_file: str = ""
    rtsp_port: int = 0
    udp_port: int = 0


@dataclass(frozen=True)
class Plan:
    site: str
    description: str
    version: str
    platform: str
    deepstream: str
    gpu_id: int
    sources: tuple[SourcePlan, ...]
    rtsp_latency: int
    rtp_protocol: int
    reconnect_interval: int
    reconnect_attempts: int
    mux: MuxPlan
    pgie: PgiePlan
    ocr: OcrPlan | None
    tracker: TrackerPlan
    analytics: AnalyticsPlan | None
    sensors: tuple[SensorPlan, ...]
    place_id: str
    place_name: str
    place_type: str
    place_location: tuple[float, float, float]
    broker: BrokerPlan | None
    sinks: tuple[SinkPlan, ...]
    tiled: bool
    tiler_rows: int
    tiler_columns: int
    tiler_width: int
    tiler_height: int
    osd_enabled: bool
    osd_text_size: int
    osd_border_width: int
    osd_show_clock: bool
    osd_process_mode: int
    perf_enabled: bool
    perf_interval: int
    parser_lib: str
    file_loop: bool
    is_jetson: bool


def build_plan(profile: SiteProfile) -> Plan:
    sources = tuple(_source(i, cam) for i, cam in enumerate(profile.cameras))
    n = len(sources)
    mux = _mux(profile, sources)
    pgie = _pgie(profile, batch_size=mux.batch_size)
    ocr = _ocr(profile, pgie) if profile.ocr.enabled else None
    tracker = _tracker(profile, mux)
    rows = math.ceil(math.sqrt(n))
    columns = math.ceil(n / rows)
    video_out = any(o.type != "fakesink" for o in profile.outputs)
    place_loc = profile.place.location
    return Plan(
        site=profile.name,
        description=profile.description,
        version=__version__,
        platform=profile.target.platform,
        deepstream=profile.target.deepstream,
        gpu_id=profile.target.gpu_id,
        sources=sources,
        rtsp_latency=profile.rtsp.latency_ms,
        rtp_protocol={"auto": 0, "tcp": 4, "udp": 7}[profile.rtsp.protocol],
        reconnect_interval=profile.rtsp.reconnect_interval_sec,
        reconnect_attempts=profile.rtsp.reconnect_attempts,
        mux=mux,
        pgie=pgie,
        ocr=ocr,
        tracker=tracker,
        analytics=_analytics(profile, mux),
        sensors=tuple(
            SensorPlan(i, cam.id, cam.name, _loc(cam.location))
            for i, cam in enumerate(profile.cameras)
        ),
        place_id=profile.place.id,
        place_name=profile.place.name,
        place_type=profile.place.type,
        place_location=_loc(place_loc),
        broker=_broker(profile),
        sinks=_sinks(profile),
        tiled=video_out,
        tiler_rows=rows,
        tiler_columns=columns,
        tiler_width=profile.tiler.width,
        tiler_height=profile.tiler.height,
        osd_enabled=profile.osd.enabled and video_out,
        osd_text_size=profile.osd.text_size,
        osd_border_width=profile.osd.border_width,
        osd_show_clock=profile.osd.show_clock,
        osd_process_mode=1 if profile.osd.mode == "gpu" else 0,
        perf_enabled=profile.perf.enabled,
        perf_interval=profile.perf.interval_sec,
        parser_lib=profile.paths.parser_lib,
        # Demo sites loop their files so the pipeline keeps running; live sites never loop.
        file_loop=not mux.live_source,
        is_jetson=profile.target.platform == "jetson",
    )


def _loc(location: Location | None) -> tuple[float, float, float]:
    return (location.lat, location.lon, location.alt) if location else (0.0, 0.0, 0.0)


def _source(index: int, cam: Camera) -> SourcePlan:
    is_rtsp = cam.uri.startswith(("rtsp://", "rtsps://"))
    authority = cam.uri.split("://", 1)[1].split("/", 1)[0]
    return SourcePlan(
        index=index,
        camera_id=cam.id,
        name=cam.name,
        uri=cam.uri,
        type=4 if is_rtsp else 2,
        is_rtsp=is_rtsp,
        has_credentials="@" in authority,
    )


def _mux(profile: SiteProfile, sources: tuple[SourcePlan, ...]) -> MuxPlan:
    fps = [cam.fps for cam in profile.cameras]
    # Rule of thumb from NVIDIA: push a batch after one frame period of the fastest source, so a
    # missing camera never stalls the others longer than a frame.
    timeout = round(1_000_000 / max(fps))
    return MuxPlan(
        batch_size=len(sources),  # one frame per source per batch
        batched_push_timeout=timeout,
        width=profile.streammux.width,
        height=profile.streammux.height,
        live_source=any(s.is_rtsp for s in sources),
        enable_padding=profile.streammux.enable_padding,
        new_mux=profile.streammux.new_mux,
        config_key=RELEASES[profile.target.deepstream].mux_config_key,
        max_fps=max(fps),
        min_fps=min(fps),
    )


def _pgie(profile: SiteProfile, batch_size: int) -> PgiePlan:
    det = profile.detector
    gpu = profile.target.gpu_id
    labels = tuple(det.labels)
    overrides = det.thresholds.per_class
    return PgiePlan(
        gie_id=PGIE_ID,
        batch_size=batch_size,  # == streammux batch-size, or nvinfer under-fills every batch
        onnx_file=det.onnx,
        # The exact name nvinfer gives the engine it builds, so the second start loads it.
        engine_file=det.engine or engine_name(det.onnx, batch_size, gpu, det.precision),
        precision=det.precision,
        network_mode=NETWORK_MODE[det.precision],
        int8_calib_file=det.int8_calib_file,
        input_size=det.input_size,
        num_classes=len(labels),
        labels=labels,
        cluster_mode=4 if det.head == "end2end" else 2,
        threshold=det.thresholds.confidence,
        nms_iou=det.thresholds.nms_iou,
        topk=det.thresholds.topk,
        class_attrs=tuple(
            ClassAttrs(labels.index(label), label, thr)
            for label, thr in sorted(overrides.items(), key=lambda kv: labels.index(kv[0]))
        ),
        interval=det.interval,
        workspace_mb=det.workspace_mb,
        colors=tuple(_PALETTE[i % len(_PALETTE)] for i in range(len(labels))),
    )


def _ocr(profile: SiteProfile, pgie: PgiePlan) -> OcrPlan:
    ocr = profile.ocr
    preset = OCR_PRESETS[ocr.preset]
    dims = (preset.channels, ocr.input_height or preset.height, ocr.input_width or preset.width)
    throttle = ocr.throttle
    return OcrPlan(
        gie_id=OCR_GIE_ID,
        # Plates must come from the tracked PGIE: nvinfer caches a secondary result per track id
        # and re-runs only every secondary-reinfer-interval frames, so each plate is read once.
        operate_on_gie_id=pgie.gie_id,
        operate_on_class_ids=tuple(profile.detector.plate_class_ids),
        batch_size=ocr.batch_size,
        onnx_file=ocr.model,
        engine_file=engine_name(ocr.model, ocr.batch_size, profile.target.gpu_id, ocr.precision),
        dictionary=ocr.dictionary,
        precision=ocr.precision,
        network_mode=NETWORK_MODE[ocr.precision],
        infer_dims=dims,
        net_scale_factor=preset.net_scale_factor,
        offsets=preset.offsets,
        model_color_format=preset.model_color_format,
        maintain_aspect_ratio=preset.maintain_aspect_ratio,
        symmetric_padding=preset.symmetric_padding,
        blank_index=preset.blank_index if preset.blank_index != BLANK_LAST else -1,
        threshold=ocr.threshold,
        confidence=ocr.confidence,
        charset=ocr.charset.upper(),
        min_length=ocr.min_length,
        substitutions=tuple(
            sorted(f"{a.upper()}:{b.upper()}" for a, b in ocr.substitutions.items())
        ),
        formats=tuple(ocr.formats),
        formats_strict=ocr.formats_strict,
        min_width=throttle.min_plate_width,
        min_height=throttle.min_plate_height,
        reinfer_interval=INT_MAX if throttle.reinfer == "once" else throttle.reinfer,
        async_mode=throttle.async_mode,
        workspace_mb=min(profile.detector.workspace_mb, 1024),
    )


def _round32(value: float) -> int:
    return max(32, round(value / 32) * 32)


def _tracker(profile: SiteProfile, mux: MuxPlan) -> TrackerPlan:
    t = profile.tracker
    # NvDCF needs multiples of 32; keep the mux's aspect ratio at ~640 px wide by default.
    width = t.width or 640
    height = t.height or _round32(width * mux.height / mux.width)
    return TrackerPlan(
        kind=t.kind,
        width=width,
        height=height,
        max_targets_per_stream=t.max_targets_per_stream,
        probation_age=t.probation_age,
        max_shadow_tracking_age=t.max_shadow_tracking_age,
        display_tracking_id=t.display_tracking_id,
    )


def _class_id(profile: SiteProfile, objects: str) -> int:
    # nvdsanalytics takes one class id per group (-1 = all classes).
    ids = {
        "vehicles": profile.detector.vehicle_class_ids,
        "plates": profile.detector.plate_class_ids,
    }.get(objects, [])
    return ids[0] if len(ids) == 1 else -1


def _analytics(profile: SiteProfile, mux: MuxPlan) -> AnalyticsPlan | None:
    if not any(cam.lines or cam.zones for cam in profile.cameras):
        return None
    streams = []
    for index, cam in enumerate(profile.cameras):
        # nvdsanalytics works in config-width x config-height = the mux's output; cameras draw in
        # their own resolution, so scale every point into the mux's space.
        sx, sy = mux.width / cam.resolution[0], mux.height / cam.resolution[1]

        def scale(p: tuple[int, int], sx: float = sx, sy: float = sy) -> tuple[int, int]:
            return (min(round(p[0] * sx), mux.width - 1), min(round(p[1] * sy), mux.height - 1))

        lines = tuple(
            LinePlan(
                label=line.name,
                direction=(*scale(line.direction[0]), *scale(line.direction[1])),
                line=(*scale(line.points[0]), *scale(line.points[1])),
                class_id=_class_id(profile, line.objects),
                mode=line.mode,
                extended=line.extended,
            )
            for line in cam.lines
        )
        zones = [
            ZonePlan(
                label=z.name,
                points=tuple(c for p in z.points for c in scale(p)),
                class_id=_class_id(profile, z.objects),
                inverse=z.inverse,
                object_threshold=z.object_threshold,
                time_threshold_ms=z.time_threshold_ms,
            )
            for z in cam.zones
        ]
        rois = tuple(z for z, src in zip(zones, cam.zones, strict=True) if src.kind == "roi")
        crowd = tuple(
            z for z, src in zip(zones, cam.zones, strict=True) if src.kind == "overcrowding"
        )
        if lines or rois or crowd:
            streams.append(AnalyticsStream(index, lines, rois, crowd))
    return AnalyticsPlan(mux.width, mux.height, tuple(streams))


def _broker(profile: SiteProfile) -> BrokerPlan | None:
    m = profile.messaging
    if m.broker == "none":
        return None
    settings: list[tuple[str, str]] = []
    conn = f"{m.host};{m.port}"
    secret = False
    if m.broker == "kafka":
        options = {k: _scalar(v) for k, v in sorted(m.options.items())}
        if m.password is not None and m.password.get_secret_value():
            options["sasl.password"] = m.password.get_secret_value()
            secret = True
        if options:
            settings.append(
                ("proto-cfg", '"' + ";".join(f"{k}={v}" for k, v in options.items()) + '"')
            )
        key = m.partition_key or ("sensor.id" if m.payload == "full" else "sensorId")
        settings += [("partition-key", key), ("share-connection", "1")]
    elif m.broker == "mqtt":
        if m.username:
            settings.append(("username", m.username))
        if m.password is not None and m.password.get_secret_value():
            settings.append(("password", m.password.get_secret_value()))
            secret = True
        if m.client_id:
            settings.append(("client-id", m.client_id))
        settings.append(("keep-alive", str(m.keep_alive)))
        if m.tls:
            settings += [("enable-tls", "1"), ("tls-cafile", m.tls.ca_file)]
            if m.tls.cert_file:
                settings.append(("tls-certfile", m.tls.cert_file))
            if m.tls.key_file:
                settings.append(("tls-keyfile", m.tls.key_file))
        settings.append(("share-connection", "1"))
    elif m.broker == "amqp":
        conn = f"{m.host};{m.port};{m.username}"
        settings += [("hostname", m.host), ("port", str(m.port)), ("username", m.username)]
        if m.password is not None and m.password.get_secret_value():
            settings.append(("password", m.password.get_secret_value()))
            secret = True
        settings += [("exchange", m.exchange), ("topic", m.topic), ("share-connection", "1")]
    elif m.broker == "redis":
        settings += [("hostname", m.host), ("port", str(m.port))]
        if m.password is not None and m.password.get_secret_value():
            settings.append(("password", m.password.get_secret_value()))
            secret = True
        settings += [("streamsize", str(m.stream_size)), ("payloadkey", m.payload_key)]
    return BrokerPlan(
        kind=m.broker,
        proto_lib=BROKERS[m.broker].adaptor_path,
        conn_str=conn,
        topic=m.topic,
        payload_type=0 if m.payload == "full" else 1,
        frame_interval=m.frame_interval,
        settings=tuple(settings),
        has_secret=secret,
    )


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _sinks(profile: SiteProfile) -> tuple[SinkPlan, ...]:
    sinks: list[SinkPlan] = []
    if profile.messaging.broker != "none":
        sinks.append(SinkPlan(index=0, kind="msgbroker", type=6, sync=False))
    for out in profile.outputs:
        index = len(sinks)
        if out.type == "fakesink":
            sinks.append(SinkPlan(index, "fakesink", 1, sync=False))
        elif out.type == "display":
            # Type 2 is EGL on both platforms; sync=1 would cap the pipeline at the display rate.
            sinks.append(SinkPlan(index, "display", 2, sync=out.sync))
        elif out.type == "file":
            sinks.append(
                SinkPlan(
                    index,
                    "file",
                    3,
                    sync=False,
                    codec=1 if out.codec == "h264" else 2,
                    bitrate=out.bitrate,
                    enc_type=0 if out.encoder == "hw" else 1,
                    container=2 if out.path.endswith(".mkv") else 1,
                    output_file=out.path,
                )
            )
        elif out.type == "rtsp":
            sinks.append(
                SinkPlan(
                    index,
                    "rtsp",
                    4,
                    sync=False,
                    codec=1 if out.codec == "h264" else 2,
                    bitrate=out.bitrate,
                    enc_type=0 if out.encoder == "hw" else 1,
                    rtsp_port=out.port,
                    udp_port=out.udp_port,
                )
            )
    return tuple(sinks)
