"""nvinfer's scaling geometry, and its inverse: where a frame or object lands in the network input.

Forward, as gstnvinfer.cpp's get_converted_buffer computes it for a frame (PGIE) or an object's
rectangle (SGIE), with the C types it uses:

- source rectangle: left/top rounded *up* to even, width/height rounded *down* to even
  (GST_ROUND_UP_2 / GST_ROUND_DOWN_2 of the float rectangle truncated to unsigned);
- maintain-aspect-ratio=1: hdest = netW * srcH / (double) srcW (the product in 32-bit unsigned
  arithmetic), wdest = netH * srcW / (double) srcH; if hdest <= netH the source is scaled to
  netW x (guint) hdest, else to (guint) wdest x netH (truncated, not rounded);
  maintain-aspect-ratio=0: scaled to the whole network input;
- symmetric-padding=1 centres the scaled image (left = (netW - w) / 2, top = (netH - h) / 2, the odd
  pixel going right/bottom); symmetric-padding=0 puts it at (0, 0) with the padding right/bottom;
- ratio_x = w / (double) srcW, ratio_y = h / (double) srcH.

Inverse (`boxes_to_frame`), as gstnvinfer_meta_utils.cpp's attach_metadata_detector treats the
clustered boxes: left = (left - offset_left) / ratio_x, top likewise, width /= ratio_x,
height /= ratio_y, each stored as a float; then left and top below 0 become 0 (width and height
are kept: nvinfer clips nothing else). `frame_filter` is what follows there: filter-out-class-ids,
detected-min/max-w/h, roi-top/bottom-offset (a box reaching below frame height - roi-bottom-offset
is dropped, not clipped, unless crop-objects-to-roi-boundary=1). For an SGIE detector nvinfer then
adds the parent object's left/top (unrounded) to the box.
Standard library only, numpy imported where boxes are mapped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alpr_gen.errors import NvinferError

if TYPE_CHECKING:
    import numpy as np

    from alpr_gen.nvinfer.settings import ClassAttrs

_U32 = 0xFFFFFFFF


def round_up_2(value: int) -> int:
    return (value + 1) & ~1


def round_down_2(value: int) -> int:
    return value & ~1


@dataclass(frozen=True)
class Rect:
    """A rectangle in frame pixels (NvOSD_RectParams: float left, top, width, height)."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class ScaleGeometry:
    """Where nvinfer puts one frame or object into the network input, and the way back."""

    src_left: int  # the source rectangle nvinfer crops (even-rounded)
    src_top: int
    src_width: int
    src_height: int
    net_width: int
    net_height: int
    width: int  # the scaled image inside the network input
    height: int
    offset_left: int  # padding on the left / top (0 unless symmetric-padding=1)
    offset_top: int
    ratio_x: float  # width / src_width
    ratio_y: float

    @property
    def padding(self) -> tuple[int, int, int, int]:
        """Black pixels left, top, right, bottom of the scaled image."""
        right = self.net_width - self.width - self.offset_left
        bottom = self.net_height - self.height - self.offset_top
        return self.offset_left, self.offset_top, right, bottom


def _to_unsigned(value: float, what: str) -> int:
    # (unsigned int) of a float: truncation; a negative or non-finite value is undefined in C and
    # nvinfer never produces one for a frame, so it is refused here.
    if not value == value or value < 0 or value > _U32:
        raise NvinferError(f"{what} {value} is not a pixel coordinate nvinfer can crop")
    return int(value)


def scaled_size(
    src_width: int, src_height: int, net_width: int, net_height: int
) -> tuple[int, int]:
    """maintain-aspect-ratio=1's scaled size for an (already even) source: the fitting side takes
    the network size, the other is truncated (guint = double)."""
    hdest = ((net_width * src_height) & _U32) / float(src_width)
    wdest = ((net_height * src_width) & _U32) / float(src_height)
    if hdest <= net_height:
        return net_width, int(hdest)
    return int(wdest), net_height


def scale_geometry(
    src_width: float,
    src_height: float,
    net_width: int,
    net_height: int,
    *,
    maintain_aspect_ratio: bool,
    symmetric_padding: bool,
    left: float = 0.0,
    top: float = 0.0,
) -> ScaleGeometry:
    """nvinfer's scaled size and padding for a `src_width` x `src_height` frame (left = top = 0)
    or an object rectangle at (`left`, `top`) in the frame."""
    if net_width <= 0 or net_height <= 0:
        raise NvinferError(f"network input {net_width}x{net_height} has no pixels")
    src_left = round_up_2(_to_unsigned(left, "left"))
    src_top = round_up_2(_to_unsigned(top, "top"))
    w = round_down_2(_to_unsigned(src_width, "width"))
    h = round_down_2(_to_unsigned(src_height, "height"))
    if w <= 0 or h <= 0:
        raise NvinferError(
            f"a {src_width}x{src_height} source is {w}x{h} once rounded down to even sizes: "
            "nothing for nvinfer to scale"
        )
    dest_w, dest_h = net_width, net_height
    if maintain_aspect_ratio:
        dest_w, dest_h = scaled_size(w, h, net_width, net_height)
    if dest_w <= 0 or dest_h <= 0:
        raise NvinferError(
            f"a {w}x{h} source scaled into {net_width}x{net_height} keeping its aspect ratio is "
            f"{dest_w}x{dest_h}: nvinfer's scaler fails on an empty rectangle"
        )
    off_left = (net_width - dest_w) // 2 if maintain_aspect_ratio and symmetric_padding else 0
    off_top = (net_height - dest_h) // 2 if maintain_aspect_ratio and symmetric_padding else 0
    return ScaleGeometry(
        src_left,
        src_top,
        w,
        h,
        net_width,
        net_height,
        dest_w,
        dest_h,
        off_left,
        off_top,
        dest_w / float(w),
        dest_h / float(h),
    )


def as_rows(dets: np.ndarray, min_columns: int = 4) -> np.ndarray:
    """Detections as a float32 [n, k] array (an empty input of any shape gives [0, 6])."""
    import numpy as np

    arr = np.array(dets, dtype=np.float32, copy=True)
    if arr.size == 0:
        return np.zeros((0, max(6, arr.shape[-1] if arr.ndim == 2 else 6)), np.float32)
    if arr.ndim != 2 or arr.shape[1] < min_columns:
        raise NvinferError(f"detections must be [n, >={min_columns}] rows, got shape {arr.shape}")
    return arr


def boxes_to_frame(dets: np.ndarray, geo: ScaleGeometry) -> np.ndarray:
    """Parser/cluster boxes [n, >=4] (left, top, width, height in network pixels; any further
    columns are kept) -> the same in frame pixels, float32, computed as nvinfer computes them.

    For a detector SGIE nvinfer adds the parent object's left/top after `frame_filter`."""
    import numpy as np

    d = as_rows(dets)
    f32 = np.float32
    # float - guint is computed in float; dividing by the double ratio in double; stored as float.
    left = ((d[:, 0] - f32(geo.offset_left)).astype(np.float64) / geo.ratio_x).astype(f32)
    top = ((d[:, 1] - f32(geo.offset_top)).astype(np.float64) / geo.ratio_y).astype(f32)
    d[:, 2] = (d[:, 2].astype(np.float64) / geo.ratio_x).astype(f32)
    d[:, 3] = (d[:, 3].astype(np.float64) / geo.ratio_y).astype(f32)
    d[:, 0] = np.where(left < 0, f32(0), left)
    d[:, 1] = np.where(top < 0, f32(0), top)
    return d


def frame_filter(
    dets: np.ndarray,
    class_attrs: Callable[[int], ClassAttrs],
    frame_size: tuple[int, int],
    *,
    filter_out_class_ids: frozenset[int] = frozenset(),
    crop_objects_to_roi_boundary: bool = False,
) -> np.ndarray:
    """The boxes nvinfer attaches as objects, from `boxes_to_frame`'s [n, >=6] rows (left, top,
    width, height, confidence, class_id): filter-out-class-ids, detected-min/max-w/h (per class),
    then roi-top/bottom-offset against the frame (`frame_size` = width, height), dropping the box
    or, with crop-objects-to-roi-boundary=1, cropping it, in attach_metadata_detector's order."""
    import numpy as np

    f32 = np.float32
    frame_w, frame_h = frame_size
    arr = as_rows(dets, min_columns=6)
    rows = []
    for row in arr:
        cls = int(row[5])
        if cls in filter_out_class_ids:
            continue
        a = class_attrs(cls)
        left, top, width, height = (f32(v) for v in row[:4])
        if width < a.detected_min_w or height < a.detected_min_h:
            continue
        if (a.detected_max_w > 0 and width > a.detected_max_w) or (
            a.detected_max_h > 0 and height > a.detected_max_h
        ):
            continue
        # guint arithmetic: a roi-bottom-offset above the frame height wraps around.
        bottom = f32((frame_h - a.roi_bottom_offset) & _U32)
        if crop_objects_to_roi_boundary:
            top = max(top, f32(a.roi_top_offset))
            if f32(left + width) >= frame_w:
                width = f32(frame_w) - left
            if f32(top + height) > bottom:
                height = bottom - top
            out = row.copy()
            out[1:4] = (top, width, height)
            rows.append(out)
        elif not (top < a.roi_top_offset or f32(top + height) > bottom):
            rows.append(row)
    return np.array(rows, dtype=np.float32).reshape(len(rows), arr.shape[1])
