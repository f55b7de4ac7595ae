"""INT8 calibration preprocessing against nvinfer's formula, and the calibrator's batch feeding.

Expected values are derived by hand from gstnvinfer.cpp's get_converted_buffer (even source crop,
hdest/wdest truncated, padding (net - scaled) // 2 on the left/top) and from
y = net-scale-factor * (x - offset) with the net-scale-factor the rendered config carries
(alpr_gen.plan.NET_SCALE_1_255), offsets 0, RGB.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from alpr_gen.deepstream.facts import NET_SCALE_1_255
from alpr_gen.errors import ExportError
from alpr_gen.export.calibrator import (
    CalibrationBatches,
    CalibrationFeeder,
    letterbox_geometry,
    preprocess,
)


@pytest.mark.parametrize(
    ("src", "net", "expect"),
    [
        # bus.jpg 810x1080: hdest = 640*1080/810 = 853.3 > 640 -> wdest = 640*810/1080 = 480
        ((810, 1080), (640, 640), (810, 1080, 480, 640, 80, 0)),
        # zidane.jpg 1280x720: hdest = 640*720/1280 = 360 -> pad (640-360)//2 = 140 on top
        ((1280, 720), (640, 640), (1280, 720, 640, 360, 0, 140)),
        # odd sizes are cropped to even first (GST_ROUND_DOWN_2)
        ((1281, 721), (640, 640), (1280, 720, 640, 360, 0, 140)),
        # 1000x562: hdest = 359.68 -> 359 (truncated), top 140, bottom 141
        ((1000, 562), (640, 640), (1000, 562, 640, 359, 0, 140)),
        # portrait into a wide network: wdest = 384*1080/1920 = 216 -> left (640-216)//2 = 212
        ((1080, 1920), (640, 384), (1080, 1920, 216, 384, 212, 0)),
        # exact fit: no padding
        ((1280, 1280), (640, 640), (1280, 1280, 640, 640, 0, 0)),
    ],
)
def test_letterbox_geometry_matches_nvinfer(
    src: tuple[int, int], net: tuple[int, int], expect: tuple[int, ...]
) -> None:
    g = letterbox_geometry(*src, *net)
    assert (g.src_w, g.src_h, g.width, g.height, g.left, g.top) == expect


def _expected_nearest(bgr: np.ndarray, net: int) -> np.ndarray:
    """nvinfer's tensor for `bgr`, computed pixel by pixel from the formula (nearest sampling as
    OpenCV's INTER_NEAREST does it: src = floor(dst * src_size / dst_size))."""
    h0, w0 = bgr.shape[0] & ~1, bgr.shape[1] & ~1
    if net * h0 / w0 <= net:
        w, h = net, int(net * h0 / w0)
    else:
        w, h = int(net * w0 / h0), net
    left, top = (net - w) // 2, (net - h) // 2
    ys = np.floor(np.arange(h) * (h0 / h)).astype(int)
    xs = np.floor(np.arange(w) * (w0 / w)).astype(int)
    rgb = bgr[:h0, :w0, ::-1]
    out = np.zeros((3, net, net), dtype=np.float32)
    # the net-scale-factor string the rendered nvinfer config carries, parsed as nvinfer does
    scale, offsets = np.float32(float(NET_SCALE_1_255)), np.zeros(3, dtype=np.float32)
    for c in range(3):
        x = rgb[ys][:, xs, c].astype(np.float32)
        out[c, top : top + h, left : left + w] = scale * (x - offsets[c])
    return out


def test_preprocess_equals_nvinfer_formula_on_sample_images(sample_images: list[Path]) -> None:
    for path in sample_images:
        bgr = cv2.imread(str(path))
        got = preprocess(bgr, 640, 640, scaling_filter=0)
        want = _expected_nearest(bgr, 640)
        assert got.shape == (3, 640, 640) and got.dtype == np.float32
        np.testing.assert_array_equal(got, want)
        g = letterbox_geometry(bgr.shape[1], bgr.shape[0], 640, 640)
        # the padding is black (0) on both sides, symmetric to within a pixel
        assert not got[:, : g.top].any() and not got[:, g.top + g.height :].any()
        assert not got[:, :, : g.left].any() and not got[:, :, g.left + g.width :].any()
        assert (
            got.max() <= 1.0 and got[:, g.top : g.top + g.height, g.left : g.left + g.width].any()
        )


def test_channel_order_and_scale() -> None:
    bgr = np.zeros((100, 200, 3), dtype=np.uint8)
    bgr[..., 0] = 255  # blue in OpenCV's BGR
    bgr[..., 2] = 51  # red
    t = preprocess(bgr, 64, 64)
    inside = t[:, 16:48, :]  # 200x100 -> 64x32, top padding 16
    np.testing.assert_allclose(
        inside[0], 51 * np.float32(1 / 255)
    )  # R first (model-color-format=0)
    assert not inside[1].any()
    np.testing.assert_allclose(inside[2], 1.0)
    assert not t[:, :16].any() and not t[:, 48:].any()


def test_bilinear_filter_differs_slightly(sample_images: list[Path]) -> None:
    bgr = cv2.imread(str(sample_images[0]))
    near, lin = preprocess(bgr, 640, 640, 0), preprocess(bgr, 640, 640, 1)
    assert not np.array_equal(near, lin)
    assert np.abs(near - lin).mean() < 0.05  # same geometry, only the resampling differs


def test_rejects_non_image() -> None:
    with pytest.raises(ValueError):
        preprocess(np.zeros((10, 10), dtype=np.uint8), 64, 64)


def _frames(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(n):
        img = np.full((48, 80, 3), 40 * i, dtype=np.uint8)
        p = folder / f"f{i}.png"
        cv2.imwrite(str(p), img)
        paths.append(p)
    return paths


def test_batches_are_full_and_in_order(tmp_path: Path) -> None:
    files = _frames(tmp_path / "frames", 5)
    batches = CalibrationBatches(files, batch=2, imgsz=64)
    got = list(batches)
    assert len(batches) == 2 and len(got) == 2  # the fifth image would be a short batch: dropped
    assert all(b.shape == (2, 3, 64, 64) and b.dtype == np.float32 for b in got)
    # image i is grey level 40*i; inside the letterbox (80x48 -> 64x38, top 13) that is 40*i/255
    for k, b in enumerate(got):
        for j in range(2):
            i = 2 * k + j
            np.testing.assert_allclose(b[j, :, 13:51, :], 40 * i * np.float32(1 / 255))
    with pytest.raises(ExportError, match="at least 4 images"):
        CalibrationBatches(files[:3], batch=4, imgsz=64)


def test_undecodable_image_is_named(tmp_path: Path) -> None:
    files = _frames(tmp_path / "frames", 2)
    files[1].write_bytes(b"not a png")
    with pytest.raises(ExportError, match=r"f1\.png: cannot be decoded"):
        list(CalibrationBatches(files, batch=2, imgsz=64))


def test_feeder_protocol(tmp_path: Path) -> None:
    """What TensorRT calls: get_batch_size, get_batch until None, read/write cache."""
    files = _frames(tmp_path / "frames", 6)
    seen: list[np.ndarray] = []
    progress: list[tuple[int, int]] = []

    def to_device(host: np.ndarray) -> tuple[int, object]:
        seen.append(host)
        return 1000 + len(seen), host

    cache = tmp_path / "out" / "m.onnx.calib"
    feeder = CalibrationFeeder(
        CalibrationBatches(files, 3, 64), cache, to_device, lambda d, t: progress.append((d, t))
    )
    assert feeder.get_batch_size() == 3
    assert feeder.read_calibration_cache() is None
    assert feeder.get_batch(["images"]) == [1001]
    assert feeder.get_batch(["images"]) == [1002]
    assert feeder.get_batch(["images"]) is None  # exhausted: calibration ends
    assert progress == [(1, 2), (2, 2)] and [s.shape for s in seen] == [(3, 3, 64, 64)] * 2
    feeder.write_calibration_cache(
        memoryview(b"TRT-100300-EntropyCalibration2\nimages: 3c010a14\n")
    )
    assert cache.read_bytes().startswith(b"TRT-100300-EntropyCalibration2")
    assert feeder.read_calibration_cache() == cache.read_bytes()
    assert [p.name for p in cache.parent.iterdir()] == ["m.onnx.calib"]  # no temp file left
