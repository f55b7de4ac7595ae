"""Facts about DeepStream that alpr-gen relies on: where it installs, what its codes mean.

Each value is what DeepStream's own sources use (deepstream_config_file_parser.c,
deepstream_sources.h, gstnvinfer.cpp, nvdsinfer_context_impl.cpp). Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from pathlib import PurePath, PurePosixPath

# Every DeepStream release installs under /opt/nvidia/deepstream/deepstream-X.Y, with
# /opt/nvidia/deepstream/deepstream a symlink to the current one.
INSTALL_PREFIX = PurePosixPath("/opt/nvidia/deepstream")
INSTALL_ROOT = INSTALL_PREFIX / "deepstream"
LIB_DIR = INSTALL_ROOT / "lib"
INCLUDE_DIR = INSTALL_ROOT / "sources" / "includes"
VERSION_FILE = INSTALL_ROOT / "version"
TRACKER_LIB = LIB_DIR / "libnvds_nvmultiobjecttracker.so"


def under_install_prefix(path: str | PurePath) -> bool:
    """True for files that come with DeepStream (they cannot exist on a CI machine)."""
    return PurePosixPath(path).as_posix().startswith(INSTALL_PREFIX.as_posix() + "/")


@dataclass(frozen=True)
class Broker:
    """A message broker nvmsgbroker reaches through one of DeepStream's adaptors."""

    kind: str  # kafka, mqtt, amqp, redis
    adaptor: str  # library file name in LIB_DIR
    default_port: int
    # Environment variables the adaptor reads at connect time; when set (even to ""), they
    # override the cfg's username / password (g_getenv in nvds_mqtt_proto.cpp,
    # amqp_client.cpp, nvds_redis_client.cpp). The Kafka adaptor reads none: SASL lives in
    # proto-cfg.
    user_env: str | None = None
    password_env: str | None = None

    @property
    def adaptor_path(self) -> str:
        return str(LIB_DIR / self.adaptor)


BROKERS: dict[str, Broker] = {
    b.kind: b
    for b in (
        Broker("kafka", "libnvds_kafka_proto.so", 9092),
        Broker("mqtt", "libnvds_mqtt_proto.so", 1883, "USER_MQTT", "PASSWORD_MQTT"),
        Broker("amqp", "libnvds_amqp_proto.so", 5672, "USER_AMQP", "PASSWORD_AMQP"),
        Broker("redis", "libnvds_redis_proto.so", 6379, None, "PASSWORD_REDIS"),
    )
}

# The adaptors' own defaults for keys a cfg may leave out (DFLT_* in their sources).
AMQP_DEFAULT_EXCHANGE = "amq.topic"
AMQP_DEFAULT_TOPIC = "deepstream_topic"  # routing key when the sink names no topic
AMQP_VHOST = "/"  # amqp_login(conn, "/", ...): not configurable
AMQP_DEFAULT_FRAME_SIZE = 131072
AMQP_DEFAULT_HEARTBEAT = 0  # seconds; 0 = no heartbeats
AMQP_MAX_TOPIC = 511  # longer sink topics fall back to the cfg's topic (MAX_LEN 512)
REDIS_DEFAULT_PAYLOAD_KEY = "metadata"
KAFKA_DEFAULT_PARTITION_KEY = "sensor.id"
MQTT_DEFAULT_KEEP_ALIVE = 60
# Adaptors DeepStream ships that alpr-gen does not render for (validate still recognises them).
OTHER_ADAPTORS = {"libnvds_azure_proto.so": "azure", "libnvds_azure_edge_proto.so": "azure"}


def broker_of_adaptor(proto_lib: str) -> str | None:
    """`.../libnvds_mqtt_proto.so` -> "mqtt" (None for an unknown library)."""
    name = PurePosixPath(proto_lib.strip()).name
    for broker in BROKERS.values():
        if broker.adaptor == name:
            return broker.kind
    return OTHER_ADAPTORS.get(name)


class SourceType(IntEnum):
    """[sourceN] type (deepstream_sources.h NvDsSourceType)."""

    CAMERA_V4L2 = 1
    URI = 2
    MULTI_URI = 3
    RTSP = 4
    CAMERA_CSI = 5


# URI schemes a [sourceN] uri can use: types 2/3 open the uri with uridecodebin (any scheme a
# GStreamer source element handles: these are the ones DeepStream installs ship elements for),
# type 4 with rtspsrc.
SOURCE_URI_SCHEMES = ("file", "rtsp", "rtsps", "rtspt", "rtspu", "http", "https", "udp", "rtmp")
# Source types that read `uri`.
URI_SOURCE_TYPES = (SourceType.URI, SourceType.MULTI_URI, SourceType.RTSP)
# Sources that never end and push frames at their own pace (nvstreammux live-source).
LIVE_SOURCE_TYPES = (SourceType.CAMERA_V4L2, SourceType.RTSP, SourceType.CAMERA_CSI)


class SinkType(IntEnum):
    """[sinkN] type (deepstream_sinks.h NvDsSinkType)."""

    FAKE = 1
    DISPLAY = 2
    FILE = 3
    RTSP = 4
    DRM = 5
    MSG_BROKER = 6


class ClusterMode(IntEnum):
    """nvinfer cluster-mode."""

    GROUP_RECTANGLES = 0
    DBSCAN = 1
    NMS = 2
    DBSCAN_NMS = 3
    NONE = 4


class ColorFormat(IntEnum):
    """nvinfer model-color-format."""

    RGB = 0
    BGR = 1
    GRAY = 2


class PayloadType(IntEnum):
    """msg-conv-payload-type."""

    FULL = 0
    MINIMAL = 1
    PROTOBUF = 2
    CUSTOM = 257


# nvinfer's network-mode codes; 3 (BEST) exists from DeepStream 8.0 and has no engine suffix.
NETWORK_MODE = {"fp32": 0, "int8": 1, "fp16": 2}
PRECISION_OF_MODE = {code: name for name, code in NETWORK_MODE.items()}

# gie-unique-id of the GIEs alpr-gen renders.
PGIE_ID = 1
OCR_GIE_ID = 2

# The custom parser library and the functions nvinfer looks up in it (dlsym by name).
PARSER_LIBRARY = "libnvdsinfer_alpr.so"
BBOX_PARSER = "NvDsInferParseAlprYolo"
OCR_PARSER = "NvDsInferParseAlprOcr"

# 1/255 as the shortest exact double: nvinfer stores net-scale-factor as the float32 nearest to
# it, which is what Ultralytics' x/255 uses. NVIDIA's samples write 0.0039215697906911373, two
# float32 ulps above it (a 2.4e-7 relative difference from PyTorch on every input pixel).
NET_SCALE_1_255 = repr(1 / 255)

# nvinfer never runs a secondary GIE on an object smaller than its floor in either dimension,
# whatever input-object-min-width / -height say (gstnvinfer.cpp gst_nvinfer_start:
# min_input_object_width = MAX(MIN_INPUT_OBJECT_WIDTH, configured), likewise the height). The
# floor depends on the release and the platform: alpr_gen.deepstream.versions.min_object_size.
# 16: MIN_INPUT_OBJECT_WIDTH/_HEIGHT of DeepStream 6.x, and from 7.1 the floor on Jetson (nvgpu
# driver) with scaling-compute-hw 0 or 2, "to support VIC compute mode".
NVINFER_MIN_OBJECT_SIZE = 16
# MIN_INPUT_OBJECT_WIDTH/_HEIGHT from DeepStream 7.1 on (the floor on a discrete GPU).
NVINFER_MIN_OBJECT_SIZE_GPU = 1
# secondary-reinfer-interval's default: "never again" for a tracked object.
INT_MAX = 2_147_483_647
# A secondary GIE re-infers a tracked object that grew by this fraction of its area.
REINFER_AREA_GROWTH = 0.2

# deepstream-app's defaults that alpr-gen's emulation and checks rely on.
DEFAULT_RTSP_PORT = 554
DEFAULT_MSG_CONV_FRAME_INTERVAL = 30
