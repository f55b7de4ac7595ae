"""Stylised vehicles seen from the front or rear, with the plate mounted on the bumper.

A vehicle is an RGBA sprite plus the quad (4 corners, clockwise from top-left) its plate occupies in
sprite pixels, so perspective warps can carry the plate's corners along.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from alpr_synth.plates import Plate

# Plate widths in metres (US, EU, Mercosur, two-line, dark) over a 1.8 m wide car.
_PLATE_M = {"us": 0.305, "eu": 0.52, "mercosur": 0.40, "two_line": 0.28, "dark": 0.45}
_CAR_M = 1.8


@dataclass(frozen=True)
class Sprite:
    rgba: np.ndarray  # H x W x 4 uint8
    plate_quad: np.ndarray | None  # 4 x 2 float32, sprite pixels


def _c(rgb: np.ndarray) -> tuple[int, int, int]:
    return tuple(int(v) for v in np.clip(rgb, 0, 255))


def vehicle_sprite(plate: Plate, rng: np.random.Generator, width: int = 420) -> Sprite:
    """A car/van/truck front or rear of ``width`` px with ``plate`` on its bumper."""
    tall = rng.uniform(0.72, 1.15)  # vans and trucks are taller
    h = int(width * tall)
    img = Image.new("RGBA", (width, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    body = rng.uniform(10, 245, 3)
    dark = body * 0.45
    roof = int(h * rng.uniform(0.02, 0.12))
    belt = int(h * rng.uniform(0.42, 0.55))
    inset = int(width * rng.uniform(0.08, 0.16))
    # Wheels peeking out below the body.
    wy = int(h * 0.86)
    for x in (int(width * 0.06), int(width * 0.76)):
        d.rounded_rectangle((x, wy, x + int(width * 0.18), h - 1), radius=6, fill=(18, 18, 18, 255))
    # Cabin (trapezoid) and windscreen.
    d.polygon(
        [
            (inset, belt),
            (width - inset, belt),
            (width - inset - width * 0.06, roof),
            (inset + width * 0.06, roof),
        ],
        fill=(*_c(body), 255),
    )
    g = int(width * 0.025)
    glass = rng.uniform(20, 90, 3)
    d.polygon(
        [
            (inset + g, belt - g),
            (width - inset - g, belt - g),
            (width - inset - width * 0.06 - g, roof + g),
            (inset + width * 0.06 + g, roof + g),
        ],
        fill=(*_c(glass), 255),
    )
    # Lower body with lights, grille and bumper.
    d.rounded_rectangle(
        (0, belt, width - 1, int(h * 0.9)), radius=int(width * 0.05), fill=(*_c(body), 255)
    )
    front = rng.random() < 0.5
    light = (235, 235, 210) if front else (200, 20, 20)
    ly = belt + int(h * 0.05)
    lh = int(h * rng.uniform(0.05, 0.1))
    lw = int(width * rng.uniform(0.12, 0.2))
    d.rounded_rectangle(
        (int(width * 0.04), ly, int(width * 0.04) + lw, ly + lh), radius=4, fill=(*light, 255)
    )
    d.rounded_rectangle(
        (int(width * 0.96) - lw, ly, int(width * 0.96), ly + lh), radius=4, fill=(*light, 255)
    )
    if front:
        d.rectangle((int(width * 0.3), ly, int(width * 0.7), ly + lh), fill=(*_c(dark), 255))
    bumper_y = int(h * rng.uniform(0.74, 0.8))
    d.rectangle((0, bumper_y, width - 1, bumper_y + int(h * 0.04)), fill=(*_c(body * 0.7), 255))
    rgba = np.asarray(img, dtype=np.uint8).copy()
    # The plate, centred horizontally, just above the bumper strip.
    pw = width * _PLATE_M[plate.style] / _CAR_M * rng.uniform(0.9, 1.1)
    ph = pw * plate.image.shape[0] / plate.image.shape[1]
    px0 = (width - pw) / 2 + rng.uniform(-0.03, 0.03) * width
    py1 = bumper_y + int(h * 0.02)
    py0 = max(belt + lh + h * 0.06, py1 - ph)
    quad = np.float32([[px0, py0], [px0 + pw, py0], [px0 + pw, py0 + ph], [px0, py0 + ph]])
    paste_quad(rgba, plate.image, quad)
    return Sprite(rgba, quad)


def paste_quad(dst: np.ndarray, src: np.ndarray, quad: np.ndarray) -> None:
    """Warp RGB ``src`` onto RGB(A) ``dst`` so its corners land on ``quad`` (anti-aliased)."""
    sh, sw = src.shape[:2]
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [sw, 0], [sw, sh], [0, sh]]), quad)
    dh, dw = dst.shape[:2]
    warped = cv2.warpPerspective(
        src, m, (dw, dh), flags=cv2.INTER_AREA if sw > 200 else cv2.INTER_LINEAR
    )
    mask = cv2.warpPerspective(np.full((sh, sw), 255, np.uint8), m, (dw, dh))
    a = (mask.astype(np.float32) / 255.0)[..., None]
    dst[..., :3] = (warped * a + dst[..., :3] * (1 - a)).astype(np.uint8)
    if dst.shape[2] == 4:
        dst[..., 3] = np.maximum(dst[..., 3], mask)


def random_homography(rng: np.random.Generator, w: int, h: int, strength: float) -> np.ndarray:
    """A perspective that moves each corner by up to ``strength`` of the size (yaw, pitch, roll)."""
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(-strength, strength, (4, 2)) * np.float32([w, h])
    yaw = rng.uniform(-strength, strength) * h  # one side shorter: the object is turned
    jitter[1, 1] += yaw
    jitter[2, 1] -= yaw
    dst = src + jitter
    dst -= dst.min(axis=0)
    return cv2.getPerspectiveTransform(src, dst.astype(np.float32))


def warp_sprite(sprite: Sprite, m: np.ndarray, scale: float) -> Sprite:
    """Apply homography ``m`` then scale; the output canvas is tight around the result."""
    h, w = sprite.rgba.shape[:2]
    s = np.float64([[scale, 0, 0], [0, scale, 0], [0, 0, 1]]) @ m
    corners = cv2.perspectiveTransform(np.float32([[[0, 0], [w, 0], [w, h], [0, h]]]), s)[0]
    x0, y0 = np.floor(corners.min(axis=0))
    x1, y1 = np.ceil(corners.max(axis=0))
    t = np.float64([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]]) @ s
    size = (max(1, int(x1 - x0)), max(1, int(y1 - y0)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    rgba = cv2.warpPerspective(sprite.rgba, t, size, flags=interp)
    quad = None
    if sprite.plate_quad is not None:
        quad = cv2.perspectiveTransform(sprite.plate_quad[None].astype(np.float32), t)[0]
    return Sprite(rgba, quad)


def alpha_paste(dst: np.ndarray, rgba: np.ndarray, x: int, y: int) -> None:
    """Blend ``rgba`` onto RGB ``dst`` with its top-left at (x, y); parts outside are dropped."""
    dh, dw = dst.shape[:2]
    h, w = rgba.shape[:2]
    sx0, sy0 = max(0, -x), max(0, -y)
    dx0, dy0 = max(0, x), max(0, y)
    dx1, dy1 = min(dw, x + w), min(dh, y + h)
    if dx1 <= dx0 or dy1 <= dy0:
        return
    src = rgba[sy0 : sy0 + (dy1 - dy0), sx0 : sx0 + (dx1 - dx0)]
    a = src[..., 3:4].astype(np.float32) / 255.0
    region = dst[dy0:dy1, dx0:dx1]
    dst[dy0:dy1, dx0:dx1] = (src[..., :3] * a + region * (1 - a)).astype(np.uint8)
