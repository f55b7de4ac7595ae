"""The typed site profile: what a user writes in `profiles/<site>.yaml`.

Every model forbids unknown fields (a misspelt key is an error, not a silent default) and is
frozen. Only what a user should decide is asked for here; everything DeepStream needs that
follows from it (batch sizes, engine names, push timeouts, tracker size, memory types...) is
derived in `alpr_gen/plan/`.

Field types and their validators are in `fields.py`, the brokers in `messaging.py`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from alpr_gen.deepstream.versions import RELEASES, jetson_problem
from alpr_gen.profile.fields import (
    DeepStreamVersion,
    Float,
    Fraction,
    IniText,
    Int,
    Label,
    ListItem,
    Path,
    Point,
    Port,
    SensorId,
    Strict,
)
from alpr_gen.profile.messaging import Messaging, NoMessaging


class Target(Strict):
    platform: Literal["jetson", "dgpu"] = Field(
        description="jetson or dgpu; `jetson-orin` / `jetson-thor` also say which Jetson."
    )
    jetson: Literal["orin", "thor"] | None = Field(
        None,
        description="Which Jetson (platform jetson only): orin (JetPack 5/6) or thor "
        "(JetPack 7). Inferred from `deepstream` when that release runs on one only.",
    )
    deepstream: DeepStreamVersion = Field(description="DeepStream release the configs are for.")
    gpu_id: Int = Field(0, ge=0, description="GPU used by every element.")

    @model_validator(mode="before")
    @classmethod
    def _split_platform(cls, data: object) -> object:
        # `platform: jetson-thor` is `platform: jetson` + `jetson: thor`.
        if isinstance(data, dict) and isinstance(data.get("platform"), str):
            family, _, module = str(data["platform"]).partition("-")
            if family == "jetson" and module:
                if data.get("jetson") not in (None, module):
                    raise ValueError(f"platform says {module} but jetson says {data['jetson']}")
                data = {**data, "platform": "jetson", "jetson": module}
        return data

    @model_validator(mode="after")
    def _jetson_runs_this_release(self) -> Target:
        if self.platform == "dgpu":
            if self.jetson is not None:
                raise ValueError("`jetson` applies to platform: jetson only; remove it")
            return self
        release = RELEASES[self.deepstream]
        if self.jetson is None:
            # Every release runs on one Jetson module, so `platform: jetson` says which.
            return self.model_copy(update={"jetson": release.jetsons[0]})
        problem = jetson_problem(self.deepstream, self.jetson)
        if problem:
            raise ValueError(problem)
        return self


class Location(Strict):
    lat: Float = Field(ge=-90, le=90)
    lon: Float = Field(ge=-180, le=180)
    alt: Float = 0.0


class Place(Strict):
    id: SensorId = Field(description="Place id in the message payload.")
    name: IniText
    type: IniText = "parking-lot"
    location: Location | None = None


# --- cameras, lines and zones -------------------------------------------------------------


class Line(Strict):
    """A counting line, in the camera's own pixel coordinates."""

    name: Label
    points: tuple[Point, Point] = Field(description="The line segment: [[x1, y1], [x2, y2]].")
    direction: tuple[Point, Point] = Field(
        description="Crossing direction as an arrow [[from_x, from_y], [to_x, to_y]]."
    )
    objects: Literal["vehicles", "plates", "all"] = "vehicles"
    mode: Literal["loose", "balanced", "strict"] = "balanced"
    extended: bool = Field(False, description="Treat the line as infinite.")


class Zone(Strict):
    """A polygon, in the camera's own pixel coordinates."""

    name: Label
    points: list[Point] = Field(
        min_length=3, max_length=256, description="The polygon: 3 to 256 points, in order."
    )
    kind: Literal["roi", "overcrowding"] = "roi"
    objects: Literal["vehicles", "plates", "all"] = "vehicles"
    inverse: bool = Field(False, description="roi: keep objects outside the polygon.")
    object_threshold: Int = Field(3, ge=1, description="overcrowding: objects that trigger it.")
    time_threshold_ms: Int = Field(1000, ge=0, description="overcrowding: how long it must last.")


class Camera(Strict):
    id: SensorId = Field(description="Sensor id in the message payload; unique per site.")
    name: IniText = Field(description="Human-readable description.")
    uri: IniText = Field(description="rtsp://, rtsps://, file:// or http(s):// URI.")
    fps: Int = Field(30, ge=1, le=240)
    resolution: tuple[Annotated[Int, Field(ge=16)], Annotated[Int, Field(ge=16)]] = Field(
        (1920, 1080), description="[width, height]: the space lines and zones are drawn in."
    )
    location: Location | None = None
    lines: list[Line] = []
    zones: list[Zone] = []

    @field_validator("uri")
    @classmethod
    def _scheme(cls, uri: str) -> str:
        # A field validator, so the error points at the `uri:` line, not the camera's.
        if not re.match(r"^(rtsps?|file|https?)://", uri):
            raise ValueError(
                "uri must start with rtsp://, rtsps://, file:// or http(s):// "
                "(write local videos as file:///absolute/path.mp4)"
            )
        return uri


class Rtsp(Strict):
    latency_ms: Int = Field(200, ge=0, le=10_000)
    protocol: Literal["auto", "tcp", "udp"] = "tcp"
    reconnect_interval_sec: Int = Field(10, ge=0, description="0 disables reconnection.")
    reconnect_attempts: Int = Field(-1, ge=-1, description="-1: forever.")


# --- models ---------------------------------------------------------------------------------


class Thresholds(Strict):
    confidence: Fraction = Field(0.25, description="Pre-cluster threshold for every class.")
    nms_iou: Fraction = 0.45
    topk: Int = Field(300, ge=1, description="Boxes kept per class after NMS.")
    per_class: dict[Label, Fraction] = Field(
        {}, description="Pre-cluster threshold per label, overriding `confidence`."
    )


class Detector(Strict):
    onnx: Path = Field("models/yolo11n.onnx", description="Relative to the rendered bundle.")
    engine: Path | None = Field(
        None, description="Prebuilt engine; default: the name nvinfer gives the engine it builds."
    )
    labels: list[Annotated[ListItem, Field(min_length=1)]] = Field(min_length=1)
    vehicle_class_ids: list[Annotated[Int, Field(ge=0)]] = []
    plate_class_ids: list[Annotated[Int, Field(ge=0)]] = Field(min_length=1)
    precision: Literal["fp32", "fp16", "int8"] = "fp16"
    int8_calib_file: Path | None = None
    input_size: Int = Field(640, ge=32, le=4096, multiple_of=32)
    head: Literal["deepstream", "end2end"] = Field(
        "deepstream", description="deepstream: [A,6] + nvinfer NMS; end2end: NMS in the graph."
    )
    interval: Int = Field(0, ge=0, description="Frames skipped between inferences.")
    workspace_mb: Int = Field(2048, ge=64)
    thresholds: Thresholds = Thresholds()


class OcrThrottle(Strict):
    reinfer: Literal["once"] | Annotated[Int, Field(ge=1)] = Field(
        "once", description="'once' per plate track, or re-read every N frames of the track."
    )
    min_plate_width: Int = Field(48, ge=1, description="Smaller plates are not read (pixels).")
    min_plate_height: Int = Field(
        16,
        ge=1,
        description="Lower plates are not read (pixels). Never rendered below nvinfer's floor "
        "(16 on Jetson and DeepStream 6.3/7.0); under 16 px few plates are read right, "
        "about as many wrong (docs/ocr.md).",
    )
    async_mode: bool = Field(False, description="nvinfer classifier-async-mode.")


class Ocr(Strict):
    enabled: bool = True
    preset: Literal["ppocr", "lprnet"] = "ppocr"
    model: Path = "models/ocr_rec.onnx"
    dictionary: Path = "models/ocr_dict.txt"
    input_width: Int | None = Field(None, ge=8, description="Default: the preset's.")
    input_height: Int | None = Field(None, ge=8, description="Default: the preset's.")
    batch_size: Int = Field(16, ge=1, le=1024)
    precision: Literal["fp32", "fp16"] = "fp16"
    threshold: Fraction = Field(
        0.75, description="Minimum plate confidence (classifier-threshold; docs/ocr.md)."
    )
    confidence: Literal["min", "product", "mean"] = Field(
        "mean",
        description="How the characters' scores make the plate's confidence. mean at 0.75 keeps "
        "99 % of correct reads and drops 38 % of wrong ones on generated plates (docs/ocr.md).",
    )
    charset: Annotated[str, Field(pattern=r"^[A-Za-z0-9]+$")] = (
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    )
    min_length: Int = Field(3, ge=1, le=32)
    substitutions: dict[
        Annotated[str, Field(pattern=r"^[A-Za-z0-9]$")],
        Annotated[str, Field(pattern=r"^[A-Za-z0-9]$")],
    ] = Field(
        {},
        description="Read one character as another, e.g. {O: '0', I: '1'} for plate systems "
        "without those letters (fixes the recogniser's O/0 and I/1 confusions).",
    )
    formats: list[Annotated[str, Field(pattern=r"^[LDA]{1,32}$")]] = Field(
        [],
        max_length=16,
        description="Plate formats of the site, e.g. [LLLDDDD, LLDDLLL] (L letter, D digit, A "
        "either): a read is fitted to the same-length format needing the fewest changes among "
        "look-alike pairs (O/0, I/1, Z/2, S/5, G/6, B/8, ...; docs/ocr.md). At most 16.",
    )
    formats_strict: bool = Field(
        False, description="Drop a read that fits none of `formats` (default: keep it as read)."
    )
    throttle: OcrThrottle = OcrThrottle()

    @model_validator(mode="after")
    def _strict_needs_formats(self) -> Ocr:
        if self.formats_strict and not self.formats:
            raise ValueError("formats_strict needs formats (it would drop every plate)")
        return self


class Tracker(Strict):
    kind: Literal["nvdcf_perf", "nvdcf_accuracy", "nvsort", "iou"] = "nvdcf_perf"
    width: Int | None = Field(None, ge=32, multiple_of=32, description="Default: from the mux.")
    height: Int | None = Field(None, ge=32, multiple_of=32)
    max_targets_per_stream: Int = Field(150, ge=1)
    probation_age: Int = Field(3, ge=0)
    max_shadow_tracking_age: Int = Field(30, ge=0)
    display_tracking_id: bool = True


class Streammux(Strict):
    width: Int = Field(1920, ge=16, le=8192)
    height: Int = Field(1080, ge=16, le=8192)
    enable_padding: bool = False
    new_mux: bool = Field(False, description="Use the new nvstreammux (USE_NEW_NVSTREAMMUX=yes).")


# --- outputs --------------------------------------------------------------------------------


class FakeSink(Strict):
    type: Literal["fakesink"]


class FileSink(Strict):
    type: Literal["file"]
    path: Path = "recordings/alpr.mp4"
    codec: Literal["h264", "h265"] = "h264"
    bitrate: Int = Field(4_000_000, ge=100_000)
    encoder: Literal["hw", "sw"] = "hw"


class RtspSink(Strict):
    type: Literal["rtsp"]
    port: Port = 8554
    udp_port: Port = 5400
    codec: Literal["h264", "h265"] = "h264"
    bitrate: Int = Field(4_000_000, ge=100_000)
    encoder: Literal["hw", "sw"] = "hw"


class DisplaySink(Strict):
    type: Literal["display"]
    sync: bool = Field(False, description="sync=1 caps the pipeline at the display rate.")


Output = Annotated[FakeSink | FileSink | RtspSink | DisplaySink, Field(discriminator="type")]


class Osd(Strict):
    enabled: bool = True
    text_size: Int = Field(15, ge=1, le=200)
    border_width: Int = Field(2, ge=0, le=50)
    show_clock: bool = False
    mode: Literal["cpu", "gpu"] = "gpu"


class Tiler(Strict):
    width: Int = Field(1280, ge=16, le=8192)
    height: Int = Field(720, ge=16, le=8192)


class Perf(Strict):
    enabled: bool = True
    interval_sec: Int = Field(5, ge=1)


class Paths(Strict):
    parser_lib: Path = Field("lib/libnvdsinfer_alpr.so", description="Built by build-parser.")


class SiteProfile(Strict):
    """One deployment: cameras, models and where the results go."""

    name: Label = Field(description="Site name: the default output directory is out/<name>.")
    description: IniText = ""
    target: Target = Field(description="Platform and DeepStream version the configs are for.")
    place: Place = Field(description="The place in the message payload.")
    cameras: list[Camera] = Field(min_length=1, max_length=1024, description="One per source.")
    rtsp: Rtsp = Rtsp()
    streammux: Streammux = Streammux()
    detector: Detector
    tracker: Tracker = Tracker()
    ocr: Ocr = Ocr()
    messaging: Messaging = Field(
        NoMessaging(broker="none"), description="Where events go; `broker` picks the kind."
    )
    outputs: list[Output] = Field([FakeSink(type="fakesink")], min_length=1)
    osd: Osd = Osd()
    tiler: Tiler = Tiler()
    perf: Perf = Perf()
    paths: Paths = Paths()
