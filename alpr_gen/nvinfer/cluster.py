"""What nvdsinfer does with a bbox parser's objects before gst-nvinfer sees them: clustering.

After DetectPostprocessor::fillDetectionOutput (nvdsinfer_context_impl_output_parsing.cpp):

1. preClusteringThreshold: objects with classId >= num-detected-classes, or a confidence below
   their class's pre-cluster-threshold, are removed (in float: confidence < threshold);
2. the rest are bucketed per class, in parser order;
3. cluster-mode=2 (NMS), per class c = 0, 1, ...: stable sort by confidence, descending; greedy
   suppression keeping a box when its IoU with every box kept so far is <= nms-iou-threshold
   (IoU in float on left/top/width/height; touching boxes overlap 0; a zero union gives 0); keep
   those with confidence > post-cluster-threshold; then topk (stable sort, first k; -1 keeps all);
   cluster-mode=4 (none): per class, topk alone (no post-cluster threshold);
4. the output is the classes' lists one after the other, class 0 first.

Objects are rows [n, >=6] float32: left, top, width, height, confidence, class_id (further
columns, e.g. rotation_angle, ride along). Arithmetic is float32 in C's order, so results equal
the C++ reference (custom_parsers/harness/nvinfer_nms.h) bit for bit; tests/nvinfer prove it on
random inputs. cluster-mode 0, 1 and 3 (OpenCV groupRectangles, DBSCAN) are not emulated.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from alpr_gen.deepstream.facts import ClusterMode
from alpr_gen.errors import NvinferError
from alpr_gen.nvinfer.geometry import as_rows
from alpr_gen.nvinfer.settings import ClassAttrs, InferSettings

_F32 = np.float32
_IOU_BLOCK = 256  # candidate boxes per IoU block: [256, n] float32 temporaries


def _iou_matrix(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """nvdsinfer's computeIoU of every box of `rows` against every box of `cols` ([n, m]), in
    float32 and C's operation order: element [i, j] has the bits computeIoU(row i, col j) gives."""

    def overlap(start: int, size: int) -> np.ndarray:
        # overlap1D: order the two intervals by start, then x1max < x2min ? 0 : min(maxes) - x2min
        a0, a1 = rows[:, start, None], (rows[:, start] + rows[:, size])[:, None]
        b0, b1 = cols[None, :, start], (cols[:, start] + cols[:, size])[None, :]
        swap = a0 > b0
        x1max = np.where(swap, b1, a1)
        x2min = np.where(swap, a0, b0)
        x2max = np.where(swap, a1, b1)
        return np.where(x1max < x2min, _F32(0), np.minimum(x1max, x2max) - x2min).astype(_F32)

    ox = overlap(0, 2)
    oy = overlap(1, 3)
    area1 = (rows[:, 2] * rows[:, 3]).astype(_F32)[:, None]
    area2 = (cols[:, 2] * cols[:, 3]).astype(_F32)[None, :]
    inter = (ox * oy).astype(_F32)
    union = ((area1 + area2).astype(_F32) - inter).astype(_F32)
    safe = np.where(union == 0, _F32(1), union)
    return np.asarray(np.where(union == 0, _F32(0), (inter / safe).astype(_F32)), _F32)


def _stable_desc(conf: np.ndarray) -> np.ndarray:
    return np.argsort(-conf, kind="stable")


def _topk(rows: np.ndarray, topk: int) -> np.ndarray:
    if topk < 0:
        return rows
    return rows[_stable_desc(rows[:, 4])][:topk]


def nms_class(rows: np.ndarray, attrs: ClassAttrs) -> np.ndarray:
    """cluster-mode=2 for one class's rows (already pre-cluster filtered)."""
    order = _stable_desc(rows[:, 4])
    ranked = rows[order]
    threshold = _F32(attrs.nms_iou_threshold)
    kept: list[int] = []
    # keep = IoU <= threshold against every kept box (a NaN IoU suppresses, as in C). The IoUs
    # are computed a block of boxes at a time (bounded memory for any tensor); the greedy pass
    # only reads them.
    for start in range(0, len(ranked), _IOU_BLOCK):
        block = ranked[start : start + _IOU_BLOCK]
        allowed = _iou_matrix(block, ranked[: start + len(block)]) <= threshold
        for i in range(len(block)):
            if not kept or allowed[i, kept].all():
                kept.append(start + i)
    out = ranked[kept]
    out = out[out[:, 4] > _F32(attrs.post_cluster_threshold)]
    return _topk(out, attrs.topk)


def pre_cluster_filter(dets: np.ndarray, class_attrs: Sequence[ClassAttrs]) -> np.ndarray:
    """preClusteringThreshold: class within num-detected-classes, confidence >= its threshold."""
    rows = as_rows(dets, min_columns=6)
    if len(rows) == 0:
        return rows
    cls = rows[:, 5].astype(np.int64)
    valid = (cls >= 0) & (cls < len(class_attrs))
    thresholds = np.array([a.pre_cluster_threshold for a in class_attrs] or [0.0], np.float32)
    keep = valid.copy()
    keep[valid] = ~(rows[valid, 4] < thresholds[cls[valid]])
    return rows[keep]


def cluster(
    dets: np.ndarray, mode: ClusterMode | int, class_attrs: Sequence[ClassAttrs]
) -> np.ndarray:
    """nvdsinfer's clustering of one frame's parser output; `class_attrs` has one entry per
    configured class (num-detected-classes), as `InferSettings.class_attrs`."""
    mode = ClusterMode(mode)
    if mode not in (ClusterMode.NMS, ClusterMode.NONE):
        raise NvinferError(
            f"cluster-mode={int(mode)} ({mode.name}) is not emulated by alpr-gen",
            hint="use cluster-mode=2 (NMS) or 4 (none), which alpr-gen renders",
        )
    rows = pre_cluster_filter(dets, class_attrs)
    out = [np.zeros((0, rows.shape[1]), np.float32)]
    cls = rows[:, 5].astype(np.int64) if len(rows) else np.zeros(0, np.int64)
    for c, attrs in enumerate(class_attrs):
        bucket = rows[cls == c]
        if len(bucket) == 0:
            continue
        kept = nms_class(bucket, attrs) if mode == ClusterMode.NMS else _topk(bucket, attrs.topk)
        out.append(kept)
    return np.concatenate(out).astype(np.float32)


def cluster_for(dets: np.ndarray, settings: InferSettings) -> np.ndarray:
    """`cluster` with a detector config's cluster-mode and per-class attributes."""
    if not settings.class_attrs:
        raise NvinferError(
            "the config declares no classes (num-detected-classes=0): nvinfer keeps no object",
            hint="set num-detected-classes in [property]",
        )
    return cluster(dets, settings.cluster_mode, settings.class_attrs)
