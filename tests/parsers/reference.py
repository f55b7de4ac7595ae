"""Straightforward numpy statement of what NvDsInferParseAlprYolo must return.

Written from the parser's contract (custom_parsers/src/yolo_parser.cpp header comment), not from
its code: vectorised masks over the whole tensor, float32 arithmetic like the C++.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def reference_parse(
    out: np.ndarray, num_classes: int, thresholds: Sequence[float], net_w: int, net_h: int
) -> np.ndarray:
    """[n, 6] float32 rows: left, top, width, height, confidence, class_id (tensor order)."""
    a = np.asarray(out).astype(np.float32)
    while a.ndim > 2 and a.shape[0] == 1:
        a = a[0]
    ncfg = min(num_classes, len(thresholds))
    thr = np.asarray([*list(thresholds)[:ncfg], np.inf], np.float32)  # index ncfg: never passes
    with np.errstate(invalid="ignore", over="ignore"):
        if a.shape[1] == 6:
            x1, y1, x2, y2, score, c = a.T
            cls_ok = (c >= 0) & (c < ncfg) & (np.floor(c) == c)
            cls = np.where(cls_ok, c, ncfg).astype(np.int64)
        else:
            cx, cy, w, h = a[:4]
            scores = np.where(np.isnan(a[4:]), -np.inf, a[4:])
            cls = np.argmax(scores, axis=0)
            score = a[4:][cls, np.arange(a.shape[1])]
            cls = np.where(cls < ncfg, cls, ncfg)
            half = np.float32(0.5)
            x1, y1, x2, y2 = cx - w * half, cy - h * half, cx + w * half, cy + h * half
        keep = np.isfinite(score) & (score > 0) & (score >= thr[cls])
        keep &= np.isfinite(x1) & np.isfinite(y1) & np.isfinite(x2) & np.isfinite(y2)
        keep &= (x2 > x1) & (y2 > y1)
        cx1, cx2 = np.clip(x1, 0, net_w), np.clip(x2, 0, net_w)
        cy1, cy2 = np.clip(y1, 0, net_h), np.clip(y2, 0, net_h)
        keep &= (cx2 > cx1) & (cy2 > cy1)
    rows = np.stack([cx1, cy1, cx2 - cx1, cy2 - cy1, score, cls.astype(np.float32)], axis=1).astype(
        np.float32
    )
    return rows[keep]
