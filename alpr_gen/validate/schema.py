"""DeepStream's config keys as data.

One table per file kind (deepstream-app config, nvinfer config, nvdsanalytics, msgconv, broker
cfg per adaptor, tracker YAML sections). Each key has a type, an allowed range or value set,
a default, the DeepStream versions and platform it exists on, and a replacement when it is
deprecated. The linter's key rules (DS1xx) and `docs/validate.md` both read these tables, so a
key added here is checked and documented at once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from enum import Enum

VERSIONS = ("6.3", "7.0", "7.1", "8.0")
LATEST = "8.0"
PLATFORMS = ("jetson", "dgpu")
# Files under this prefix come with DeepStream; they cannot exist on a CI machine.
DEEPSTREAM_ROOT = "/opt/nvidia/deepstream"


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


class T(str, Enum):
    """Value types as GLib/DeepStream parse them."""

    INT = "int"
    FLOAT = "float"
    FLAG = "int 0/1"  # deepstream-app reads these with g_key_file_get_integer
    BOOL = "bool"  # g_key_file_get_boolean: true/false/1/0
    STR = "string"
    INT_LIST = "int list"
    FLOAT_LIST = "float list"
    COLOR = "colour r;g;b;a"
    PATH = "path"


class PathKind(str, Enum):
    """What a missing path means: a config the set must contain (error) or a deployed artifact."""

    CONFIG = "config"  # part of the config set: missing = error
    ARTIFACT = "artifact"  # deployed later by export/build-parser: missing = warning
    SYSTEM = "system"  # a DeepStream library (absolute, under /opt/nvidia/deepstream)
    DIR = "dir"  # a directory that must exist on the device
    OUTPUT = "output"  # written at run time: never checked


@dataclass(frozen=True)
class Key:
    type: T
    doc: str = ""
    lo: float | None = None
    hi: float | None = None
    choices: dict[int | str, str] | None = None  # value -> meaning
    default: str | None = None
    since: str | None = None  # first DeepStream version with the key
    until: str | None = None  # last DeepStream version with the key
    platform: str | None = None  # "jetson" / "dgpu" when only one has it
    # value -> platform / first version, for values that exist only there
    value_platform: dict[int, str] = field(default_factory=dict)
    value_since: dict[int, str] = field(default_factory=dict)
    deprecated: str | None = None  # replacement key, or "" when there is none
    deprecated_since: str | None = None  # version the deprecation starts (None: all)
    path: PathKind | None = None
    length: tuple[int, int] | None = None  # (min, max) list length


@dataclass(frozen=True)
class GroupSpec:
    name: str  # display name, e.g. "sourceN"
    pattern: str  # regex on the group name
    keys: dict[str, Key] | None  # None: group exists, keys not checked
    doc: str = ""
    # key prefixes with a shared spec (nvdsanalytics roi-<label>=...)
    prefix_keys: dict[str, Key] = field(default_factory=dict)

    def matches(self, group: str) -> bool:
        return _compiled(self.pattern).fullmatch(group) is not None


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _k(type_: T, doc: str = "", **kw: object) -> Key:
    return Key(type_, doc, **kw)  # type: ignore[arg-type]


_FLAG = _k(T.FLAG, "0/1")
_ENABLE = _k(T.FLAG, "1 to use the group; anything else (or missing) skips it", lo=0, hi=1)
_GPU = _k(T.INT, "GPU index", lo=0, default="0")
_MEMTYPE = _k(
    T.INT,
    "NvBufSurface memory type",
    choices={0: "platform default", 1: "pinned", 2: "device", 3: "unified", 4: "surface array"},
    value_platform={4: "jetson"},
    default="0",
)
_COLOR = _k(T.COLOR, "r;g;b;a, each in [0,1]", lo=0.0, hi=1.0, length=(4, 4))

APP_GROUPS: list[GroupSpec] = [
    GroupSpec(
        "application",
        r"application",
        {
            "enable-perf-measurement": _FLAG,
            "perf-measurement-interval-sec": _k(T.INT, "seconds between FPS prints", lo=1),
            "gie-kitti-output-dir": _k(T.STR, "KITTI output dir"),
            "kitti-track-output-dir": _k(T.STR, "tracker KITTI output dir"),
            "reid-track-output-dir": _k(T.STR, "ReID output dir"),
            "terminated-track-output-dir": _k(T.STR, "terminated tracks dir"),
            "shadow-track-output-dir": _k(T.STR, "shadow tracks dir"),
            "global-gpu-id": _k(
                T.INT, "GPU for every element (-1 = per element)", lo=-1, since="8.0"
            ),
        },
        "app-wide settings",
    ),
    GroupSpec(
        "tiled-display",
        r"tiled-display",
        {
            "enable": _k(T.INT, "0 off, 1 on, 2 on with per-source output", lo=0, hi=2),
            "rows": _k(T.INT, "tile rows", lo=1),
            "columns": _k(T.INT, "tile columns", lo=1),
            "width": _k(T.INT, "output width", lo=1),
            "height": _k(T.INT, "output height", lo=1),
            "gpu-id": _GPU,
            "nvbuf-memory-type": _MEMTYPE,
            "compute-hw": _k(
                T.INT,
                "0 default, 1 GPU, 2 VIC",
                choices={0: "default", 1: "GPU", 2: "VIC"},
                value_platform={2: "jetson"},
            ),
            "buffer-pool-size": _k(T.INT, "buffers in the pool", lo=1),
            "square-seq-grid": _FLAG,
        },
        "the 2D tiler",
    ),
    GroupSpec(
        "sourceN",
        r"source.*",  # bad names (source-a) are reported by the naming rule
        {
            "enable": _ENABLE,
            "type": _k(
                T.INT,
                "source kind",
                choices={
                    1: "V4L2 camera",
                    2: "URI",
                    3: "MultiURI",
                    4: "RTSP",
                    5: "CSI camera",
                    6: "WAV",
                    7: "audio URI",
                    8: "ALSA",
                    9: "IPC",
                },
                value_platform={5: "jetson"},
                value_since={9: "8.0"},
            ),
            "uri": _k(T.STR, "file://, rtsp://, http:// (type 3: with %d)"),
            "num-sources": _k(T.INT, "type 3: number of sources", lo=1, default="1"),
            "gpu-id": _GPU,
            "camera-id": _k(T.INT, "camera id", lo=0),
            "camera-width": _k(T.INT, "capture width", lo=1),
            "camera-height": _k(T.INT, "capture height", lo=1),
            "camera-fps-n": _k(T.INT, "fps numerator", lo=1),
            "camera-fps-d": _k(T.INT, "fps denominator", lo=1),
            "camera-v4l2-dev-node": _k(T.INT, "/dev/videoN", lo=0),
            "camera-csi-sensor-id": _k(T.INT, "CSI sensor", lo=0, platform="jetson"),
            "latency": _k(T.INT, "RTSP jitter buffer (ms)", lo=0, default="100"),
            "select-rtp-protocol": _k(
                T.INT, "RTP transport", choices={0: "default", 4: "TCP only", 7: "UDP+mcast+TCP"}
            ),
            "rtsp-reconnect-interval-sec": _k(T.INT, "0 = no reconnect", lo=0),
            "rtsp-reconnect-attempts": _k(T.INT, "-1 = forever", lo=-1),
            "init-rtsp-reconnect-interval": _k(T.INT, "first reconnect wait (s)", lo=0),
            "drop-frame-interval": _k(T.INT, "decode every Nth frame", lo=0),
            "num-decode-surfaces": _k(T.INT, "decoder surfaces", lo=1, default="16"),
            "num-extra-surfaces": _k(T.INT, "extra decoder surfaces", lo=0, default="1"),
            "cudadec-memtype": _k(
                T.INT,
                "decoder memory",
                choices={0: "device", 1: "pinned", 2: "unified"},
                platform="dgpu",
            ),
            "nvbuf-memory-type": _MEMTYPE,
            "intra-decode-enable": _FLAG,
            "low-latency-mode": _FLAG,
            "dec-skip-frames": _k(T.INT, "0 all, 1 non-ref, 2 key frames", lo=0, hi=2),
            "udp-buffer-size": _k(T.INT, "bytes", lo=0),
            "video-format": _k(T.STR, "raw format (NV12, RGBA)"),
            "source-id": _k(T.INT, "source index", lo=0),
            "smart-record": _k(T.INT, "0 off, 1 cloud, 2 cloud+local", lo=0, hi=2),
            "smart-rec-dir-path": _k(T.PATH, "must exist when the app starts", path=PathKind.DIR),
            "smart-rec-file-prefix": _k(T.STR, "file prefix"),
            "smart-rec-cache": _k(T.INT, "seconds of cache", lo=0),
            "smart-rec-container": _k(T.INT, "0 mp4, 1 mkv", choices={0: "mp4", 1: "mkv"}),
            "smart-rec-default-duration": _k(T.INT, "seconds", lo=0),
            "smart-rec-duration": _k(T.INT, "seconds", lo=0),
            "smart-rec-start-time": _k(T.INT, "seconds before the event", lo=0),
            "smart-rec-interval": _k(T.INT, "seconds between recordings", lo=0),
        },
        "an input; N is the source index",
    ),
    GroupSpec(
        "streammux",
        r"streammux",
        {
            "batch-size": _k(T.INT, "frames per batch (= sources for live input)", lo=1, hi=1024),
            "batched-push-timeout": _k(T.INT, "µs; about 1e6 / max fps", lo=-1),
            "width": _k(T.INT, "output width (legacy mux)", lo=1),
            "height": _k(T.INT, "output height (legacy mux)", lo=1),
            "enable-padding": _FLAG,
            "live-source": _FLAG,
            "nvbuf-memory-type": _MEMTYPE,
            "gpu-id": _GPU,
            "buffer-pool-size": _k(T.INT, "applied when >= 4", lo=1),
            "attach-sys-ts-as-ntp": _FLAG,
            "sync-inputs": _FLAG,
            "max-latency": _k(T.INT, "ns", lo=0),
            "num-surfaces-per-frame": _k(T.INT, "surfaces per frame", lo=1),
            "compute-hw": _k(
                T.INT,
                "0 default, 1 GPU, 2 VIC",
                choices={0: "default", 1: "GPU", 2: "VIC"},
                value_platform={2: "jetson"},
            ),
            "interpolation-method": _k(T.INT, "scaling filter", lo=0, hi=6),
            "frame-num-reset-on-eos": _FLAG,
            "frame-num-reset-on-stream-reset": _FLAG,
            "frame-duration": _k(T.INT, "ms, -1 = from buffers", lo=-1),
            "async-process": _FLAG,
            "no-pipeline-eos": _FLAG,
            "drop-pipeline-eos": _FLAG,
            "config-file": _k(
                T.PATH,
                "new-mux config (USE_NEW_NVSTREAMMUX=yes)",
                path=PathKind.CONFIG,
                deprecated="config-file-path",
                deprecated_since="8.0",
                since=None,
            ),
            "config-file-path": _k(
                T.PATH,
                "new-mux config (USE_NEW_NVSTREAMMUX=yes)",
                path=PathKind.CONFIG,
                since="8.0",
            ),
        },
        "batches the sources",
    ),
]

_GIE_KEYS: dict[str, Key] = {
    "enable": _ENABLE,
    "config-file": _k(T.PATH, "nvinfer config (required when enabled)", path=PathKind.CONFIG),
    "plugin-type": _k(
        T.INT, "0 nvinfer, 1 nvinferserver", choices={0: "nvinfer", 1: "nvinferserver"}
    ),
    "gpu-id": _GPU,
    "gie-unique-id": _k(T.INT, "unique id of this GIE", lo=1),
    "operate-on-gie-id": _k(T.INT, "GIE whose objects this one reads", lo=-1),
    "operate-on-class-ids": _k(T.INT_LIST, "classes it runs on"),
    "batch-size": _k(T.INT, "overrides the nvinfer file", lo=1, hi=1024),
    "interval": _k(T.INT, "frames skipped between inferences", lo=0),
    "model-engine-file": _k(T.PATH, "TensorRT engine", path=PathKind.ARTIFACT),
    "labelfile-path": _k(T.PATH, "labels (missing = fatal)", path=PathKind.CONFIG),
    "nvbuf-memory-type": _MEMTYPE,
    "input-tensor-meta": _FLAG,
    "infer-raw-output-dir": _k(T.STR, "dump raw outputs here"),
    "audio-transform": _k(T.STR, "audio GIE transform"),
    "audio-framesize": _k(T.INT, "audio frame size", lo=1),
    "audio-hopsize": _k(T.INT, "audio hop size", lo=1),
    "audio-rate": _k(T.INT, "audio rate", lo=1),
}

APP_GROUPS += [
    GroupSpec(
        "primary-gie",
        r"primary-gie",
        _GIE_KEYS,
        "the detector; bbox-border-colorN / bbox-bg-colorN take 4 floats",
        prefix_keys={"bbox-border-color": _COLOR, "bbox-bg-color": _COLOR},
    ),
    GroupSpec(
        "secondary-gieN",
        r"secondary-gie.*",
        _GIE_KEYS,
        "a classifier on the PGIE's objects (at most 16)",
        prefix_keys={"bbox-border-color": _COLOR, "bbox-bg-color": _COLOR},
    ),
    GroupSpec(
        "tracker",
        r"tracker",
        {
            "enable": _k(T.INT, "1 on; `true` here is a fatal parse error", lo=0, hi=1),
            "tracker-width": _k(T.INT, "multiple of 32 for NvDCF/DeepSORT", lo=32),
            "tracker-height": _k(T.INT, "multiple of 32 for NvDCF/DeepSORT", lo=32),
            "ll-lib-file": _k(T.PATH, "libnvds_nvmultiobjecttracker.so", path=PathKind.SYSTEM),
            "ll-config-file": _k(T.PATH, "tracker YAML", path=PathKind.CONFIG),
            "gpu-id": _GPU,
            "display-tracking-id": _FLAG,
            "tracking-id-reset-mode": _k(T.INT, "0-3", lo=0, hi=3),
            "tracking-surface-type": _k(T.INT, "surface type to track", lo=0),
            "compute-hw": _k(
                T.INT,
                "0 default, 1 GPU, 2 VIC",
                choices={0: "default", 1: "GPU", 2: "VIC"},
                value_platform={2: "jetson"},
            ),
            "user-meta-pool-size": _k(T.INT, "user meta pool", lo=1),
            "sub-batches": _k(T.STR, "e.g. 2:2 (6.4+)", since="7.0"),
            "enable-batch-process": _k(T.FLAG, "gone: always batched", deprecated=""),
            "enable-past-frame": _k(
                T.FLAG, "gone: past-frame data is always output", deprecated=""
            ),
        },
        "nvtracker",
    ),
    GroupSpec(
        "nvds-analytics",
        r"nvds-analytics",
        {
            "enable": _ENABLE,
            "config-file": _k(T.PATH, "nvdsanalytics config", path=PathKind.CONFIG),
        },
        "nvdsanalytics",
    ),
    GroupSpec(
        "osd",
        r"osd",
        {
            "enable": _ENABLE,
            "gpu-id": _GPU,
            "process-mode": _k(
                T.INT,
                "0 CPU, 1 GPU, 2 VIC",
                choices={0: "CPU", 1: "GPU", 2: "VIC"},
                value_platform={2: "jetson"},
            ),
            "border-width": _k(T.INT, "px", lo=0),
            "text-size": _k(T.INT, "pt", lo=1),
            "text-color": _COLOR,
            "text-bg-color": _COLOR,
            "clock-color": _COLOR,
            "clock-text-size": _k(T.INT, "pt", lo=1),
            "clock-x-offset": _k(T.INT, "px", lo=0),
            "clock-y-offset": _k(T.INT, "px", lo=0),
            "font": _k(T.STR, "font name"),
            "show-clock": _FLAG,
            "display-text": _FLAG,
            "display-bbox": _FLAG,
            "display-mask": _FLAG,
            "hw-blend-color-attr": _k(T.STR, "Jetson blend colours", platform="jetson"),
            "nvbuf-memory-type": _MEMTYPE,
        },
        "on-screen display",
    ),
    GroupSpec(
        "sinkN",
        r"sink.*",
        {
            "enable": _ENABLE,
            "type": _k(
                T.INT,
                "sink kind",
                choices={
                    1: "fakesink",
                    2: "display",
                    3: "file",
                    4: "RTSP",
                    5: "DRM",
                    6: "msgconv+msgbroker",
                },
                value_platform={5: "jetson"},
            ),
            "sync": _k(T.INT, "0 as fast as possible, 1 real time", lo=0, hi=1),
            "qos": _FLAG,
            "source-id": _k(T.INT, "source index (demuxed sinks)", lo=0),
            "link-to-demux": _FLAG,
            "gpu-id": _GPU,
            "nvbuf-memory-type": _MEMTYPE,
            "width": _k(T.INT, "display width", lo=0),
            "height": _k(T.INT, "display height", lo=0),
            "offset-x": _k(T.INT, "px", lo=0),
            "offset-y": _k(T.INT, "px", lo=0),
            "display-id": _k(T.INT, "display", lo=0),
            "overlay-id": _k(T.INT, "overlay", lo=0),
            "conn-id": _k(T.INT, "DRM connector", lo=0),
            "plane-id": _k(T.INT, "DRM plane", lo=0),
            "container": _k(T.INT, "1 mp4, 2 mkv", choices={1: "mp4", 2: "mkv"}),
            "codec": _k(
                T.INT,
                "1 H264, 2 H265, 3 MPEG4 (file only)",
                choices={1: "H264", 2: "H265", 3: "MPEG4"},
            ),
            "enc-type": _k(T.INT, "0 hardware, 1 software", choices={0: "HW", 1: "SW"}),
            "bitrate": _k(T.INT, "bit/s", lo=1),
            "profile": _k(T.INT, "encoder profile", lo=0),
            "iframeinterval": _k(T.INT, "frames", lo=1),
            "sw-preset": _k(T.INT, "x264 preset", lo=0),
            "output-file": _k(T.PATH, "file written", path=PathKind.OUTPUT),
            "rtsp-port": _k(T.INT, "RTSP server port (8554)", lo=1, hi=65535),
            "udp-port": _k(T.INT, "RTP port (5000)", lo=1, hi=65535),
            "udp-buffer-size": _k(T.INT, "bytes", lo=0),
            "msg-conv-config": _k(T.PATH, "msgconv config", path=PathKind.CONFIG),
            "msg-conv-payload-type": _k(
                T.INT,
                "payload schema",
                choices={0: "full", 1: "minimal", 2: "protobuf", 257: "custom (msg2p-lib)"},
            ),
            "msg-conv-msg2p-lib": _k(T.PATH, "custom payload library", path=PathKind.ARTIFACT),
            "msg-conv-comp-id": _k(T.INT, "component id", lo=0),
            "msg-conv-msg2p-new-api": _k(T.FLAG, "1: payload from frame/object meta", lo=0, hi=1),
            "msg-conv-frame-interval": _k(T.INT, "frames between payloads", lo=1, default="30"),
            "msg-conv-dummy-payload": _FLAG,
            "msg-broker-proto-lib": _k(T.PATH, "adaptor library", path=PathKind.SYSTEM),
            "msg-broker-conn-str": _k(T.STR, "host;port[;user]"),
            "topic": _k(T.STR, "topic / queue / stream"),
            "msg-broker-config": _k(T.PATH, "broker cfg", path=PathKind.CONFIG),
            "msg-broker-comp-id": _k(T.INT, "component id", lo=0),
            "disable-msgconv": _FLAG,
            "new-api": _FLAG,
            "debug-payload-dir": _k(T.STR, "dump payloads here"),
            "multiple-payloads": _FLAG,
        },
        "an output",
    ),
    GroupSpec("tests", r"tests", {"file-loop": _FLAG}, "test options"),
    # Groups that exist but whose keys are not checked here.
    GroupSpec("img-save", r"img-save", None, "image saving (keys not checked)"),
    GroupSpec("ds-example", r"ds-example", None, "dsexample plugin (keys not checked)"),
    GroupSpec("pre-process", r"pre-process", None, "nvdspreprocess (keys not checked)"),
    GroupSpec("message-converter", r"message-converter", None, "standalone msgconv (not checked)"),
    GroupSpec("message-consumerN", r"message-consumer.*", None, "consumers (keys not checked)"),
    GroupSpec("secondary-pre-processN", r"secondary-pre-process.*", None, "(keys not checked)"),
    GroupSpec("audio-transform", r"audio-transform", None, "(keys not checked)"),
]

_NET_MODE = _k(
    T.INT,
    "0 FP32, 1 INT8, 2 FP16, 3 BEST (8.0)",
    choices={0: "FP32", 1: "INT8", 2: "FP16", 3: "BEST"},
    value_since={3: "8.0"},
)

NVINFER_GROUPS: list[GroupSpec] = [
    GroupSpec(
        "property",
        r"property",
        {
            "gie-unique-id": _k(T.INT, "unique id (> 0)", lo=1),
            "gpu-id": _GPU,
            "process-mode": _k(
                T.INT, "1 primary, 2 secondary", choices={1: "primary", 2: "secondary"}
            ),
            "interval": _k(T.INT, "frames skipped", lo=0),
            "batch-size": _k(T.INT, "1-1024", lo=1, hi=1024),
            "operate-on-gie-id": _k(T.INT, "GIE whose objects it reads", lo=-1),
            "operate-on-class-ids": _k(T.INT_LIST, "classes it runs on"),
            "filter-out-class-ids": _k(T.INT_LIST, "classes dropped"),
            "onnx-file": _k(T.PATH, "ONNX model", path=PathKind.ARTIFACT),
            "model-engine-file": _k(T.PATH, "TensorRT engine", path=PathKind.ARTIFACT),
            "int8-calib-file": _k(T.PATH, "INT8 calibration cache", path=PathKind.ARTIFACT),
            "labelfile-path": _k(T.PATH, "labels", path=PathKind.CONFIG),
            "custom-network-config": _k(T.PATH, "custom network config", path=PathKind.ARTIFACT),
            "model-file": _k(
                T.PATH, "Caffe model (gone with TensorRT 10)", path=PathKind.ARTIFACT, until="7.0"
            ),
            "proto-file": _k(
                T.PATH,
                "Caffe prototxt (gone with TensorRT 10)",
                path=PathKind.ARTIFACT,
                until="7.0",
            ),
            "uff-file": _k(
                T.PATH, "UFF model (gone with TensorRT 10)", path=PathKind.ARTIFACT, until="7.0"
            ),
            "uff-input-blob-name": _k(T.STR, "UFF input (gone with TensorRT 10)", until="7.0"),
            "uff-input-order": _k(T.INT, "UFF order (gone with TensorRT 10)", until="7.0"),
            "tlt-encoded-model": _k(T.PATH, "TAO .etlt model", path=PathKind.ARTIFACT),
            "tlt-model-key": _k(T.STR, "TAO key"),
            "mean-file": _k(T.PATH, "PPM mean image", path=PathKind.ARTIFACT),
            "infer-dims": _k(T.INT_LIST, "c;h;w", lo=1, length=(3, 3)),
            "input-dims": _k(T.INT_LIST, "c;h;w;order", deprecated="infer-dims"),
            "uff-input-dims": _k(T.INT_LIST, "c;h;w;order", deprecated="infer-dims"),
            "workspace-size": _k(T.INT, "MB", lo=1),
            "network-type": _k(
                T.INT,
                "model kind",
                choices={
                    0: "detector",
                    1: "classifier",
                    2: "segmentation",
                    3: "instance segmentation",
                    100: "other",
                },
            ),
            "is-classifier": _k(T.BOOL, "old switch", deprecated="network-type"),
            "network-mode": _NET_MODE,
            "output-blob-names": _k(T.STR, "output tensor names, ;-separated"),
            "output-io-formats": _k(T.STR, "name:type:format;..."),
            "layer-device-precision": _k(T.STR, "name:precision:device;..."),
            "enable-dla": _k(T.BOOL, "run on DLA", platform="jetson"),
            "use-dla-core": _k(T.INT, "DLA core", lo=0, hi=1, platform="jetson"),
            "net-scale-factor": _k(T.FLOAT, "pixel scale (1/255 for YOLO)", lo=0.0),
            "offsets": _k(T.FLOAT_LIST, "per-channel mean", length=(1, 4)),
            "model-color-format": _k(
                T.INT, "0 RGB, 1 BGR, 2 GRAY", choices={0: "RGB", 1: "BGR", 2: "GRAY"}
            ),
            "maintain-aspect-ratio": _k(T.BOOL, "letterbox"),
            "symmetric-padding": _k(T.BOOL, "centre the letterbox"),
            "scaling-filter": _k(T.INT, "interpolation", lo=0, hi=6),
            "scaling-compute-hw": _k(
                T.INT,
                "0 default, 1 GPU, 2 VIC",
                choices={0: "default", 1: "GPU", 2: "VIC"},
                value_platform={2: "jetson"},
            ),
            "num-detected-classes": _k(T.INT, "classes (= label lines)", lo=1),
            "cluster-mode": _k(
                T.INT,
                "clustering",
                choices={0: "GroupRectangles", 1: "DBSCAN", 2: "NMS", 3: "DBSCAN+NMS", 4: "none"},
            ),
            "parse-bbox-func-name": _k(T.STR, "custom bbox parser symbol"),
            "parse-bbox-instance-mask-func-name": _k(T.STR, "instance-mask parser symbol"),
            "parse-classifier-func-name": _k(T.STR, "custom classifier parser symbol"),
            "parse-func": _k(T.INT, "old parser selector", deprecated="parse-bbox-func-name"),
            "custom-lib-path": _k(T.PATH, "custom parser library", path=PathKind.ARTIFACT),
            "engine-create-func-name": _k(T.STR, "custom engine builder symbol"),
            "classifier-threshold": _k(T.FLOAT, "min confidence", lo=0.0, hi=1.0),
            "classifier-type": _k(T.STR, "attribute name in payloads (e.g. licenseplate)"),
            "classifier-async-mode": _k(T.BOOL, "async classification (needs tracker)"),
            "crop-objects-to-roi-boundary": _k(T.BOOL, "crop to ROI"),
            "output-tensor-meta": _k(T.BOOL, "attach raw tensors"),
            "output-instance-mask": _k(T.BOOL, "instance masks"),
            "segmentation-threshold": _k(T.FLOAT, "mask threshold", lo=0.0, hi=1.0),
            "segmentation-output-order": _k(T.INT, "0 NCHW, 1 NHWC", lo=0, hi=1),
            "force-implicit-batch-dim": _k(
                T.BOOL, "implicit batch (gone with TensorRT 10)", until="7.0"
            ),
            "disable-output-host-copy": _k(T.BOOL, "keep outputs on device"),
            "input-tensor-from-meta": _k(T.BOOL, "use nvdspreprocess tensors"),
            "secondary-reinfer-interval": _k(T.INT, "frames between re-inference", lo=0),
            "input-object-min-width": _k(T.INT, "px", lo=0),
            "input-object-min-height": _k(T.INT, "px", lo=0),
            "input-object-max-width": _k(T.INT, "px", lo=0),
            "input-object-max-height": _k(T.INT, "px", lo=0),
            "gpu-tensor-meta": _k(T.BOOL, "tensors on GPU"),
            "dump-input-tensor": _k(T.BOOL, "debug dump"),
            "dump-output-tensor": _k(T.BOOL, "debug dump"),
        },
        "nvinfer settings",
    ),
]

_CLASS_ATTRS = {
    "pre-cluster-threshold": _k(
        T.FLOAT, "min confidence before clustering", lo=0.0, hi=1.0, default="0.2"
    ),
    "threshold": _k(T.FLOAT, "old name", lo=0.0, hi=1.0, deprecated="pre-cluster-threshold"),
    "post-cluster-threshold": _k(T.FLOAT, "min confidence after clustering", lo=0.0, hi=1.0),
    "nms-iou-threshold": _k(T.FLOAT, "NMS IoU", lo=0.0, hi=1.0, default="0.3"),
    "topk": _k(T.INT, "-1 keeps all", lo=-1, default="-1"),
    "eps": _k(T.FLOAT, "DBSCAN/GroupRectangles eps", lo=0.0),
    "group-threshold": _k(T.INT, "GroupRectangles", lo=0),
    "minBoxes": _k(T.INT, "DBSCAN", lo=0),
    "dbscan-min-score": _k(T.FLOAT, "DBSCAN", lo=0.0),
    "detected-min-w": _k(T.INT, "px", lo=0),
    "detected-min-h": _k(T.INT, "px", lo=0),
    "detected-max-w": _k(T.INT, "px", lo=0),
    "detected-max-h": _k(T.INT, "px", lo=0),
    "roi-top-offset": _k(T.INT, "px", lo=0),
    "roi-bottom-offset": _k(T.INT, "px", lo=0),
}
NVINFER_GROUPS += [
    GroupSpec("class-attrs-all", r"class-attrs-all", _CLASS_ATTRS, "defaults for every class"),
    GroupSpec(
        "class-attrs-N", r"class-attrs-\d+", _CLASS_ATTRS, "class N (< num-detected-classes)"
    ),
]

_POINTS = _k(T.INT_LIST, "x;y;... (>= 3 points)", lo=0)
ANALYTICS_GROUPS: list[GroupSpec] = [
    GroupSpec(
        "property",
        r"property",
        {
            "enable": _k(T.FLAG, "required", lo=0, hi=1),
            "config-width": _k(T.INT, "coordinate space width (required)", lo=1),
            "config-height": _k(T.INT, "coordinate space height (required)", lo=1),
            "osd-mode": _k(T.INT, "0 none, 1 lines only, 2 all", lo=0, hi=2),
            "display-font-size": _k(T.INT, "pt", lo=1),
            "obj-cnt-win-in-ms": _k(T.INT, "ms", lo=1),
            "display-obj-cnt": _FLAG,
        },
        "nvdsanalytics settings",
    ),
    GroupSpec(
        "roi-filtering-stream-N",
        r"roi-filtering-stream-\d+",
        {"enable": _FLAG, "class-id": _k(T.INT_LIST, "-1 all"), "inverse-roi": _FLAG},
        "ROI filter for source N",
        prefix_keys={"roi-": _POINTS},
    ),
    GroupSpec(
        "overcrowding-stream-N",
        r"overcrowding-stream-\d+",
        {
            "enable": _FLAG,
            "class-id": _k(T.INT_LIST, "-1 all"),
            "object-threshold": _k(T.INT, "objects", lo=1),
            "time-threshold": _k(T.INT, "ms", lo=0),
        },
        "overcrowding for source N",
        prefix_keys={"roi-": _POINTS},
    ),
    GroupSpec(
        "line-crossing-stream-N",
        r"line-crossing-stream-\d+",
        {
            "enable": _FLAG,
            "class-id": _k(T.INT_LIST, "-1 all"),
            "extended": _k(T.INT, "0 segment, 1 infinite line", lo=0, hi=1),
            "mode": _k(
                T.STR,
                "loose, balanced, strict",
                choices={"loose": "", "balanced": "", "strict": ""},
            ),
        },
        "line crossing for source N",
        prefix_keys={
            "line-crossing-": _k(T.INT_LIST, "dx1;dy1;dx2;dy2;x1;y1;x2;y2", lo=0, length=(8, 8))
        },
    ),
    GroupSpec(
        "direction-detection-stream-N",
        r"direction-detection-stream-\d+",
        {
            "enable": _FLAG,
            "class-id": _k(T.INT_LIST, "-1 all"),
            "mode": _k(
                T.STR,
                "loose, balanced, strict",
                choices={"loose": "", "balanced": "", "strict": ""},
            ),
        },
        "direction detection for source N",
        prefix_keys={"direction-": _k(T.INT_LIST, "x1;y1;x2;y2", lo=0, length=(4, 4))},
    ),
]

MSGCONV_GROUPS: list[GroupSpec] = [
    GroupSpec(
        "sensorN",
        r"sensor\d+",
        {
            "enable": _FLAG,
            "id": _k(T.STR, "sensor id in payloads"),
            "type": _k(T.STR, "e.g. Camera"),
            "description": _k(T.STR, "text"),
            "location": _k(T.FLOAT_LIST, "lat;lon;alt", length=(3, 3)),
            "coordinate": _k(T.FLOAT_LIST, "x;y;z", length=(3, 3)),
        },
        "sensor for source N",
    ),
    GroupSpec(
        "placeN",
        r"place\d+",
        {
            "enable": _FLAG,
            "id": _k(T.STR, "place id"),
            "type": _k(T.STR, "e.g. intersection/road"),
            "name": _k(T.STR, "name"),
            "location": _k(T.FLOAT_LIST, "lat;lon;alt", length=(3, 3)),
            "coordinate": _k(T.FLOAT_LIST, "x;y;z", length=(3, 3)),
            "place-sub-field1": _k(T.STR, "free text"),
            "place-sub-field2": _k(T.STR, "free text"),
            "place-sub-field3": _k(T.STR, "free text"),
        },
        "place for source N",
    ),
    GroupSpec(
        "analyticsN",
        r"analytics\d+",
        {
            "enable": _FLAG,
            "id": _k(T.STR, "module id"),
            "description": _k(T.STR, "text"),
            "source": _k(T.STR, "text"),
            "version": _k(T.STR, "text"),
        },
        "analytics module for source N",
    ),
]

_SHARE = _k(T.BOOL, "share one connection between producer and consumer")
BROKER_KEYS: dict[str, dict[str, Key]] = {
    "kafka": {
        "proto-cfg": _k(T.STR, "librdkafka options k=v;..."),
        "partition-key": _k(T.STR, "sensor.id (full schema) / sensorId (minimal)"),
        "consumer-group-id": _k(T.STR, "consumer group"),
        "share-connection": _SHARE,
    },
    "mqtt": {
        "username": _k(T.STR, "user"),
        "password": _k(T.STR, "password"),
        "client-id": _k(T.STR, "client id"),
        "enable-tls": _k(T.BOOL, "TLS"),
        "tls-cafile": _k(T.PATH, "CA", path=PathKind.ARTIFACT),
        "tls-capath": _k(T.PATH, "CA dir", path=PathKind.ARTIFACT),
        "tls-certfile": _k(T.PATH, "client cert", path=PathKind.ARTIFACT),
        "tls-keyfile": _k(T.PATH, "client key", path=PathKind.ARTIFACT),
        "keep-alive": _k(T.INT, "seconds", lo=1),
        "loop-timeout": _k(T.INT, "ms", lo=1),
        "set-threaded": _k(T.BOOL, "mosquitto threaded loop"),
        "share-connection": _SHARE,
    },
    "amqp": {
        "hostname": _k(T.STR, "host"),
        "port": _k(T.INT, "port", lo=1, hi=65535),
        "username": _k(T.STR, "user"),
        "password": _k(T.STR, "password"),
        "exchange": _k(T.STR, "exchange"),
        "topic": _k(T.STR, "routing key"),
        "amqp-framesize": _k(T.INT, "bytes", lo=4096),
        "amqp-heartbeat": _k(T.INT, "seconds", lo=0),
        "share-connection": _SHARE,
    },
    "redis": {
        "hostname": _k(T.STR, "host"),
        "port": _k(T.INT, "port", lo=1, hi=65535),
        "payloadkey": _k(T.STR, "field name of the payload"),
        "streamsize": _k(T.INT, "max stream length", lo=1),
        "consumergroup": _k(T.STR, "consumer group"),
        "password": _k(T.STR, "password"),
        "share-connection": _SHARE,
    },
}
# msg-broker-proto-lib file name -> adaptor
ADAPTOR_LIBS = {
    "libnvds_kafka_proto.so": "kafka",
    "libnvds_mqtt_proto.so": "mqtt",
    "libnvds_amqp_proto.so": "amqp",
    "libnvds_redis_proto.so": "redis",
    "libnvds_azure_proto.so": "azure",
    "libnvds_azure_edge_proto.so": "azure",
}


def broker_groups(adaptor: str | None) -> list[GroupSpec]:
    keys = BROKER_KEYS.get(adaptor or "")
    return [GroupSpec("message-broker", r"message-broker", keys, f"{adaptor or 'any'} adaptor")]


# Tracker YAML: section -> key -> spec (the low-level library's documented keys).
_P = _k(T.FLOAT, "[0,1]", lo=0.0, hi=1.0)
_F = _k(T.FLOAT, "number")
_I = _k(T.INT, "integer", lo=0)
_B = _k(T.INT, "0/1", lo=0, hi=1)
TRACKER_SECTIONS: dict[str, dict[str, Key]] = {
    "BaseConfig": {"minDetectorConfidence": _P},
    "TargetManagement": {
        "enableBboxUnClipping": _B,
        "preserveStreamUpdateOrder": _B,
        "maxTargetsPerStream": _k(T.INT, "targets", lo=1),
        "minIouDiff4NewTarget": _P,
        "minTrackerConfidence": _P,
        "probationAge": _I,
        "maxShadowTrackingAge": _I,
        "earlyTerminationAge": _I,
        "outputTerminatedTracks": _B,
        "outputShadowTracks": _B,
    },
    "TrajectoryManagement": {
        "useUniqueID": _B,
        "enableReAssoc": _B,
        "minMatchingScore4Overall": _P,
        "minTrackletMatchingScore": _P,
        "minMatchingScore4ReidSimilarity": _P,
        "matchingScoreWeight4TrackletSimilarity": _P,
        "matchingScoreWeight4ReidSimilarity": _P,
        "minTrajectoryLength4Projection": _I,
        "prepLength4TrajectoryProjection": _I,
        "trajectoryProjectionLength": _I,
        "maxAngle4TrackletMatching": _k(T.FLOAT, "degrees", lo=0.0, hi=180.0),
        "minSpeedSimilarity4TrackletMatching": _P,
        "minBboxSizeSimilarity4TrackletMatching": _P,
        "maxTrackletMatchingTimeSearchRange": _I,
        "trajectoryProjectionProcessNoiseScale": _F,
        "trajectoryProjectionMeasurementNoiseScale": _F,
        "trackletSpacialSearchRegionScale": _F,
        "reidExtractionInterval": _k(T.INT, "frames", lo=-1),
    },
    "DataAssociator": {
        "dataAssociatorType": _k(T.INT, "0", lo=0, hi=0),
        "associationMatcherType": _k(T.INT, "0 greedy, 1 cascaded", lo=0, hi=1),
        "checkClassMatch": _B,
        "minMatchingScore4Overall": _P,
        "minMatchingScore4SizeSimilarity": _P,
        "minMatchingScore4Iou": _P,
        "minMatchingScore4VisualSimilarity": _P,
        "minMatchingScore4ReidSimilarity": _P,
        "matchingScoreWeight4VisualSimilarity": _P,
        "matchingScoreWeight4SizeSimilarity": _P,
        "matchingScoreWeight4Iou": _P,
        "matchingScoreWeight4ReidSimilarity": _P,
        "tentativeDetectorConfidence": _P,
        "minMatchingScore4TentativeIou": _P,
        "usePrediction4Assoc": _B,
    },
    "StateEstimator": {
        "stateEstimatorType": _k(T.INT, "0 dummy, 1 simple, 2 regular", lo=0, hi=2),
        "processNoiseVar4Loc": _F,
        "processNoiseVar4Size": _F,
        "processNoiseVar4Vel": _F,
        "measurementNoiseVar4Detector": _F,
        "measurementNoiseVar4Tracker": _F,
        "noiseWeightVar4Loc": _F,
        "noiseWeightVar4Vel": _F,
        "useAspectRatio": _B,
    },
    "VisualTracker": {
        "visualTrackerType": _k(T.INT, "0 none, 1 NvDCF", lo=0, hi=2),
        "useColorNames": _B,
        "useHog": _B,
        "featureImgSizeLevel": _k(T.INT, "1-5", lo=1, hi=5),
        "featureFocusOffsetFactor_y": _F,
        "filterLr": _P,
        "filterChannelWeightsLr": _P,
        "gaussianSigma": _F,
    },
    "ReID": {
        "reidType": _k(T.INT, "0 none, 1 DeepSORT, 2 reassoc, 3 both", lo=0, hi=3),
        "batchSize": _k(T.INT, "batch", lo=1),
        "workspaceSize": _k(T.INT, "MB", lo=1),
        "reidFeatureSize": _k(T.INT, "dims", lo=1),
        "reidHistorySize": _k(T.INT, "features kept", lo=1),
        "inferDims": _k(T.INT_LIST, "c;h;w", length=(3, 3)),
        "networkMode": _k(T.INT, "0 fp32, 1 fp16, 2 int8 (not nvinfer's numbering)", lo=0, hi=2),
        "inputOrder": _k(T.INT, "0 NCHW, 1 NHWC", lo=0, hi=1),
        "colorFormat": _k(T.INT, "0 RGB, 1 BGR", lo=0, hi=1),
        "offsets": _k(T.FLOAT_LIST, "per-channel mean"),
        "netScaleFactor": _F,
        "keepAspc": _B,
        "addFeatureNormalization": _B,
        "tltEncodedModel": _k(T.STR, "path"),
        "tltModelKey": _k(T.STR, "key"),
        "onnxFile": _k(T.STR, "path"),
        "modelEngineFile": _k(T.STR, "path"),
        "calibrationTableFile": _k(T.STR, "path"),
        "outputReidTensor": _B,
        "useVPICropScaler": _B,
    },
}

# Which app groups' `enable` is an integer that must be exactly 0 or 1 (reference §1).
ENABLE_INT_GROUPS = (r"source\d+", r"sink.*", r"primary-gie", r"secondary-gie.*")

FILE_KINDS: dict[str, list[GroupSpec]] = {
    "app": APP_GROUPS,
    "nvinfer": NVINFER_GROUPS,
    "analytics": ANALYTICS_GROUPS,
    "msgconv": MSGCONV_GROUPS,
}


def groups_for(kind: str, adaptor: str | None = None) -> list[GroupSpec]:
    if kind == "broker":
        return broker_groups(adaptor)
    return FILE_KINDS[kind]


@functools.lru_cache(maxsize=4096)
def find_group(kind: str, name: str, adaptor: str | None = None) -> GroupSpec | None:
    for spec in groups_for(kind, adaptor):
        if spec.matches(name):
            return spec
    return None


def find_key(spec: GroupSpec, key: str) -> Key | None:
    if spec.keys is not None and key in spec.keys:
        return spec.keys[key]
    for prefix, k in spec.prefix_keys.items():
        if key.startswith(prefix):
            return k
    return None


# ocr_parser.cfg: settings of alpr-gen's OCR parser (NvDsInferParseAlprOcr), found through
# ALPR_OCR_CONFIG or in deepstream-app's working directory (the bundle dir).
OCR_PARSER_FUNC = "NvDsInferParseAlprOcr"
OCR_CONFIG_NAME = "ocr_parser.cfg"
OCR_GROUPS: list[GroupSpec] = [
    GroupSpec(
        "ocr-parser",
        r"ocr-parser",
        {
            "dictionary": _k(
                T.PATH, "one character per line (relative to this file)", path=PathKind.ARTIFACT
            ),
            "blank-index": _k(T.INT, "CTC blank class; -1 = the last (LPRNet)", lo=-1),
            "min-length": _k(T.INT, "shortest plate emitted", lo=1),
            "charset": _k(T.STR, "characters kept"),
            "confidence": _k(T.STR, "plate score", choices={"min": "", "product": "", "mean": ""}),
            "uppercase": _k(T.BOOL, "a-z read as A-Z before the charset filter", default="1"),
            "substitutions": _k(T.STR, "read characters as others: O:0;I:1"),
            "formats": _k(T.STR, "plate formats of L/D/A, ';'-separated: LLLDDDD;LLDDLLL"),
            "formats-strict": _k(T.BOOL, "drop a plate that fits no format", default="0"),
        },
        "alpr-gen OCR parser",
    )
]
FILE_KINDS["ocr"] = OCR_GROUPS
