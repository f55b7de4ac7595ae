"""What the preview backend emulates, and the keys of a set it does not (listed once at start).

Each emulated key is read by a stage with DeepStream's semantics; every other key present in the
set is reported as ignored, grouped by file. Some have no meaning off the GPU (gpu-id,
nvbuf-memory-type, cudadec-memtype) or are replaced on purpose (model-engine-file: the preview
runs the ONNX model nvinfer would build that engine from); the list says so rather than dropping
them silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from alpr_gen.configset import ConfigSet
from alpr_gen.deepstream.facts import SinkType

_APP: dict[str, set[str]] = {
    "application": {"enable-perf-measurement", "perf-measurement-interval-sec"},
    "tiled-display": {"enable", "rows", "columns", "width", "height"},
    "source": {"enable", "type", "uri", "num-sources", "rtsp-reconnect-interval-sec",
               "rtsp-reconnect-attempts", "select-rtp-protocol"},
    "streammux": {"batch-size", "width", "height", "enable-padding", "live-source",
                  "batched-push-timeout"},
    "primary-gie": {"enable", "config-file", "batch-size", "interval", "gie-unique-id",
                    "labelfile-path"},
    "secondary-gie": {"enable", "config-file", "batch-size", "gie-unique-id",
                      "operate-on-gie-id", "operate-on-class-ids", "labelfile-path"},
    "tracker": {"enable", "ll-lib-file", "ll-config-file", "display-tracking-id"},
    "nvds-analytics": {"enable", "config-file"},
    "osd": {"enable", "border-width", "text-size", "text-color", "text-bg-color", "display-text",
            "display-bbox"},
    "sink": {"enable", "type", "container", "codec", "bitrate", "output-file",
             "msg-conv-config", "msg-conv-payload-type", "msg-conv-frame-interval",
             "msg-conv-msg2p-new-api", "msg-broker-proto-lib", "msg-broker-conn-str", "topic",
             "msg-broker-config"},
    "tests": {"file-loop"},
}  # fmt: skip
_BBOX_COLOR = re.compile(r"bbox-border-color\d+")
# [property] keys alpr_gen.nvinfer reads and the GIE stages apply.
_NVINFER = {
    "gie-unique-id", "process-mode", "interval", "batch-size", "operate-on-gie-id",
    "operate-on-class-ids", "filter-out-class-ids", "secondary-reinfer-interval",
    "input-object-min-width", "input-object-min-height", "input-object-max-width",
    "input-object-max-height", "classifier-type", "classifier-threshold",
    "crop-objects-to-roi-boundary", "network-type", "onnx-file", "labelfile-path",
    "custom-lib-path", "parse-bbox-func-name", "parse-classifier-func-name", "infer-dims",
    "net-scale-factor", "offsets", "model-color-format", "maintain-aspect-ratio",
    "symmetric-padding", "scaling-filter", "num-detected-classes", "cluster-mode",
}  # fmt: skip
_CLASS_ATTRS = {"pre-cluster-threshold", "post-cluster-threshold", "nms-iou-threshold", "topk",
                "detected-min-w", "detected-min-h", "detected-max-w", "detected-max-h",
                "roi-top-offset", "roi-bottom-offset"}  # fmt: skip
_WHY = {
    "model-engine-file": "the ONNX model runs instead of the engine",
    "network-mode": "onnxruntime runs the model in FP32",
    "int8-calib-file": "onnxruntime runs the model in FP32",
    "gpu-id": "no GPU pipeline",
    "nvbuf-memory-type": "no GPU pipeline",
    "cudadec-memtype": "no GPU pipeline",
    "classifier-async-mode": "runs synchronously",
}
_TRACKER_SECTIONS = {"BaseConfig", "TargetManagement", "DataAssociator"}


def _app_kind(group: str) -> str:
    for prefix in ("source", "sink", "secondary-gie"):
        if group.startswith(prefix) and group != "source-attr-all":
            return prefix
    return group


@dataclass(frozen=True)
class Ignored:
    file: str
    what: str  # a key, or a description
    group: str = ""
    why: str = ""


def ignored_keys(cs: ConfigSet) -> list[Ignored]:
    """Every key (or feature) present in the set that the preview backend does not use."""
    out: list[Ignored] = []
    kf = cs.app.keyfile
    if kf is not None:
        for group in kf.groups.values():
            kind = _app_kind(group.name)
            handled = _APP.get(kind)
            enabled = group.get("enable")
            if enabled is not None and enabled.strip() in ("0", "false"):
                continue
            if handled is None:
                out.append(Ignored(cs.app.rel, f"[{group.name}]", why="not emulated"))
                continue
            out += _keys(cs.app.rel, group.name, group.entries, handled)
            if kind == "sink":
                out += _sink_type(cs, group.name, group.get("type"))
    for gie in cs.enabled_gies:
        cfg = gie.config
        if cfg is None or cfg.keyfile is None:
            continue
        for group in cfg.keyfile.groups.values():
            handled = _NVINFER if group.name == "property" else _CLASS_ATTRS
            out += _keys(cfg.rel, group.name, group.entries, handled)
    if cs.tracker.enabled and cs.tracker_settings is not None and cs.tracker_file is not None:
        s = cs.tracker_settings
        extra = sorted(set(s.sections) - _TRACKER_SECTIONS - {"StateEstimator"})
        if s.kind != "IOU":
            out.append(
                Ignored(
                    cs.tracker_file.rel,
                    ", ".join(extra) or "its visual features",
                    why=f"{s.kind} runs as ByteTrack (Kalman filter + IoU)",
                )
            )
    if cs.analytics is not None and cs.analytics.overcrowding:
        out.append(Ignored(cs.analytics.file.rel, "[overcrowding-stream-N]", why="not emulated"))
    return out


def _keys(rel: str, group: str, entries: Iterable[str], handled: set[str]) -> list[Ignored]:
    return [
        Ignored(rel, key, group, _WHY.get(key, ""))
        for key in entries
        if key not in handled and not _BBOX_COLOR.fullmatch(key)
    ]


def _sink_type(cs: ConfigSet, group: str, value: str | None) -> list[Ignored]:
    from alpr_gen.configset.values import glib_int

    t = glib_int(value)
    if t in (SinkType.FAKE, SinkType.FILE, SinkType.MSG_BROKER):
        return []
    return [Ignored(cs.app.rel, f"type={value}", group, "display/RTSP/DRM output")]


def summarize(items: list[Ignored]) -> str:
    """One line: per file, each key once (with how many groups hold it) and why."""
    by_file: dict[str, dict[tuple[str, str], list[str]]] = {}
    for item in items:
        by_file.setdefault(item.file, {}).setdefault((item.what, item.why), []).append(item.group)
    parts = []
    for file, keys in by_file.items():
        shown = []
        for (what, why), groups in keys.items():
            where = f"[{groups[0]}]" if len(groups) == 1 and groups[0] else f"x{len(groups)}"
            text = f"{what} {where}" if groups[0] else what
            shown.append(text + (f" ({why})" if why else ""))
        parts.append(f"{file}: " + ", ".join(shown))
    return "; ".join(parts)
