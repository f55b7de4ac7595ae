"""nvdsinfer's clustering in numpy (alpr_gen.nvinfer.cluster) against the C++ reference written
after DeepStream's nvdsinfer_context_impl_output_parsing.cpp (custom_parsers/harness/
nvinfer_nms.h), called through the parser bridge: equal bit for bit on random frames."""

from __future__ import annotations

import numpy as np
import pytest

from alpr_gen.deepstream.facts import ClusterMode
from alpr_gen.errors import NvinferError
from alpr_gen.nvinfer import cluster as cluster_module
from alpr_gen.nvinfer.bridge import ParserBridge
from alpr_gen.nvinfer.cluster import cluster, cluster_for
from alpr_gen.nvinfer.settings import ClassAttrs, InferSettings

pytestmark = pytest.mark.slow  # the session compiles the bridge (seconds)


def random_frame(rng: np.random.Generator, nc: int, n: int | None = None) -> np.ndarray:
    """[n, 6] parser-like objects: clusters of overlapping boxes, exact confidence ties, touching
    and zero-area boxes, and class ids past num-detected-classes."""
    n = int(rng.integers(0, 400)) if n is None else n
    centres = rng.uniform(0, 640, (max(1, n // 8), 2))
    pick = rng.integers(0, len(centres), n)
    wh = rng.uniform(1, 160, (n, 2))
    xy = centres[pick] + rng.normal(0, 12, (n, 2)) - wh / 2
    conf = rng.uniform(0, 1, n).astype(np.float32)
    ties = rng.random(n) < 0.15
    conf[ties] = np.float32(rng.choice([0.25, 0.5, 0.75], ties.sum()))
    cls = rng.integers(0, nc + 2, n).astype(np.float32)  # some >= nc: dropped before clustering
    rows = np.concatenate([xy, wh, conf[:, None], cls[:, None]], axis=1).astype(np.float32)
    zero = rng.random(n) < 0.03
    rows[zero, 2] = 0  # zero width: IoU with a zero union is 0
    touch = np.flatnonzero(rng.random(n) < 0.05)
    if len(touch) > 1:  # boxes that touch an edge of another: overlap 0
        rows[touch[1:], 0] = rows[touch[:-1], 0] + rows[touch[:-1], 2]
        rows[touch[1:], 1] = rows[touch[:-1], 1]
    return rows


def random_attrs(rng: np.random.Generator, nc: int) -> list[ClassAttrs]:
    f32 = lambda x: float(np.float32(x))  # noqa: E731 - thresholds are C floats in nvinfer
    return [
        ClassAttrs(
            pre_cluster_threshold=f32(rng.choice([0.0, 0.25, rng.uniform(0, 0.6)])),
            post_cluster_threshold=f32(rng.choice([0.0, 0.5, rng.uniform(0, 0.8)])),
            nms_iou_threshold=f32(rng.choice([0.0, 0.45, 1.0, rng.uniform(0, 1)])),
            topk=int(rng.choice([-1, 0, 1, 5, 300])),
        )
        for _ in range(nc)
    ]


def test_nms_equals_the_cpp_reference_on_random_frames(bridges) -> None:
    harness: ParserBridge = bridges(9)
    rng = np.random.default_rng(2024)
    frames = objects = kept_total = 0
    for _ in range(300):
        nc = int(rng.choice([1, 3, 80]))
        dets, attrs = random_frame(rng, nc), random_attrs(rng, nc)
        ours = cluster(dets, ClusterMode.NMS, attrs)
        theirs = harness.nms(
            dets,
            num_classes=nc,
            pre_thresholds=[a.pre_cluster_threshold for a in attrs],
            iou_thresholds=[a.nms_iou_threshold for a in attrs],
            post_thresholds=[a.post_cluster_threshold for a in attrs],
            topk=[a.topk for a in attrs],
        )
        np.testing.assert_array_equal(ours, theirs)
        frames, objects, kept_total = frames + 1, objects + len(dets), kept_total + len(ours)
    print(f"{frames} frames, {objects} objects in, {kept_total} kept: identical")
    assert kept_total > 1000 and kept_total < objects  # suppression happened, and not everything


def test_nms_suppresses_above_the_iou_threshold_only() -> None:
    a = [0, 0, 10, 10, 0.9, 0]
    b = [5, 0, 10, 10, 0.8, 0]  # IoU with a = 50 / 150 = 1/3
    c = [10, 0, 10, 10, 0.7, 0]  # touches a: overlap 0
    dets = np.array([b, c, a], np.float32)
    keep_b = cluster(dets, 2, [ClassAttrs(pre_cluster_threshold=0, nms_iou_threshold=0.34)])
    drop_b = cluster(dets, 2, [ClassAttrs(pre_cluster_threshold=0, nms_iou_threshold=0.33)])
    np.testing.assert_array_equal(keep_b, np.array([a, b, c], np.float32))  # by confidence
    np.testing.assert_array_equal(drop_b, np.array([a, c], np.float32))


def test_no_clustering_keeps_per_class_order_and_applies_topk() -> None:
    rows = np.array(
        [[0, 0, 1, 1, 0.3, 1], [0, 0, 1, 1, 0.9, 0], [0, 0, 1, 1, 0.5, 1],
         [0, 0, 1, 1, 0.1, 0], [0, 0, 1, 1, 0.8, 2], [0, 0, 1, 1, 0.6, 1]],
        np.float32,
    )  # fmt: skip
    attrs = [ClassAttrs(pre_cluster_threshold=0.2), ClassAttrs(pre_cluster_threshold=0.2, topk=2)]
    out = cluster(rows, ClusterMode.NONE, attrs)
    # class 0: 0.9 (0.1 is under its threshold); class 1: best two by confidence; class 2 is past
    # num-detected-classes=2; no post-cluster threshold without clustering
    np.testing.assert_array_equal(out, rows[[1, 5, 2]])
    all_kept = cluster(rows, ClusterMode.NONE, [ClassAttrs(pre_cluster_threshold=0.0)] * 2)
    np.testing.assert_array_equal(all_kept, rows[[1, 3, 0, 2, 5]])  # topk -1: parser order


def test_empty_frames() -> None:
    for empty in (np.zeros((0, 6), np.float32), np.zeros(0, np.float32), []):
        for mode in (ClusterMode.NMS, ClusterMode.NONE):
            assert cluster(empty, mode, [ClassAttrs()]).shape == (0, 6)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", [0, 1, 3])
def test_modes_not_emulated_are_errors(mode: int) -> None:
    with pytest.raises(NvinferError, match=f"cluster-mode={mode}"):
        cluster(np.zeros((0, 6), np.float32), mode, [ClassAttrs()])


def test_cluster_for_uses_the_config() -> None:
    settings = InferSettings.from_mapping(
        {"num-detected-classes": "2", "cluster-mode": "2"},
        {"class-attrs-all": {"pre-cluster-threshold": "0.5"}, "class-attrs-1": {"topk": "1"}},
    )
    rows = np.array([[0, 0, 9, 9, 0.6, 1], [50, 50, 9, 9, 0.7, 1], [0, 0, 9, 9, 0.4, 0]],
                    np.float32)  # fmt: skip
    np.testing.assert_array_equal(cluster_for(rows, settings), rows[[1]])
    with pytest.raises(NvinferError, match="num-detected-classes"):
        cluster_for(rows, InferSettings())


def test_nms_over_several_iou_blocks_equals_the_cpp_reference(bridges) -> None:
    """One class with more boxes than an IoU block holds (cluster._IOU_BLOCK): the blocks join
    up exactly as the C++ reference's one pass."""
    harness: ParserBridge = bridges(9)
    rng = np.random.default_rng(7)
    dets = random_frame(rng, 1, n=3 * cluster_module._IOU_BLOCK + 17)
    dets[:, 5] = 0
    attrs = [ClassAttrs(pre_cluster_threshold=0.0, post_cluster_threshold=0.0,
                        nms_iou_threshold=0.45, topk=-1)]  # fmt: skip
    ours = cluster(dets, ClusterMode.NMS, attrs)
    theirs = harness.nms(dets, num_classes=1, pre_thresholds=[0.0], iou_thresholds=[0.45],
                         post_thresholds=[0.0], topk=[-1])  # fmt: skip
    np.testing.assert_array_equal(ours, theirs)
    assert 0 < len(ours) < len(dets)
