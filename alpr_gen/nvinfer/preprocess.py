"""The tensor nvinfer gives the model for a frame (PGIE) or an object crop (SGIE).

gst-nvinfer crops and scales the frame with NvBufSurfTransform into a black (zeroed) buffer of the
network size (`geometry.scale_geometry`: even-rounded source, truncated scaled size, padding right/
bottom or symmetric), in RGB, or GRAY8 for model-color-format=2; nvdsinfer then converts to the
network's channel order (model-color-format 0 RGB, 1 BGR) and computes, per channel c and in
float32, `y = net-scale-factor * (x - offsets[c])` (offsets default to 0), planar [C, H, W].

OpenCV's resampler stands in for NvBufSurfTransform's (`scaling-filter`: 0 nearest, 1 bilinear,
2 cubic, 3 area/super-sampling, 4 Lanczos, 5 and 6 nearest, 6 being the default). The GPU and VIC
scalers are not bit-exact with OpenCV's, so scaled pixels can differ by a grey level; geometry,
padding, channel order and arithmetic are nvinfer's exactly. GRAY is OpenCV's RGB->GRAY of the
scaled image (nvinfer takes the luma of its own colour conversion).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from alpr_gen.deepstream.facts import ColorFormat
from alpr_gen.errors import NvinferError
from alpr_gen.nvinfer.geometry import Rect, ScaleGeometry, scale_geometry
from alpr_gen.nvinfer.settings import PreprocessSpec

ChannelOrder = Literal["RGB", "BGR"]


def cv2_interpolation(scaling_filter: int) -> int:
    """The OpenCV interpolation standing in for NvBufSurfTransform_Inter `scaling_filter`."""
    import cv2

    table = {
        0: cv2.INTER_NEAREST,
        1: cv2.INTER_LINEAR,
        2: cv2.INTER_CUBIC,  # Algo1: GPU cubic
        3: cv2.INTER_AREA,  # Algo2: GPU super-sampling
        4: cv2.INTER_LANCZOS4,  # Algo3: GPU Lanczos
        5: cv2.INTER_NEAREST,  # Algo4: not a GPU filter
        6: cv2.INTER_NEAREST,  # Default: nearest on the GPU and the VIC
    }
    if scaling_filter not in table:
        raise NvinferError(f"scaling-filter={scaling_filter}: nvinfer accepts 0 to 6")
    return table[scaling_filter]


@dataclass(frozen=True)
class Preprocessed:
    tensor: np.ndarray  # float32 [C, H, W]
    geometry: ScaleGeometry


def _check_image(image: np.ndarray) -> None:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise NvinferError(
            f"expected an HxWx3 uint8 image, got shape {image.shape} dtype {image.dtype}"
        )


# (source RGB uint8 [h, w, 3], (width, height), OpenCV interpolation) -> scaled [height, width, 3]
Resampler = Callable[[np.ndarray, tuple[int, int], int], np.ndarray]


def opencv_resample(src: np.ndarray, size: tuple[int, int], interpolation: int) -> np.ndarray:
    import cv2

    return cv2.resize(np.ascontiguousarray(src), size, interpolation=interpolation)


def preprocess(
    image: np.ndarray,
    spec: PreprocessSpec,
    *,
    channel_order: ChannelOrder = "RGB",
    roi: Rect | None = None,
    resample: Resampler = opencv_resample,
    out: np.ndarray | None = None,
) -> Preprocessed:
    """One frame (`roi` None: the whole image, as a PGIE) or one object (`roi` in frame pixels,
    as an SGIE) of an HxWx3 uint8 `image` in `channel_order` -> nvinfer's model input.

    `resample` scales the cropped source (OpenCV's by default); bench/bench_gpu_scaler.py puts
    NPP's GPU resize there to measure what the GPU scaler changes. `out`, a float32 [C, H, W]
    array, receives the tensor (a batch's slot: no copy)."""

    _check_image(image)
    frame_h, frame_w = image.shape[:2]
    rect = roi if roi is not None else Rect(0.0, 0.0, float(frame_w), float(frame_h))
    geo = scale_geometry(
        rect.width,
        rect.height,
        spec.net_width,
        spec.net_height,
        maintain_aspect_ratio=spec.maintain_aspect_ratio,
        symmetric_padding=spec.symmetric_padding,
        left=rect.left,
        top=rect.top,
    )
    bottom, right = geo.src_top + geo.src_height, geo.src_left + geo.src_width
    if right > frame_w or bottom > frame_h:
        raise NvinferError(
            f"the object rectangle ({rect.left}, {rect.top}, {rect.width}x{rect.height}) becomes "
            f"{geo.src_left},{geo.src_top} {geo.src_width}x{geo.src_height} (even-rounded), "
            f"outside the {frame_w}x{frame_h} frame"
        )
    src = image[geo.src_top : bottom, geo.src_left : right]
    if channel_order == "BGR":
        src = src[:, :, ::-1]  # nvinfer scales the RGB(A) surface
    scaled = resample(src, (geo.width, geo.height), cv2_interpolation(spec.scaling_filter))
    canvas = np.zeros((spec.net_height, spec.net_width, 3), np.uint8)  # the padding is black
    canvas[
        geo.offset_top : geo.offset_top + geo.height, geo.offset_left : geo.offset_left + geo.width
    ] = scaled
    return Preprocessed(normalise(canvas, spec, out=out), geo)


def normalise(
    canvas_rgb: np.ndarray, spec: PreprocessSpec, *, out: np.ndarray | None = None
) -> np.ndarray:
    """nvdsinfer's conversion of the scaled RGB uint8 buffer: channel order (or GRAY), then
    float32 `net-scale-factor * (x - offset[c])`, planar [C, H, W].

    A uint8 has 256 values, so each channel's results are computed once, in float32 exactly as
    nvdsinfer computes them, and looked up: the same bits, without float work per pixel."""
    import cv2

    if spec.color_format == ColorFormat.GRAY:
        planes = [cv2.cvtColor(canvas_rgb, cv2.COLOR_RGB2GRAY)]
    else:
        planes = list(cv2.split(np.ascontiguousarray(canvas_rgb)))
        if spec.color_format == ColorFormat.BGR:
            planes.reverse()
    if len(planes) != spec.channels:
        raise NvinferError(
            f"model-color-format {spec.color_format.name} gives {len(planes)} channel(s) but "
            f"the network input has {spec.channels}"
        )
    table = _lookup(spec.net_scale_factor, tuple(spec.offsets), len(planes))
    if out is None:
        out = np.empty((len(planes), *planes[0].shape), np.float32)
    for c, plane in enumerate(planes):
        cv2.LUT(plane, table[c : c + 1], dst=out[c])
    return out


@functools.lru_cache(maxsize=64)
def _lookup(scale: float, offsets: tuple[float, ...], channels: int) -> np.ndarray:
    """[channels, 256] float32: `scale * (x - offset[c])` for every uint8 x, in float32."""
    given = np.zeros(channels, np.float32)
    given[: min(channels, len(offsets))] = np.asarray(offsets[:channels], np.float32)
    levels = np.arange(256, dtype=np.float32)
    return np.ascontiguousarray(np.float32(scale) * (levels[None, :] - given[:, None]))


def preprocess_batch(
    images: Sequence[np.ndarray],
    spec: PreprocessSpec,
    *,
    channel_order: ChannelOrder = "RGB",
    rois: Sequence[Rect | None] | None = None,
) -> tuple[np.ndarray, list[ScaleGeometry]]:
    """A batch [N, C, H, W] float32 as nvinfer forms it, and each item's geometry."""
    batch = np.empty((len(images), spec.channels, spec.net_height, spec.net_width), np.float32)
    geometries = [
        preprocess(
            img, spec, channel_order=channel_order, roi=rois[i] if rois else None, out=batch[i]
        ).geometry
        for i, img in enumerate(images)
    ]
    return batch, geometries
