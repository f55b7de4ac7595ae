"""Plate crops as an OCR SGIE receives them: one plate, seen by a camera, cut out by a detector box.

For measuring the recogniser and its settings (bench/bench_ocr_reads.py, tests/fidelity): each
crop is a plate from `plates.render_plate` (by default the single-line styles us, eu, mercosur,
dark; `styles=("two_line",)` gives two-line plates) with dirt (`dirt`: mud blotches, specks, a
streak), seen in perspective (`vehicles.random_homography`)
against a background, shrunk to a plate height drawn from `HEIGHTS` (small plates are the
common case on a street camera), then blurred (Gaussian or motion), given sensor noise, a
lighting change and JPEG compression (`augment`), and cut out by a box around the plate's
corners with a detector's few percent of jitter. Crop `i` of set `seed` is drawn from
`numpy.random.default_rng([seed, i, 13])`, the same on every machine with the same fonts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from alpr_synth.augment import blur, jpeg, lighting, noise
from alpr_synth.plates import render_plate
from alpr_synth.vehicles import random_homography

SINGLE_LINE_STYLES = ("us", "eu", "mercosur", "dark")
HEIGHTS = (12, 96)  # plate height in the frame, pixels (log-uniform)


@dataclass(frozen=True)
class PlateCrop:
    image: np.ndarray  # H x W x 3 uint8 RGB: the detector box's pixels
    text: str  # what the OCR should read
    style: str
    plate_height: int  # the plate's height in the frame before cropping, pixels
    dirty: bool


def dirt(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mud and grime on a flat plate (RGB uint8): a few brown-grey blotches (soft-edged, partly
    transparent), dark specks and sometimes a streak across."""
    h, w = img.shape[:2]
    mask = np.zeros((h, w), np.float32)
    for _ in range(int(rng.integers(1, 5))):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        ax, ay = rng.uniform(0.04, 0.2) * w, rng.uniform(0.1, 0.5) * h
        cv2.ellipse(mask, (int(cx), int(cy)), (int(ax), int(ay)), rng.uniform(0, 180), 0, 360,
                    float(rng.uniform(0.25, 0.75)), -1)  # fmt: skip
    for _ in range(int(rng.integers(0, 40))):
        r = max(1, int(rng.uniform(0.005, 0.02) * h * 4))
        cv2.circle(mask, (int(rng.uniform(0, w)), int(rng.uniform(0, h))), r, 0.85, -1)
    if rng.random() < 0.3:
        y = int(rng.uniform(0.2, 0.8) * h)
        cv2.line(mask, (0, y), (w, y + int(rng.uniform(-0.3, 0.3) * h)), 0.5,
                 max(1, int(0.06 * h)))  # fmt: skip
    mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, 0.01 * h))[..., None]
    mud = np.array([rng.uniform(60, 110), rng.uniform(50, 90), rng.uniform(30, 70)], np.float32)
    out = img.astype(np.float32) * (1 - mask) + mud * mask
    return np.clip(out, 0, 255).astype(np.uint8)


def plate_crop(
    seed: int, index: int, fonts: list[Path], styles: tuple[str, ...] = SINGLE_LINE_STYLES
) -> PlateCrop:
    """Crop `index` of set `seed`, its style drawn from `styles` (plates.STYLES)."""
    rng = np.random.default_rng([seed, index, 13])
    style = styles[int(rng.integers(len(styles)))]
    plate = render_plate(style, fonts, rng)
    art = plate.image
    dirty = bool(rng.random() < 0.5)
    if dirty:
        art = dirt(art, rng)
    ph, pw = art.shape[:2]
    # The plate on a background patch, so that the perspective and the box show surroundings.
    margin = int(0.6 * ph)
    bg = np.empty((ph + 2 * margin, pw + 2 * margin, 3), np.uint8)
    bg[:] = rng.integers(0, 256, 3, dtype=np.uint8)
    bg = np.clip(bg + rng.normal(0, 12, bg.shape), 0, 255).astype(np.uint8)
    bg[margin : margin + ph, margin : margin + pw] = art
    quad = np.float32([[margin, margin], [margin + pw, margin], [margin + pw, margin + ph],
                       [margin, margin + ph]])  # fmt: skip
    m = random_homography(rng, bg.shape[1], bg.shape[0], 0.08)
    target_h = float(np.exp(rng.uniform(np.log(HEIGHTS[0]), np.log(HEIGHTS[1]))))
    warped_quad = cv2.perspectiveTransform(quad[None], m)[0]
    scale = target_h / max(1.0, float(np.ptp(warped_quad[:, 1])))
    s = np.float64([[scale, 0, 0], [0, scale, 0], [0, 0, 1]]) @ m
    corners = cv2.perspectiveTransform(
        np.float32([[[0, 0], [bg.shape[1], 0], [bg.shape[1], bg.shape[0]], [0, bg.shape[0]]]]), s
    )[0]
    size = (max(8, int(np.ceil(corners[:, 0].max()))), max(8, int(np.ceil(corners[:, 1].max()))))
    # Shrinking by a camera: area-average first, as a sensor integrates, then the warp.
    small = cv2.warpPerspective(bg, s, size, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT)
    q = cv2.perspectiveTransform(quad[None], s)[0]
    if rng.random() < 0.7:
        small = blur(small, rng)
    small = lighting(small, rng)
    small = noise(small, rng)
    small = jpeg(small, rng)
    # A detector's box: the quad's bounds, each side moved by up to 4 % of the plate size.
    x0, y0 = q.min(axis=0)
    x1, y1 = q.max(axis=0)
    jw, jh = 0.04 * (x1 - x0), 0.04 * (y1 - y0)
    x0, x1 = x0 + rng.uniform(-jw, jw), x1 + rng.uniform(-jw, jw)
    y0, y1 = y0 + rng.uniform(-jh, jh), y1 + rng.uniform(-jh, jh)
    h, w = small.shape[:2]
    a, b = int(np.clip(np.floor(x0), 0, w - 2)), int(np.clip(np.floor(y0), 0, h - 2))
    c, d = int(np.clip(np.ceil(x1), a + 2, w)), int(np.clip(np.ceil(y1), b + 2, h))
    crop = np.ascontiguousarray(small[b:d, a:c])
    return PlateCrop(crop, plate.text, style, round(float(np.ptp(q[:, 1]))), dirty)


def plate_crops(
    seed: int,
    count: int,
    fonts: list[Path],
    start: int = 0,
    styles: tuple[str, ...] = SINGLE_LINE_STYLES,
) -> list[PlateCrop]:
    return [plate_crop(seed, start + i, fonts, styles) for i in range(count)]
