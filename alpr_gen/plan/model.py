"""What a site becomes: every value the configs need, derived once (build.py), frozen."""

from __future__ import annotations

from dataclasses import dataclass


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
    jetson: str | None  # orin / thor on platform jetson
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
