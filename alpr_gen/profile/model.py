"""The typed site profile: what a user writes in `profiles/<site>.yaml`.

Every model forbids unknown fields (a misspelt key is an error, not a silent default) and is
frozen. Only what a user should decide is asked for here; everything DeepStream needs that
follows from it (batch sizes, engine names, push timeouts, tracker size, memory types...) is
derived in `plan.py`.

Strings that end up in DeepStream's INI files are `IniText`: no control characters (a newline
would start a new key or `[group]`) and no backslash (GLib unescapes it). Names that become part
of an INI *key* (`roi-<name>`, `line-crossing-<name>`) are `Label`s.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from alpr_gen.deepstream.versions import RELEASES, VERSIONS, jetson_problem


def _ini_text(value: str) -> str:
    for ch in value:
        # C0 and C1 controls and Unicode line separators: some readers split lines on them.
        if ord(ch) < 32 or 127 <= ord(ch) < 160 or ch in "\u2028\u2029":
            raise ValueError(
                "contains a control character (newline, tab, ...); DeepStream's INI files cannot "
                "hold it, and a newline would inject a new key or [group]"
            )
    if "\\" in value:
        raise ValueError(
            "contains a backslash, which DeepStream's key-file reader unescapes; use /"
        )
    return value


def _not_bool(value: object) -> object:
    # pydantic reads true as 1; in a profile that is always a mistake (YAML's `fps: yes`).
    if isinstance(value, bool):
        raise ValueError("expected a number, got true/false (YAML reads yes/no/on/off as booleans)")
    return value


def _untrimmed_secret(value: object) -> object:
    # Never trim a secret silently: the broker would then refuse a password that "looks right".
    if isinstance(value, str) and value != value.strip():
        raise ValueError(
            "has leading or trailing whitespace, which alpr-gen will not trim from a secret "
            "(DeepStream's key-file reader would drop it): remove it from the value or the "
            "environment variable"
        )
    return value


def _no_semicolon(value: str) -> str:
    if ";" in value:
        raise ValueError("contains ';', DeepStream's list separator")
    return value


def _deepstream_version(value: object) -> object:
    # YAML reads `deepstream: 7.0` as a float.
    if isinstance(value, float):
        return f"{value:.1f}"
    return value


IniText = Annotated[str, AfterValidator(_ini_text)]
# A value that is also an element of a ';'-separated list (labels, lat;lon, proto-cfg...).
ListItem = Annotated[str, AfterValidator(_ini_text), AfterValidator(_no_semicolon)]
Label = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
SensorId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
Host = Annotated[str, Field(pattern=r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$|^\[[0-9A-Fa-f:.]+\]$")]
# Numbers that refuse YAML booleans (pydantic would read `fps: yes` as 1).
Int = Annotated[int, BeforeValidator(_not_bool)]
Float = Annotated[float, BeforeValidator(_not_bool)]
Port = Annotated[Int, Field(ge=1, le=65535)]
Path = Annotated[str, Field(min_length=1), AfterValidator(_ini_text), AfterValidator(_no_semicolon)]
Secret = Annotated[
    SecretStr,
    BeforeValidator(_untrimmed_secret),
    AfterValidator(lambda s: (_ini_text(s.get_secret_value()), s)[1]),
]
Point = tuple[Annotated[Int, Field(ge=0)], Annotated[Int, Field(ge=0)]]
Fraction = Annotated[Float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --- where and what it runs on -------------------------------------------------------------


def _known_version(value: str) -> str:
    if value not in VERSIONS:
        raise ValueError(f"DeepStream {value!r} is not one of {', '.join(VERSIONS)}")
    return value


DeepStreamVersion = Annotated[
    str,
    BeforeValidator(_deepstream_version),
    AfterValidator(_known_version),
    Field(json_schema_extra={"enum": list(VERSIONS)}),
]


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
        "(16 on Jetson and DeepStream 6.3/7.0); under 16 px wrong reads outnumber right ones "
        "(docs/ocr.md).",
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


# --- messaging ------------------------------------------------------------------------------


class _Broker(Strict):
    host: Host
    topic: ListItem = Field(min_length=1)
    payload: Literal["full", "minimal"] = "full"
    frame_interval: Int = Field(30, ge=1, description="Frames between payloads per stream.")


class KafkaTls(Strict):
    ca_file: Path = Field(
        description="CA certificate (ssl.ca.location), relative to the bundle: librdkafka "
        "opens it from deepstream-app's working directory, the bundle for alpr-gen run."
    )


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


class Kafka(_Broker):
    broker: Literal["kafka"]
    port: Port = 9092
    partition_key: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.]*$")] | None = Field(
        None, description="Default: sensor.id (full payload) or sensorId (minimal)."
    )
    options: dict[
        Annotated[str, Field(pattern=r"^[a-z][a-z0-9._]*$")], str | int | float | bool
    ] = Field({}, description="librdkafka options (proto-cfg).")
    username: ListItem | None = Field(None, description="sasl.username.")
    password: Secret | None = Field(None, description="sasl.password; use ${ENV}.")
    sasl_mechanism: Annotated[
        Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None, BeforeValidator(_upper)
    ] = Field(None, description="sasl.mechanism; needed with a username.")
    security_protocol: Annotated[
        Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] | None, BeforeValidator(_upper)
    ] = Field(
        None,
        description="security.protocol. Default: SASL_SSL with a username and tls, "
        "SASL_PLAINTEXT with a username, SSL with tls only, else librdkafka's (PLAINTEXT).",
    )
    tls: KafkaTls | None = None

    @model_validator(mode="after")
    def _proto_cfg_safe(self) -> Kafka:
        # Options are joined into proto-cfg="k=v;k=v": these characters would split or end it.
        values = {k: str(v) for k, v in self.options.items()}
        if self.password is not None:
            values["password"] = self.password.get_secret_value()
        if self.username is not None:
            values["username"] = self.username
        if self.tls is not None:
            values["tls.ca_file"] = self.tls.ca_file
        for key, value in values.items():
            if any(c in value for c in ';="') or any(ord(c) < 32 for c in value):
                raise ValueError(
                    f"{key}: ';', '=', '\"' and control characters cannot appear in a Kafka option"
                )
        return self

    @model_validator(mode="after")
    def _auth_consistent(self) -> Kafka:
        for option, field in AUTH_OPTIONS.items():
            if option in self.options:
                raise ValueError(
                    f"options.{option}: set messaging.{field} instead (it is rendered into "
                    "proto-cfg with the other authentication settings)"
                )
        if (self.username is None) != (self.password is None):
            raise ValueError(
                "SASL needs messaging.username and messaging.password together "
                "(the password from the environment: password: ${KAFKA_PASSWORD})"
            )
        protocol = self.effective_protocol
        if self.username is not None:
            if self.sasl_mechanism is None:
                raise ValueError(
                    "messaging.sasl_mechanism: name the SASL mechanism the broker uses with a "
                    "username and password: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"
                )
            if protocol not in ("SASL_PLAINTEXT", "SASL_SSL"):
                raise ValueError(
                    f"security_protocol {protocol} sends no username/password: use SASL_SSL "
                    "(or SASL_PLAINTEXT on a trusted network)"
                )
        elif protocol in ("SASL_PLAINTEXT", "SASL_SSL"):
            raise ValueError(f"security_protocol {protocol} needs username and password")
        elif self.sasl_mechanism is not None:
            raise ValueError("sasl_mechanism needs username and password")
        if self.tls is not None and protocol not in ("SSL", "SASL_SSL"):
            raise ValueError(
                f"tls.ca_file is used with TLS only, but security_protocol is {protocol}: "
                "use SSL or SASL_SSL"
            )
        return self

    @property
    def effective_protocol(self) -> str:
        """security.protocol as rendered (librdkafka's default PLAINTEXT when unset)."""
        if self.security_protocol is not None:
            return self.security_protocol
        sasl = self.username is not None
        if self.tls is not None:
            return "SASL_SSL" if sasl else "SSL"
        return "SASL_PLAINTEXT" if sasl else "PLAINTEXT"


# librdkafka options that have their own profile fields (brokers.base.PROFILE_FIELD).
AUTH_OPTIONS = {
    "security.protocol": "security_protocol",
    "sasl.mechanism": "sasl_mechanism",
    "sasl.mechanisms": "sasl_mechanism",
    "sasl.username": "username",
    "sasl.password": "password",
    "ssl.ca.location": "tls.ca_file",
}


class MqttTls(Strict):
    ca_file: Path
    cert_file: Path | None = None
    key_file: Path | None = None


class Mqtt(_Broker):
    broker: Literal["mqtt"]
    port: Port = 1883
    username: ListItem | None = None
    password: Secret | None = None
    client_id: ListItem | None = None
    keep_alive: Int = Field(60, ge=5)
    tls: MqttTls | None = None


class Amqp(_Broker):
    broker: Literal["amqp"]
    port: Port = 5672
    username: ListItem = "guest"
    password: Secret | None = None
    exchange: ListItem = "amq.topic"


class Redis(_Broker):
    broker: Literal["redis"]
    port: Port = 6379
    password: Secret | None = None
    stream_size: Int = Field(10_000, ge=1)
    payload_key: ListItem = "metadata"


class NoMessaging(Strict):
    broker: Literal["none"]


Messaging = Annotated[Kafka | Mqtt | Amqp | Redis | NoMessaging, Field(discriminator="broker")]


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
