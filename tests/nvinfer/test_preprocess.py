"""nvinfer's preprocessing (alpr_gen.nvinfer.preprocess) against its formula.

Expected values are derived by hand from gstnvinfer.cpp's get_converted_buffer (even source crop,
hdest/wdest truncated, padding (net - scaled) // 2 on the left/top, right/bottom without
symmetric-padding) and nvdsinfer's y = net-scale-factor * (x - offset) with the net-scale-factor
the rendered config carries (alpr_gen.deepstream.facts.NET_SCALE_1_255), offsets 0, RGB.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from alpr_gen.deepstream.facts import NET_SCALE_1_255, ColorFormat  # noqa: E402
from alpr_gen.errors import NvinferError  # noqa: E402
from alpr_gen.nvinfer.geometry import Rect, scale_geometry  # noqa: E402
from alpr_gen.nvinfer.preprocess import preprocess, preprocess_batch  # noqa: E402
from alpr_gen.nvinfer.settings import PreprocessSpec  # noqa: E402


def pgie(net: int, scaling_filter: int = 0) -> PreprocessSpec:
    """The rendered PGIE's preprocessing (templates/pgie_yolo11.txt.j2)."""
    return PreprocessSpec(net, net, 3, ColorFormat.RGB, float(NET_SCALE_1_255), (), True, True,
                          scaling_filter)  # fmt: skip


def run(bgr: np.ndarray, net: int, scaling_filter: int = 0) -> np.ndarray:
    return preprocess(bgr, pgie(net, scaling_filter), channel_order="BGR").tensor


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
        got = run(bgr, 640, scaling_filter=0)
        want = _expected_nearest(bgr, 640)
        assert got.shape == (3, 640, 640) and got.dtype == np.float32
        np.testing.assert_array_equal(got, want)
        g = scale_geometry(bgr.shape[1], bgr.shape[0], 640, 640, maintain_aspect_ratio=True,
                           symmetric_padding=True)  # fmt: skip
        # the padding is black (0) on both sides, symmetric to within a pixel
        assert not got[:, : g.offset_top].any() and not got[:, g.offset_top + g.height :].any()
        assert not got[:, :, : g.offset_left].any()
        assert not got[:, :, g.offset_left + g.width :].any()
        inner = got[
            :, g.offset_top : g.offset_top + g.height, g.offset_left : g.offset_left + g.width
        ]
        assert got.max() <= 1.0 and inner.any()


def test_channel_order_and_scale() -> None:
    bgr = np.zeros((100, 200, 3), dtype=np.uint8)
    bgr[..., 0] = 255  # blue in OpenCV's BGR
    bgr[..., 2] = 51  # red
    t = run(bgr, 64)
    inside = t[:, 16:48, :]  # 200x100 -> 64x32, top padding 16
    np.testing.assert_allclose(inside[0], 51 * np.float32(1 / 255))  # R first (RGB)
    assert not inside[1].any()
    np.testing.assert_allclose(inside[2], 1.0)
    assert not t[:, :16].any() and not t[:, 48:].any()
    # the same frame given as RGB, and model-color-format=1 (BGR): blue first
    bgr_model = replace(pgie(64), color_format=ColorFormat.BGR)
    t2 = preprocess(bgr[:, :, ::-1].copy(), bgr_model).tensor
    np.testing.assert_array_equal(t2, t[::-1])


def test_bilinear_filter_differs_slightly(sample_images: list[Path]) -> None:
    bgr = cv2.imread(str(sample_images[0]))
    near, lin = run(bgr, 640, 0), run(bgr, 640, 1)
    assert not np.array_equal(near, lin)
    assert np.abs(near - lin).mean() < 0.05  # same geometry, only the resampling differs


def test_rejects_non_image() -> None:
    with pytest.raises(NvinferError):
        run(np.zeros((10, 10), dtype=np.uint8), 64)
    with pytest.raises(NvinferError):
        run(np.zeros((10, 10, 3), dtype=np.float32), 64)


def test_offsets_and_scale_apply_per_channel_in_float32() -> None:
    rgb = np.full((8, 8, 3), (10, 20, 30), np.uint8)
    spec = PreprocessSpec(8, 8, 3, ColorFormat.RGB, 0.5, (1.0, 2.0, 3.5))
    t = preprocess(rgb, spec).tensor
    np.testing.assert_array_equal(t[:, 0, 0], np.float32(0.5) * (np.float32([10, 20, 30]) -
                                                                np.float32([1, 2, 3.5])))  # fmt: skip


def test_black_padding_becomes_minus_offset_times_scale() -> None:
    """PP-OCR's preset: 0 -> -1.0 after normalising (nvinfer pads before it normalises)."""
    rgb = np.full((20, 40, 3), 200, np.uint8)
    spec = PreprocessSpec(80, 20, 3, ColorFormat.BGR, 1 / 127.5, (127.5, 127.5, 127.5), True)
    t = preprocess(rgb, spec).tensor
    assert np.all(t[:, :, 40:] == np.float32(1 / 127.5) * (np.float32(0) - np.float32(127.5)))
    assert np.all(t[:, :, :40] > 0)  # scaled image at the left: no symmetric padding


def test_gray_model_has_one_plane() -> None:
    rgb = np.zeros((10, 10, 3), np.uint8)
    rgb[..., 1] = 255
    spec = PreprocessSpec(10, 10, 1, ColorFormat.GRAY, 1.0)
    t = preprocess(rgb, spec).tensor
    assert t.shape == (1, 10, 10)
    np.testing.assert_array_equal(t, cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)[None].astype(np.float32))
    with pytest.raises(NvinferError, match="channel"):
        preprocess(rgb, replace(spec, channels=3))


def test_sgie_object_crop_rounds_like_nvinfer() -> None:
    """An object at (11.7, 5.2) 33.9x20.6: nvinfer crops from (12, 6) a 32x20 region."""
    frame = np.random.default_rng(0).integers(0, 256, (60, 80, 3), dtype=np.uint8)
    spec = PreprocessSpec(32, 20, 3, ColorFormat.RGB, 1.0)  # stretched: no aspect ratio kept
    item = preprocess(frame, spec, roi=Rect(11.7, 5.2, 33.9, 20.6))
    g = item.geometry
    assert (g.src_left, g.src_top, g.src_width, g.src_height) == (12, 6, 32, 20)
    np.testing.assert_array_equal(item.tensor, frame[6:26, 12:44].transpose(2, 0, 1))
    with pytest.raises(NvinferError, match="outside"):
        preprocess(frame, spec, roi=Rect(60, 50, 40, 20))


def test_batch_stacks_items_and_geometries() -> None:
    rng = np.random.default_rng(1)
    frames = [rng.integers(0, 256, s, dtype=np.uint8) for s in ((48, 80, 3), (80, 48, 3))]
    batch, geos = preprocess_batch(frames, pgie(64))
    assert batch.shape == (2, 3, 64, 64)
    assert [(g.width, g.height) for g in geos] == [(64, 38), (38, 64)]
    np.testing.assert_array_equal(batch[1], preprocess(frames[1], pgie(64)).tensor)


@pytest.mark.parametrize(
    ("scale", "offsets", "fmt"),
    [
        (float(NET_SCALE_1_255), (), ColorFormat.RGB),
        (1 / 127.5, (127.5, 127.5, 127.5), ColorFormat.BGR),
        (0.017507, (123.675, 116.28, 103.53), ColorFormat.RGB),  # ImageNet-style, odd floats
        (1.0 / 3.0, (0.1,), ColorFormat.BGR),  # fewer offsets than channels: the rest are 0
        (0.00390625, (7.25,), ColorFormat.GRAY),
    ],
)
def test_every_level_matches_the_float32_formula(
    scale: float, offsets: tuple[float, ...], fmt: ColorFormat
) -> None:
    """All 256 levels of every channel, against `scale * (x - offset[c])` done pixel by pixel."""
    levels = np.arange(256, dtype=np.uint8)
    rgb = np.stack([levels, levels[::-1], np.roll(levels, 77)], axis=-1).reshape(16, 16, 3)
    channels = 1 if fmt == ColorFormat.GRAY else 3
    spec = PreprocessSpec(16, 16, channels, fmt, scale, offsets)
    t = preprocess(rgb, spec).tensor
    if fmt == ColorFormat.GRAY:
        planes = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)[None]
    else:
        planes = (rgb[..., ::-1] if fmt == ColorFormat.BGR else rgb).transpose(2, 0, 1)
    want = np.empty(planes.shape, np.float32)
    for c in range(channels):
        off = np.float32(offsets[c]) if c < len(offsets) else np.float32(0)
        want[c] = np.float32(scale) * (planes[c].astype(np.float32) - off)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t, want)
