"""nvinfer's scaling geometry and its inverse (alpr_gen.nvinfer.geometry), against values worked
out by hand from gstnvinfer.cpp's get_converted_buffer and gstnvinfer_meta_utils.cpp's
attach_metadata_detector (DeepStream 9 sources)."""

from __future__ import annotations

import numpy as np
import pytest

from alpr_gen.errors import NvinferError
from alpr_gen.nvinfer.geometry import boxes_to_frame, frame_filter, scale_geometry, scaled_size
from alpr_gen.nvinfer.settings import ClassAttrs


def letterbox(src: tuple[int, int], net: tuple[int, int], symmetric: bool = True):
    return scale_geometry(*src, *net, maintain_aspect_ratio=True, symmetric_padding=symmetric)


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
    g = letterbox(src, net)
    assert (g.src_width, g.src_height, g.width, g.height, g.offset_left, g.offset_top) == expect
    assert g.ratio_x == g.width / g.src_width and g.ratio_y == g.height / g.src_height
    left, top, right, bottom = g.padding
    assert left + g.width + right == net[0] and top + g.height + bottom == net[1]


def test_without_symmetric_padding_the_image_sits_top_left() -> None:
    g = letterbox((1000, 562), (640, 640), symmetric=False)
    assert (g.width, g.height, g.offset_left, g.offset_top) == (640, 359, 0, 0)
    assert g.padding == (0, 0, 0, 281)


def test_without_aspect_ratio_the_source_is_stretched_and_padding_ignored() -> None:
    g = scale_geometry(1280, 720, 96, 48, maintain_aspect_ratio=False, symmetric_padding=True)
    assert (g.width, g.height, g.offset_left, g.offset_top) == (96, 48, 0, 0)
    assert (g.ratio_x, g.ratio_y) == (96 / 1280, 48 / 720)


def test_object_rectangle_rounds_origin_up_and_size_down() -> None:
    g = scale_geometry(33.9, 21.2, 64, 64, maintain_aspect_ratio=True, symmetric_padding=True,
                       left=11.7, top=4.0)  # fmt: skip
    # (unsigned) 11.7 = 11 -> ROUND_UP_2 = 12; 4 -> 4; 33 -> 32; 21 -> 20
    assert (g.src_left, g.src_top, g.src_width, g.src_height) == (12, 4, 32, 20)
    assert (g.width, g.height, g.offset_top) == (64, 40, 12)


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ((120, 40), (144, 48)),
        ((640, 96), (320, 48)),
        ((1000, 40), (320, 12)),
        ((33, 10), (158, 48)),
    ],
)
def test_scaled_size_truncates(src: tuple[int, int], want: tuple[int, int]) -> None:
    assert scaled_size(*src, 320, 48) == want


@pytest.mark.parametrize(
    "args",
    [
        (1, 1, 64, 64),
        (0, 10, 64, 64),
        (10, 10, 0, 64),
        (-4.0, 10, 64, 64),
        (float("nan"), 10, 64, 64),
    ],
)
def test_degenerate_sources_are_errors(args: tuple[float, float, int, int]) -> None:
    with pytest.raises(NvinferError):
        scale_geometry(*args, maintain_aspect_ratio=True, symmetric_padding=True)


def test_a_very_wide_source_scales_to_nothing_and_is_an_error() -> None:
    with pytest.raises(NvinferError, match="empty"):
        scale_geometry(4000, 2, 320, 48, maintain_aspect_ratio=True, symmetric_padding=False)


def test_boxes_to_frame_is_nvinfer_arithmetic() -> None:
    """left = (left - offset) / ratio in float then double, stored as float; negatives -> 0;
    width and height only divided (nvinfer clips neither)."""
    g = letterbox((1280, 720), (640, 640))  # ratio 0.5, top offset 140
    dets = np.array([[10.5, 150.25, 100, 50, 0.9, 3, 0.0],
                     [-3.0, 100.0, 700, 600, 0.5, 1, 0.0]], np.float32)  # fmt: skip
    out = boxes_to_frame(dets, g)
    assert out.dtype == np.float32 and out.shape == dets.shape
    np.testing.assert_array_equal(out[0], np.float32([21.0, 20.5, 200, 100, 0.9, 3, 0]))
    # row 2: left -6 -> 0, top (100 - 140) / 0.5 = -80 -> 0; sizes beyond the frame are kept
    np.testing.assert_array_equal(out[1, :4], np.float32([0, 0, 1400, 1200]))
    ratio = np.float64(359) / 562  # 1000x562: the ratio is not a float32 value
    g2 = letterbox((1000, 562), (640, 640))
    one = boxes_to_frame(np.array([[17.3, 151.7, 3.1, 9.9, 1, 0]], np.float32), g2)[0]
    want_top = np.float32((np.float64(np.float32(151.7) - np.float32(140))) / ratio)
    assert one[1] == want_top


def _attrs(**kw: int) -> ClassAttrs:
    return ClassAttrs(**kw)  # type: ignore[arg-type]


def test_frame_filter_drops_like_attach_metadata_detector() -> None:
    rows = np.array(
        [
            [0, 0, 10, 10, 0.9, 0],  # kept
            [0, 0, 3, 10, 0.9, 0],  # narrower than detected-min-w=4
            [0, 0, 10, 10, 0.9, 2],  # class 2 filtered out
            [0, 700, 10, 30, 0.9, 1],  # reaches below 720 - roi-bottom-offset 0: dropped
            [0, 690, 10, 30, 0.9, 1],  # ends exactly at 720: kept
            [0, 5, 10, 10, 0.9, 1],  # above roi-top-offset=8 for class 1: dropped
        ],
        np.float32,
    )
    lookup = {0: _attrs(detected_min_w=4), 1: _attrs(roi_top_offset=8), 2: _attrs()}.__getitem__
    kept = frame_filter(rows, lookup, (1280, 720), filter_out_class_ids=frozenset({2}))
    np.testing.assert_array_equal(kept, rows[[0, 4]])
    # with nvinfer's defaults only the box reaching below the frame goes
    defaults = {0: _attrs(), 1: _attrs(), 2: _attrs()}.__getitem__
    np.testing.assert_array_equal(frame_filter(rows, defaults, (1280, 720)), rows[[0, 1, 2, 4, 5]])


def test_frame_filter_crops_with_crop_objects_to_roi_boundary() -> None:
    rows = np.array([[1270, 700, 30, 40, 0.9, 0], [0, 2, 10, 10, 0.8, 0]], np.float32)
    lookup = {0: _attrs(roi_top_offset=5, roi_bottom_offset=10)}.__getitem__
    out = frame_filter(rows, lookup, (1280, 720), crop_objects_to_roi_boundary=True)
    # right edge: width = 1280 - 1270; bottom: height = 720 - 10 - 700; top raised to 5
    np.testing.assert_array_equal(out, np.float32([[1270, 700, 10, 10, 0.9, 0],
                                                   [0, 5, 10, 10, 0.8, 0]]))  # fmt: skip
