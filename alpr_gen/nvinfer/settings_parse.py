"""Reading an nvinfer config's raw values into InferSettings (see settings.py for the rules).

One reader per value type, each with the check nvinfer makes (gstnvinfer_property_parser.cpp);
a value nvinfer would reject raises InferConfigError naming where it is and what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from alpr_gen.deepstream import glib_values as gv
from alpr_gen.deepstream.facts import ClusterMode, ColorFormat
from alpr_gen.errors import InferConfigError
from alpr_gen.nvinfer.settings import to_float32

if TYPE_CHECKING:
    from alpr_gen.nvinfer.settings import ClassAttrs, InferSettings

Locate = Callable[[str, str], str]
_SHOWN = 60  # characters of a bad value quoted in a message


class _Group:
    """Typed reads from one group's raw values, with nvinfer's checks."""

    def __init__(self, group: str, values: Mapping[str, str], where: Locate) -> None:
        self.group, self.values, self.where = group, values, where

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def fail(self, key: str, why: str, hint: str | None = None) -> InferConfigError:
        raw = self.values.get(key, "")
        shown = raw if len(raw) <= _SHOWN else raw[:_SHOWN] + "..."
        return InferConfigError(f"{self.where(self.group, key)}={shown!r}: {why}", hint=hint)

    def _parse(self, key: str, parser: Callable[[str], object]) -> object:
        try:
            return parser(self.values[key])
        except gv.GLibValueError as exc:
            raise self.fail(key, f"nvinfer rejects it: the value {exc}") from None

    def get_int(
        self,
        key: str,
        default: int,
        *,
        lo: int | None = None,
        hi: int | None = None,
        choices: Mapping[int, str] | None = None,
    ) -> int:
        if key not in self.values:
            return default
        value = self._parse(key, gv.parse_integer)
        assert isinstance(value, int)
        if choices is not None and value not in choices:
            allowed = ", ".join(f"{k} ({v})" for k, v in choices.items())
            raise self.fail(key, f"not one of the values nvinfer accepts: {allowed}")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            span = f"{lo if lo is not None else '...'} to {hi if hi is not None else '...'}"
            raise self.fail(key, f"out of range (nvinfer accepts {span})")
        return value

    def get_float(
        self, key: str, default: float, *, lo: float | None = None, hi: float | None = None
    ) -> float:
        if key not in self.values:
            return default
        value = self._parse(key, gv.parse_double)
        assert isinstance(value, float)
        if (lo is not None and not value >= lo) or (hi is not None and not value <= hi):
            span = f"{lo if lo is not None else '...'} to {hi if hi is not None else '...'}"
            raise self.fail(key, f"out of range (nvinfer accepts {span})")
        return to_float32(value)

    def get_bool(self, key: str, default: bool) -> bool:
        if key not in self.values:
            return default
        value = self._parse(key, gv.parse_boolean)
        assert isinstance(value, bool)
        return value

    def get_str(self, key: str) -> str | None:
        if key not in self.values:
            return None
        value = self._parse(key, gv.parse_string)
        assert isinstance(value, str)
        return value

    def get_path(self, key: str, base_dir: Path | None) -> Path | None:
        value = self.get_str(key)
        if value is None:
            return None
        if value == "":
            raise self.fail(key, "an empty path")
        path = Path(value)
        return path if path.is_absolute() or base_dir is None else base_dir / path

    def get_int_list(self, key: str) -> list[int] | None:
        if key not in self.values:
            return None
        value = self._parse(key, gv.parse_integer_list)
        assert isinstance(value, list)
        return value

    def get_float_list(self, key: str) -> list[float] | None:
        if key not in self.values:
            return None
        value = self._parse(key, gv.parse_double_list)
        assert isinstance(value, list)
        return [to_float32(v) for v in value]

    def get_str_list(self, key: str) -> list[str] | None:
        if key not in self.values:
            return None
        value = self._parse(key, gv.parse_string_list)
        assert isinstance(value, list)
        return value


def _infer_dims(g: _Group) -> tuple[int, int, int] | None:
    key = "infer-dims"
    if key in g:
        dims = g.get_int_list(key) or []
        if len(dims) != 3:
            raise g.fail(key, f"{len(dims)} values; nvinfer needs 3 (c;h;w)")
    else:  # the deprecated forms, read only without infer-dims: c;h;w;order
        legacy = next((k for k in ("input-dims", "uff-input-dims") if k in g), None)
        if legacy is None:
            return None
        key, dims = legacy, g.get_int_list(legacy) or []
        if len(dims) != 4 or dims[3] not in (0, 1, 2):
            raise g.fail(key, "nvinfer needs 4 values: c;h;w;order (order 0, 1 or 2)")
    if any(d <= 0 for d in dims[:3]):
        raise g.fail(key, "every dimension must be > 0")
    return (dims[0], dims[1], dims[2])


def _class_ids(g: _Group, key: str) -> tuple[int, ...]:
    ids = g.get_int_list(key) or []
    if any(i < 0 for i in ids):
        raise g.fail(key, "class ids are >= 0 (nvinfer indexes a vector with them)")
    return tuple(ids)


def _class_attrs(g: _Group, start: ClassAttrs) -> ClassAttrs:
    from dataclasses import replace

    pre_key = "pre-cluster-threshold" if "pre-cluster-threshold" in g else "threshold"
    for color in ("border-color", "bg-color"):
        if color in g and len(g.get_float_list(color) or []) != 4:
            raise g.fail(color, "nvinfer needs exactly 4 floats r;g;b;a between 0 and 1")
    return replace(
        start,
        pre_cluster_threshold=g.get_float(pre_key, start.pre_cluster_threshold, lo=0.0),
        post_cluster_threshold=g.get_float(
            "post-cluster-threshold", start.post_cluster_threshold, lo=0.0
        ),
        nms_iou_threshold=g.get_float("nms-iou-threshold", start.nms_iou_threshold, lo=0.0, hi=1.0),
        topk=g.get_int("topk", start.topk, lo=0),
        eps=g.get_float("eps", start.eps, lo=0.0),
        group_threshold=g.get_int("group-threshold", start.group_threshold, lo=0),
        min_boxes=g.get_int("minBoxes", start.min_boxes, lo=0),
        dbscan_min_score=g.get_float("dbscan-min-score", start.dbscan_min_score, lo=0.0),
        detected_min_w=g.get_int("detected-min-w", start.detected_min_w, lo=0),
        detected_min_h=g.get_int("detected-min-h", start.detected_min_h, lo=0),
        detected_max_w=g.get_int("detected-max-w", start.detected_max_w, lo=0),
        detected_max_h=g.get_int("detected-max-h", start.detected_max_h, lo=0),
        roi_top_offset=g.get_int("roi-top-offset", start.roi_top_offset, lo=0),
        roi_bottom_offset=g.get_int("roi-bottom-offset", start.roi_bottom_offset, lo=0),
    )


_CLASS_INDEX = re.compile(r"[ \t\n\v\f\r]*([+-]?)(\d+)")


def _per_class(
    groups: Mapping[str, Mapping[str, str]], num_classes: int, where: Locate, all_attrs: ClassAttrs
) -> tuple[ClassAttrs, ...]:
    from alpr_gen.nvinfer.settings import CLASS_ATTRS_ALL, CLASS_ATTRS_PREFIX

    attrs = [all_attrs] * num_classes
    for name, values in groups.items():
        if not name.startswith(CLASS_ATTRS_PREFIX) or name == CLASS_ATTRS_ALL:
            continue
        m = _CLASS_INDEX.match(name[len(CLASS_ATTRS_PREFIX) :])  # g_ascii_strtoull's prefix
        if m is None:
            raise InferConfigError(
                f"{where(name, '')}: nvinfer rejects the group name: class attributes are "
                f"[{CLASS_ATTRS_PREFIX}<class-id>]"
            )
        index = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
        if not 0 <= index < num_classes:
            raise InferConfigError(
                f"{where(name, '')}: class {index}, but num-detected-classes={num_classes} "
                f"(nvinfer accepts 0 to {num_classes - 1})"
            )
        attrs[index] = _class_attrs(_Group(name, values, where), attrs[index])
    return tuple(attrs)


def parse_settings(
    cls: type[InferSettings],
    properties: Mapping[str, str],
    groups: Mapping[str, Mapping[str, str]],
    base_dir: Path | None,
    where: Locate,
) -> InferSettings:
    from alpr_gen.nvinfer.settings import (
        CLASS_ATTRS_ALL,
        DETECTOR_TYPES,
        MAX_BATCH_SIZE,
        MAX_CHANNELS,
        NETWORK_MODES,
        NETWORK_TYPES,
        PRIMARY,
        PROPERTY,
        SCALING_FILTER_DEFAULT,
        SCALING_FILTERS,
        SECONDARY,
        ClassAttrs,
    )

    d = cls()  # nvinfer's defaults
    g = _Group(PROPERTY, properties, where)
    network_type = g.get_int("network-type", d.network_type, choices=NETWORK_TYPES)
    if "network-type" not in g and "is-classifier" in g:  # the legacy switch
        network_type = 1 if g.get_bool("is-classifier", False) else 0
    cluster_mode = g.get_int("cluster-mode", int(d.cluster_mode), lo=0, hi=max(ClusterMode))
    if "cluster-mode" not in g and g.get_bool("enable-dbscan", False):
        cluster_mode = ClusterMode.DBSCAN
    offsets = g.get_float_list("offsets") or []
    if len(offsets) > MAX_CHANNELS:
        raise g.fail("offsets", f"{len(offsets)} values; nvinfer allows at most {MAX_CHANNELS}")
    num_classes = g.get_int("num-detected-classes", d.num_detected_classes, lo=0)
    class_all = ClassAttrs()
    per_class: tuple[ClassAttrs, ...] = ()
    if network_type in DETECTOR_TYPES:
        if CLASS_ATTRS_ALL in groups:
            class_all = _class_attrs(
                _Group(CLASS_ATTRS_ALL, groups[CLASS_ATTRS_ALL], where), class_all
            )
        per_class = _per_class(groups, num_classes, where, class_all)
    return cls(
        gie_unique_id=g.get_int("gie-unique-id", d.gie_unique_id, lo=1),
        process_mode=g.get_int(
            "process-mode", d.process_mode, choices={PRIMARY: "primary", SECONDARY: "secondary"}
        ),
        interval=g.get_int("interval", d.interval, lo=0),
        batch_size=g.get_int("batch-size", d.batch_size, lo=1, hi=MAX_BATCH_SIZE),
        gpu_id=g.get_int("gpu-id", d.gpu_id, lo=0),
        operate_on_gie_id=g.get_int("operate-on-gie-id", d.operate_on_gie_id),
        operate_on_class_ids=_class_ids(g, "operate-on-class-ids"),
        filter_out_class_ids=_class_ids(g, "filter-out-class-ids"),
        secondary_reinfer_interval=g.get_int(
            "secondary-reinfer-interval", d.secondary_reinfer_interval
        ),
        input_object_min_width=g.get_int("input-object-min-width", 0, lo=0),
        input_object_min_height=g.get_int("input-object-min-height", 0, lo=0),
        input_object_max_width=g.get_int("input-object-max-width", 0, lo=0),
        input_object_max_height=g.get_int("input-object-max-height", 0, lo=0),
        classifier_async_mode=g.get_bool("classifier-async-mode", False),
        classifier_type=g.get_str("classifier-type"),
        crop_objects_to_roi_boundary=g.get_bool("crop-objects-to-roi-boundary", False),
        network_type=network_type,
        network_mode=g.get_int("network-mode", d.network_mode, choices=NETWORK_MODES),
        onnx_file=g.get_path("onnx-file", base_dir),
        model_engine_file=g.get_path("model-engine-file", base_dir),
        int8_calib_file=g.get_path("int8-calib-file", base_dir),
        labelfile_path=g.get_path("labelfile-path", base_dir),
        custom_lib_path=g.get_path("custom-lib-path", base_dir),
        parse_bbox_func_name=g.get_str("parse-bbox-func-name"),
        parse_classifier_func_name=g.get_str("parse-classifier-func-name"),
        output_blob_names=tuple(g.get_str_list("output-blob-names") or ()),
        infer_dims=_infer_dims(g),
        classifier_threshold=g.get_float("classifier-threshold", d.classifier_threshold, lo=0.0),
        net_scale_factor=g.get_float("net-scale-factor", d.net_scale_factor),
        offsets=tuple(offsets),
        model_color_format=ColorFormat(
            g.get_int(
                "model-color-format",
                int(d.model_color_format),
                choices={c.value: c.name for c in ColorFormat},
            )
        ),
        maintain_aspect_ratio=g.get_bool("maintain-aspect-ratio", False),
        symmetric_padding=g.get_bool("symmetric-padding", False),
        scaling_filter=g.get_int(
            "scaling-filter",
            SCALING_FILTER_DEFAULT,
            lo=SCALING_FILTERS.start,
            hi=SCALING_FILTERS.stop - 1,
        ),
        scaling_compute_hw=g.get_int("scaling-compute-hw", 0, lo=0, hi=2),
        num_detected_classes=num_classes,
        cluster_mode=ClusterMode(cluster_mode),
        class_attrs_all=class_all,
        class_attrs=per_class,
    )
