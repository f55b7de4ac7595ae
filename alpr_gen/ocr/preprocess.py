"""What the SGIE feeds the recogniser, and what PaddleOCR feeds it, for comparison.

The SGIE's input is nvinfer's preprocessing (alpr_gen.nvinfer.preprocess) with the OCR preset's
settings (`sgie_spec`): the crop trimmed to even sizes, scaled to fit the network input (the
scaled size truncated), the rest left black, then `y = net-scale-factor * (x - offset)` in the
model's colour order. Black padding therefore becomes `-offset * scale` (-1.0 for PP-OCR), while
PaddleOCR itself pads with 0.0 after normalising (mid-grey); the recogniser export-ocr writes
sets nvinfer's padding to 0.0 in its graph (alpr_gen.ocr.padding). `ppocr_preprocess`
reproduces PaddleOCR's own way so the two can be compared (docs/ocr.md gives the measured
effect); it is PaddleOCR's reference, not a model of nvinfer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from alpr_gen.deepstream.facts import ColorFormat
from alpr_gen.nvinfer.settings import PreprocessSpec
from alpr_gen.ocr.presets import OcrPreset

if TYPE_CHECKING:
    import numpy as np

# The SGIE config's scaling-filter (templates/sgie_ocr.txt.j2): 1, bilinear.
SGIE_SCALING_FILTER = 1


def sgie_spec(
    preset: OcrPreset, height: int | None = None, width: int | None = None
) -> PreprocessSpec:
    """The rendered SGIE's preprocessing for `preset` (network size overridable)."""
    return PreprocessSpec(
        net_width=width or preset.width,
        net_height=height or preset.height,
        channels=preset.channels,
        color_format=ColorFormat(preset.model_color_format),
        net_scale_factor=preset.net_scale_factor,
        offsets=preset.offsets,
        maintain_aspect_ratio=bool(preset.maintain_aspect_ratio),
        symmetric_padding=bool(preset.symmetric_padding),
        scaling_filter=SGIE_SCALING_FILTER,
    )


def sgie_input(crop_rgb: np.ndarray, preset: OcrPreset) -> np.ndarray:
    """An RGB uint8 plate crop [h, w, 3] -> the float32 [C, H, W] tensor the SGIE gives it."""
    from alpr_gen.nvinfer.preprocess import preprocess

    return preprocess(crop_rgb, sgie_spec(preset)).tensor


def ppocr_preprocess(
    crop_rgb: np.ndarray,
    height: int = 48,
    width: int = 320,
    *,
    rounding: Callable[[float], int] = math.ceil,
) -> np.ndarray:
    """PaddleOCR/rapidocr `resize_norm_img` for a crop no wider than width/height allows.

    `rounding` rounds the scaled width: PaddleOCR's `math.ceil`; `math.floor` is nvinfer's
    truncation (gstnvinfer.cpp), the one way the SGIE's input still differs from PaddleOCR's
    once the padding is PaddleOCR's (alpr_gen.ocr.padding; docs/ocr.md)."""
    import cv2
    import numpy as np

    src_h, src_w = crop_rgb.shape[:2]
    resized_w = min(width, max(1, rounding(height * src_w / src_h)))
    bgr = cv2.resize(crop_rgb[:, :, ::-1], (resized_w, height)).astype(np.float32)
    out = np.zeros((3, height, width), np.float32)
    out[:, :, :resized_w] = (bgr.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
    return out
