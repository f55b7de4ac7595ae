"""NvDsInferParseAlprYolo through nvinfer's ABI: random tensors of every layout vs numpy."""

from __future__ import annotations

import numpy as np
import pytest

from alpr_gen.nvinfer.bridge import Layer, ParserBridge

from .reference import reference_parse

FN = "NvDsInferParseAlprYolo"
NET_W, NET_H = 640, 384  # not square: catches x/y clamp mix-ups


def _rows_tensor(rng: np.random.Generator, n: int, nc: int) -> np.ndarray:
    """[n, 6] rows with every awkward case mixed in."""
    x1 = rng.uniform(-80, NET_W + 40, n)
    y1 = rng.uniform(-80, NET_H + 40, n)
    w = rng.uniform(-10, 200, n)  # some inverted / zero-width boxes
    h = rng.uniform(-10, 200, n)
    score = rng.uniform(-0.2, 1.0, n)
    score[rng.random(n) < 0.2] = 0.0  # end2end padding rows
    cls = rng.integers(0, nc + 3, n).astype(np.float64)  # some beyond num-detected-classes
    cls[rng.random(n) < 0.05] += 0.5  # non-integer class ids
    cls[rng.random(n) < 0.03] = -1
    out = np.stack([x1, y1, x1 + w, y1 + h, score, cls], axis=1)
    for col in range(6):  # NaN / inf sprinkled over every column
        out[rng.random(n) < 0.01, col] = np.nan
        out[rng.random(n) < 0.01, col] = np.inf
        out[rng.random(n) < 0.005, col] = -np.inf
    return out


def _raw_tensor(rng: np.random.Generator, nc: int, anchors: int) -> np.ndarray:
    """Ultralytics [4+nc, A]: cx, cy, w, h, then sigmoid class scores."""
    cx = rng.uniform(-50, NET_W + 50, anchors)
    cy = rng.uniform(-50, NET_H + 50, anchors)
    w = rng.uniform(-5, 300, anchors)
    h = rng.uniform(-5, 300, anchors)
    scores = rng.beta(0.5, 3.0, (nc, anchors))
    scores[:, rng.random(anchors) < 0.02] = scores.max() * 0.5  # exact ties across classes
    out = np.concatenate([np.stack([cx, cy, w, h]), scores])
    out[rng.random(out.shape) < 0.002] = np.nan
    out[rng.random(out.shape) < 0.001] = np.inf
    return out


def _thresholds(rng: np.random.Generator, nc: int) -> list[float]:
    return [float(t) for t in rng.uniform(0.05, 0.6, nc).astype(np.float32)]


def _check(harness: ParserBridge, out: np.ndarray, nc: int, thr: list[float]) -> np.ndarray:
    res = harness.bbox(FN, [Layer(out)], num_classes=nc, pre_thresholds=thr, net=(NET_W, NET_H, 3))
    assert res.ok, res.error
    assert res.error == ""
    expected = reference_parse(out, nc, thr, NET_W, NET_H)
    np.testing.assert_array_equal(res.dets, expected)
    # DeepStream 9's layout carries rotation_angle, which the parser sets to 0 (axis-aligned);
    # through the 8.0 layout the harness reports 0 for the field it does not have.
    assert res.rotation.shape == (len(res.dets),) and not res.rotation.any()
    return res.dets


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_rows_layout_matches_reference(
    harness_each_abi: ParserBridge, seed: int, dtype: type
) -> None:
    rng = np.random.default_rng(seed)
    nc = [1, 2, 80][seed % 3]
    n = [8400, 100, 300][seed % 3]
    out = _rows_tensor(rng, n, nc).astype(dtype)
    dets = _check(harness_each_abi, out, nc, _thresholds(rng, nc))
    assert len(dets) > 0  # the case is not vacuous
    assert np.all(dets[:, 0] >= 0) and np.all(dets[:, 0] + dets[:, 2] <= NET_W)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_raw_layout_matches_reference(
    harness_each_abi: ParserBridge, seed: int, dtype: type
) -> None:
    rng = np.random.default_rng(100 + seed)
    nc = [1, 2, 80][seed % 3]
    anchors = [8400, 2100, 525][seed % 3]
    out = _raw_tensor(rng, nc, anchors).astype(dtype)
    dets = _check(harness_each_abi, out, nc, _thresholds(rng, nc))
    assert len(dets) > 0


def test_raw_layout_fewer_classes_than_configured(harness: ParserBridge) -> None:
    rng = np.random.default_rng(7)
    out = _raw_tensor(rng, 3, 2100).astype(np.float32)
    dets = _check(harness, out, 5, [0.1] * 5)
    assert len(dets) > 0 and dets[:, 5].max() < 3


def test_raw_layout_more_classes_than_configured_is_refused(harness: ParserBridge) -> None:
    out = _raw_tensor(np.random.default_rng(7), 10, 2100).astype(np.float32)
    res = harness.bbox(FN, [Layer(out)], num_classes=4, pre_thresholds=[0.1] * 4)
    assert not res.ok and len(res.dets) == 0
    assert "nc=10 classes, but num-detected-classes=4" in res.error


def test_thresholds_shorter_than_num_classes(harness: ParserBridge) -> None:
    rng = np.random.default_rng(8)
    out = _rows_tensor(rng, 2000, 6).astype(np.float32)
    dets = _check(harness, out, 6, [0.1, 0.1, 0.1])
    assert dets[:, 5].max() < 3


def test_leading_unit_dims_are_ignored(harness: ParserBridge) -> None:
    rng = np.random.default_rng(9)
    out = _rows_tensor(rng, 1000, 3).astype(np.float32)
    thr = [0.2] * 3
    flat = harness.bbox(FN, [Layer(out)], num_classes=3, pre_thresholds=thr)
    batched = harness.bbox(FN, [Layer(out[None])], num_classes=3, pre_thresholds=thr)
    assert flat.ok and batched.ok
    np.testing.assert_array_equal(flat.dets, batched.dets)


def test_input_layers_are_not_outputs(harness: ParserBridge) -> None:
    rng = np.random.default_rng(10)
    out = _rows_tensor(rng, 500, 2).astype(np.float32)
    image = np.zeros((3, 8, 8), np.float32)
    res = harness.bbox(
        FN,
        [Layer(image, name="images", is_input=True), Layer(out)],
        num_classes=2,
        pre_thresholds=[0.3, 0.3],
        net=(NET_W, NET_H, 3),
    )
    assert res.ok
    np.testing.assert_array_equal(res.dets, reference_parse(out, 2, [0.3, 0.3], NET_W, NET_H))


def test_end2end_padding_rows_skipped_even_at_zero_threshold(harness: ParserBridge) -> None:
    out = np.zeros((100, 6), np.float32)
    out[:3] = [[10, 10, 50, 60, 0.9, 0], [20, 20, 30, 30, 0.5, 1], [5, 5, 6, 6, 1e-6, 0]]
    res = harness.bbox(FN, [Layer(out)], num_classes=2, pre_thresholds=[0.0, 0.0])
    assert res.ok
    np.testing.assert_array_equal(
        res.dets,
        np.array(
            [[10, 10, 40, 50, 0.9, 0], [20, 20, 10, 10, 0.5, 1], [5, 5, 1, 1, 1e-6, 0]],
            np.float32,
        ),
    )


def test_raw_box_is_converted_and_clamped(harness: ParserBridge) -> None:
    """A hand-made raw [4+2, 3] tensor: centre/size to left/top/width/height, clamped."""
    out = np.array(
        [
            [100.0, 630.0, 50.0],  # cx
            [50.0, 370.0, 50.0],  # cy
            [40.0, 40.0, 10.0],  # w
            [20.0, 40.0, 10.0],  # h
            [0.1, 0.7, 0.05],  # class 0
            [0.8, 0.2, 0.04],  # class 1
        ],
        np.float32,
    )
    res = harness.bbox(
        FN, [Layer(out)], num_classes=2, pre_thresholds=[0.5, 0.5], net=(640, 384, 3)
    )
    assert res.ok
    np.testing.assert_array_equal(
        res.dets,
        np.array([[80, 40, 40, 20, 0.8, 1], [610, 350, 30, 34, 0.7, 0]], np.float32),
    )


@pytest.mark.parametrize("raw", [False, True])
def test_threshold_is_inclusive_per_class(harness: ParserBridge, raw: bool) -> None:
    """confidence >= perClassPreclusterThreshold[class] passes, one ulp below does not."""
    below = np.nextafter(np.float32(0.5), np.float32(0))
    rows = np.array(
        [
            [10, 10, 20, 20, 0.5, 0],
            [10, 10, 20, 20, below, 0],
            [30, 30, 40, 40, 0.7, 1],
            [30, 30, 40, 40, 0.69, 1],
        ],
        np.float32,
    )
    out = rows
    if raw:  # the same boxes as Ultralytics [4+2, 4]
        out = np.zeros((6, 4), np.float32)
        out[0] = (rows[:, 0] + rows[:, 2]) / 2
        out[1] = (rows[:, 1] + rows[:, 3]) / 2
        out[2] = rows[:, 2] - rows[:, 0]
        out[3] = rows[:, 3] - rows[:, 1]
        out[4 + rows[:, 5].astype(int), np.arange(4)] = rows[:, 4]
    res = harness.bbox(FN, [Layer(out)], num_classes=2, pre_thresholds=[0.5, 0.7])
    assert res.ok
    assert res.dets[:, 4].tolist() == [0.5, np.float32(0.7)]
    assert res.dets[:, 5].tolist() == [0, 1]
