"""An nvinfer config as nvinfer reads it: typed, with nvinfer's defaults, checks and quirks.

Written after gstnvinfer_property_parser.cpp (gst_nvinfer_parse_props / _other_attribute /
_class_attrs / parse_config_file), gstnvinfer.cpp (element defaults) and
nvdsinfer_context_impl.cpp (NvDsInferContext_ResetInitParams) of DeepStream 9:

- values are read with GLib's parsers (`alpr_gen.deepstream.glib_values`): `maintain-aspect-ratio`
  is a GLib boolean (true/false/1/0 only), `cluster-mode` a strtol integer, and so on;
- the checks nvinfer makes are made here (gie-unique-id > 0, batch-size 1..1024, infer-dims of
  3 values, at most 4 offsets, network-mode/-type, cluster-mode and model-color-format codes, no
  negative thresholds, nms-iou-threshold in [0, 1], topk >= 0 ...), raising InferConfigError
  naming the key; unknown keys are ignored, as nvinfer only warns about them;
- `[class-attrs-all]` sets every class, then each `[class-attrs-N]` (N < num-detected-classes,
  parsed with strtoull like nvinfer: `class-attrs-3x` is class 3) overrides its class, starting
  from the `all` values; class attributes are read only for detectors (network-type 0 or 3).

Relative paths are joined to `base_dir` (the config's directory; nvinfer also resolves symlinks,
which a caller may do). The values a caller passes are the effective ones: deepstream-app's
app-group keys (batch-size, gie-unique-id, model-engine-file, ...) already applied over the file.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from alpr_gen.deepstream.facts import INT_MAX, ClusterMode, ColorFormat
from alpr_gen.deepstream.keyfile import KeyFile
from alpr_gen.errors import InferConfigError

PROPERTY = "property"
CLASS_ATTRS_PREFIX = "class-attrs-"
CLASS_ATTRS_ALL = CLASS_ATTRS_PREFIX + "all"
MAX_BATCH_SIZE = 1024  # NVDSINFER_MAX_BATCH_SIZE
MAX_CHANNELS = 4  # _MAX_CHANNELS: offsets
NETWORK_TYPES = {
    0: "detector",
    1: "classifier",
    2: "segmentation",
    3: "instance segmentation",
    100: "other",
}
DETECTOR_TYPES = (0, 3)  # the network types whose class attributes nvinfer parses
NETWORK_MODES = {0: "fp32", 1: "int8", 2: "fp16", 3: "best"}
# NvBufSurfTransform_Inter: 0 nearest, 1 bilinear, 2-5 Algo1-4, 6 default (nearest on the GPU).
SCALING_FILTERS = range(7)
SCALING_FILTER_DEFAULT = 6
PRIMARY, SECONDARY = 1, 2  # process-mode


def to_float32(value: float) -> float:
    """nvinfer keeps thresholds, scale and offsets in C floats: the value it really uses."""
    return float(struct.unpack("f", struct.pack("f", value))[0])


@dataclass(frozen=True)
class ClassAttrs:
    """One class's detection parameters ([class-attrs-*]); defaults from
    gstnvinfer_property_parser.h (DEFAULT_PRE_CLUSTER_THRESHOLD ...)."""

    pre_cluster_threshold: float = 0.2
    post_cluster_threshold: float = 0.0
    nms_iou_threshold: float = 0.3
    topk: int = -1  # keep all
    eps: float = 0.0
    group_threshold: int = 0
    min_boxes: int = 0
    dbscan_min_score: float = 0.0
    detected_min_w: int = 0
    detected_min_h: int = 0
    detected_max_w: int = 0  # 0: no limit
    detected_max_h: int = 0
    roi_top_offset: int = 0
    roi_bottom_offset: int = 0


@dataclass(frozen=True)
class PreprocessSpec:
    """What nvinfer does to a frame or object before the model: the input of
    `alpr_gen.nvinfer.preprocess`."""

    net_width: int
    net_height: int
    channels: int = 3
    color_format: ColorFormat = ColorFormat.RGB
    net_scale_factor: float = 1.0
    offsets: tuple[float, ...] = ()
    maintain_aspect_ratio: bool = False
    symmetric_padding: bool = False
    scaling_filter: int = SCALING_FILTER_DEFAULT

    def __post_init__(self) -> None:
        # The float values nvinfer computes with (NvDsInferContextInitParams holds floats), so
        # that two specs nvinfer cannot tell apart compare equal.
        object.__setattr__(self, "net_scale_factor", to_float32(self.net_scale_factor))
        object.__setattr__(self, "offsets", tuple(to_float32(o) for o in self.offsets))


@dataclass(frozen=True)
class InferSettings:
    """One nvinfer instance's settings; field defaults are nvinfer's."""

    # The element (gstnvinfer.cpp gst_nvinfer_init and DEFAULT_*).
    gie_unique_id: int = 15
    process_mode: int = PRIMARY
    interval: int = 0
    batch_size: int = 1
    gpu_id: int = 0
    operate_on_gie_id: int = -1
    operate_on_class_ids: tuple[int, ...] = ()
    filter_out_class_ids: tuple[int, ...] = ()
    secondary_reinfer_interval: int = INT_MAX
    input_object_min_width: int = 0
    input_object_min_height: int = 0
    input_object_max_width: int = 0  # 0: no limit
    input_object_max_height: int = 0
    classifier_async_mode: bool = False
    classifier_type: str | None = None
    crop_objects_to_roi_boundary: bool = False
    # The model (NvDsInferContextInitParams).
    network_type: int = 0
    network_mode: int = 0
    onnx_file: Path | None = None
    model_engine_file: Path | None = None
    int8_calib_file: Path | None = None
    labelfile_path: Path | None = None
    custom_lib_path: Path | None = None
    parse_bbox_func_name: str | None = None
    parse_classifier_func_name: str | None = None
    output_blob_names: tuple[str, ...] = ()
    infer_dims: tuple[int, int, int] | None = None  # c, h, w
    classifier_threshold: float = 0.0
    # Preprocessing.
    net_scale_factor: float = 1.0
    offsets: tuple[float, ...] = ()
    model_color_format: ColorFormat = ColorFormat.RGB
    maintain_aspect_ratio: bool = False
    symmetric_padding: bool = False
    scaling_filter: int = SCALING_FILTER_DEFAULT
    scaling_compute_hw: int = 0
    # Detection.
    num_detected_classes: int = 0
    cluster_mode: ClusterMode = ClusterMode.GROUP_RECTANGLES
    class_attrs_all: ClassAttrs = field(default_factory=ClassAttrs)
    class_attrs: tuple[ClassAttrs, ...] = ()  # one per class (detectors), else empty

    @property
    def is_primary(self) -> bool:
        return self.process_mode == PRIMARY

    @property
    def is_detector(self) -> bool:
        return self.network_type in DETECTOR_TYPES

    def attrs_for(self, class_id: int) -> ClassAttrs:
        """Class `class_id`'s parameters ([class-attrs-all]'s past the configured classes)."""
        if 0 <= class_id < len(self.class_attrs):
            return self.class_attrs[class_id]
        return self.class_attrs_all

    def preprocess_spec(self, net_size: tuple[int, int] | None = None) -> PreprocessSpec:
        """The preprocessing; the network size (width, height) comes from infer-dims unless given
        (an engine or ONNX model states it too)."""
        if net_size is None:
            if self.infer_dims is None:
                raise InferConfigError(
                    "the network input size is unknown: the config has no infer-dims",
                    hint="add infer-dims=c;h;w, or take the size from the model",
                )
            net_size = (self.infer_dims[2], self.infer_dims[1])
        channels = (
            self.infer_dims[0]
            if self.infer_dims
            else (1 if self.model_color_format == ColorFormat.GRAY else 3)
        )
        return PreprocessSpec(
            net_width=net_size[0],
            net_height=net_size[1],
            channels=channels,
            color_format=self.model_color_format,
            net_scale_factor=self.net_scale_factor,
            offsets=self.offsets,
            maintain_aspect_ratio=self.maintain_aspect_ratio,
            symmetric_padding=self.symmetric_padding,
            scaling_filter=self.scaling_filter,
        )

    @classmethod
    def from_mapping(
        cls,
        properties: Mapping[str, str],
        class_groups: Mapping[str, Mapping[str, str]] | None = None,
        *,
        base_dir: Path | None = None,
        source: str = "nvinfer config",
        locate: Callable[[str, str], str] | None = None,
    ) -> InferSettings:
        """Settings from [property]'s key -> raw value and the class-attrs groups' (group name ->
        key -> raw value). `locate(group, key)` names where a value is, for error messages."""
        from alpr_gen.nvinfer.settings_parse import parse_settings

        where = locate or (lambda group, key: f"{source} [{group}] {key}")
        return parse_settings(cls, properties, class_groups or {}, base_dir, where)

    @classmethod
    def from_keyfile(
        cls,
        kf: KeyFile,
        overrides: Mapping[str, str] | None = None,
        *,
        base_dir: Path | None = None,
    ) -> InferSettings:
        """Settings from a parsed nvinfer config file; `overrides` replace [property] values
        (deepstream-app's app-group keys). Errors name the file and line."""
        prop = kf.group(PROPERTY)
        if prop is None:
            raise InferConfigError(
                f"{kf.path}: no [property] group (nvinfer requires one)",
                hint="is this an nvinfer config file?",
            )
        properties = {k: e.value for k, e in prop.entries.items()}
        properties.update(overrides or {})
        groups = {
            g.name: {k: e.value for k, e in g.entries.items()}
            for g in kf.groups.values()
            if g.name.startswith(CLASS_ATTRS_PREFIX)
        }

        def locate(group: str, key: str) -> str:
            if group == PROPERTY and overrides and key in overrides:
                return f"{kf.path} [{group}] {key} (overridden by the app config)"
            g = kf.group(group)
            return f"{kf.path}:{g.line_of(key)} [{group}] {key}" if g else f"{kf.path} {key}"

        base = base_dir if base_dir is not None else kf.path.parent
        return cls.from_mapping(properties, groups, base_dir=base, locate=locate)
