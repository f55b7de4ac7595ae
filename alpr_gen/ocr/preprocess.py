"""What the SGIE feeds the recogniser: nvinfer's preprocessing, reproduced on the CPU.

nvinfer (gstnvinfer.cpp, `maintain-aspect-ratio=1`) trims the object crop to an even width and
height, scales it to fit the network input (the scaled size truncated to whole pixels), leaves
the rest of the zeroed buffer black, converts to the model's colour order and applies
`y = net-scale-factor * (x - offset)`. Black padding therefore becomes `-offset * scale` (-1.0 for
PP-OCR), while PaddleOCR itself pads with 0.0 after normalising (mid-grey). `ppocr_preprocess`
reproduces PaddleOCR's way so the two can be compared (docs/ocr.md gives the measured effect).

Interpolation: bilinear (cv2.INTER_LINEAR), i.e. what the SGIE gets with `scaling-filter=1`;
nvinfer's GPU bilinear is close to but not bit-identical with OpenCV's.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from alpr_gen.ocr.presets import COLOR_BGR, COLOR_GRAY, OcrPreset

if TYPE_CHECKING:
    import numpy as np


def nvinfer_scaled_size(src_w: int, src_h: int, dst_w: int, dst_h: int) -> tuple[int, int]:
    """The size nvinfer scales a crop to with maintain-aspect-ratio=1 (gstnvinfer's formula)."""
    h_dest = dst_w * src_h / src_w
    w_dest = dst_h * src_w / src_h
    if h_dest <= dst_h:
        return dst_w, max(1, int(h_dest))
    return max(1, int(w_dest)), dst_h


def nvinfer_preprocess(
    crop_rgb: np.ndarray, preset: OcrPreset, height: int | None = None, width: int | None = None
) -> np.ndarray:
    """An RGB uint8 crop [h, w, 3] -> the float32 [C, H, W] tensor nvinfer gives the model."""
    import cv2
    import numpy as np

    h_net, w_net = height or preset.height, width or preset.width
    # nvinfer crops with GST_ROUND_DOWN_2 on the width and height (even sizes for NV12).
    src_h, src_w = crop_rgb.shape[0] & ~1, crop_rgb.shape[1] & ~1
    crop_rgb = crop_rgb[:src_h, :src_w]
    if preset.maintain_aspect_ratio:
        w, h = nvinfer_scaled_size(src_w, src_h, w_net, h_net)
    else:
        w, h = w_net, h_net
    resized = cv2.resize(crop_rgb, (w, h), interpolation=cv2.INTER_LINEAR)
    canvas = np.zeros((h_net, w_net, 3), np.uint8)
    x0 = (w_net - w) // 2 if preset.symmetric_padding else 0
    y0 = (h_net - h) // 2 if preset.symmetric_padding else 0
    canvas[y0 : y0 + h, x0 : x0 + w] = resized
    if preset.model_color_format == COLOR_GRAY:
        planes = cv2.cvtColor(canvas, cv2.COLOR_RGB2GRAY)[None].astype(np.float32)
    else:
        img = canvas[:, :, ::-1] if preset.model_color_format == COLOR_BGR else canvas
        planes = img.transpose(2, 0, 1).astype(np.float32)
    offsets = np.asarray(preset.offsets[: planes.shape[0]], np.float32).reshape(-1, 1, 1)
    return ((planes - offsets) * np.float32(preset.net_scale_factor)).astype(np.float32)


def ppocr_preprocess(crop_rgb: np.ndarray, height: int = 48, width: int = 320) -> np.ndarray:
    """PaddleOCR/rapidocr `resize_norm_img` for a crop no wider than width/height allows."""
    import cv2
    import numpy as np

    src_h, src_w = crop_rgb.shape[:2]
    resized_w = min(width, math.ceil(height * src_w / src_h))
    bgr = cv2.resize(crop_rgb[:, :, ::-1], (resized_w, height)).astype(np.float32)
    out = np.zeros((3, height, width), np.float32)
    out[:, :, :resized_w] = (bgr.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
    return out
