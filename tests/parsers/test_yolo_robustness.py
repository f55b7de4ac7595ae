"""NvDsInferParseAlprYolo refuses what it does not understand: false, one stderr line, no read."""

from __future__ import annotations

import numpy as np
import pytest

from alpr_gen.nvinfer.bridge import Layer, ParserBridge

FN = "NvDsInferParseAlprYolo"
GOOD = np.tile(np.array([[10, 10, 50, 50, 0.9, 0]], np.float32), (8400, 1))


def _call(harness: ParserBridge, layers: list[Layer], **kw: object):
    args = {"num_classes": 1, "pre_thresholds": [0.25], "net": (640, 640, 3)}
    args.update(kw)
    return harness.bbox(FN, layers, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("layers", "needle"),
    [
        ([], "expected exactly 1 output layer"),
        ([Layer(GOOD), Layer(GOOD, name="second")], "got 2"),
        ([Layer(GOOD, dims=[])], "has 0 dims"),
        ([Layer(GOOD, dims=[1] * 9, num_elements=1)], "has 9 dims"),
        ([Layer(GOOD, num_elements=8400 * 6 + 1)], "do not match numElements"),
        ([Layer(GOOD, dims=[8400, 7], num_elements=8400 * 6)], "do not match numElements"),
        ([Layer(GOOD, dims=[0, 6])], "do not match numElements"),
        ([Layer(GOOD, dims=[65536, 65536, 65536], num_elements=0)], "do not match"),
        ([Layer(GOOD, null_buffer=True)], "no host buffer"),
        ([Layer(GOOD.astype(np.int32))], "data type 3"),
        ([Layer(GOOD, data_type=2)], "data type 2"),
        ([Layer(GOOD, data_type=99)], "data type 99"),
        ([Layer(np.zeros((8400, 7), np.float32))], "dims [8400, 7]: read as Ultralytics"),
        ([Layer(np.zeros((4, 8400), np.float32))], "dims [4, 8400]: expected"),
        ([Layer(np.zeros((8400,), np.float32))], "dims [8400]: expected"),
        ([Layer(np.zeros((2, 8400, 6), np.float32))], "dims [2, 8400, 6]: expected"),
    ],
)
def test_bad_layers_rejected(
    harness: ParserBridge, layers: list[Layer], needle: str, capfd: pytest.CaptureFixture[str]
) -> None:
    res = _call(harness, layers)
    assert not res.ok
    assert len(res.dets) == 0
    assert res.error.startswith(f"{FN}: ") and needle in res.error, res.error
    err = capfd.readouterr().err
    # Printed once -- unless the previous test printed the very same line (deduplicated).
    assert err.count("\n") <= 1 and (err == "" or needle in err)


def test_bad_network_and_classes_rejected(harness: ParserBridge) -> None:
    assert "network input is 0x640" in _call(harness, [Layer(GOOD)], net=(0, 640, 3)).error
    res = _call(harness, [Layer(GOOD)], num_classes=0, pre_thresholds=[])
    assert not res.ok and "num-detected-classes is 0" in res.error
    res = _call(harness, [Layer(GOOD)], num_classes=3, pre_thresholds=[])
    assert not res.ok and "with 0 pre-cluster thresholds" in res.error


def test_same_error_is_printed_once(
    harness: ParserBridge, capfd: pytest.CaptureFixture[str]
) -> None:
    bad = [Layer(np.zeros((8400, 5), np.float32))]
    _call(harness, [Layer(np.zeros((3, 3), np.float32))])  # a different line first
    capfd.readouterr()
    for _ in range(50):  # nvinfer calls per frame: a bad model must not flood the log
        assert not _call(harness, bad).ok
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "[8400, 5]" in err


def test_success_clears_last_error_and_output(harness: ParserBridge) -> None:
    assert not _call(harness, [Layer(GOOD, null_buffer=True)]).ok
    res = _call(harness, [Layer(GOOD)])
    assert res.ok and res.error == "" and len(res.dets) == 8400


def test_all_nan_or_inf_gives_no_objects(harness: ParserBridge) -> None:
    for value in (np.nan, np.inf, -np.inf):
        res = _call(harness, [Layer(np.full((8400, 6), value, np.float32))])
        assert res.ok and len(res.dets) == 0
        raw = np.full((84, 8400), value, np.float32)
        res = _call(harness, [Layer(raw)], num_classes=80, pre_thresholds=[0.0] * 80)
        assert res.ok and len(res.dets) == 0


def test_huge_claimed_dims_are_not_read(harness: ParserBridge) -> None:
    """dims product that wraps 32 bits to numElements must not pass the size check."""
    small = np.zeros((6,), np.float32)
    # 2^32 + 6 elements would wrap to 6 in a 32-bit product.
    res = _call(harness, [Layer(small, dims=[65536, 65536 + 0, 1], num_elements=0)])
    assert not res.ok
    res = _call(harness, [Layer(small, dims=[4294967295, 2, 3], num_elements=6)])
    assert not res.ok and "do not match numElements" in res.error
