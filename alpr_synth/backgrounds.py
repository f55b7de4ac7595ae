"""Backgrounds: procedural textures, simple street scenes, the photos Ultralytics ships, clutter.

All return H x W x 3 uint8 RGB arrays. Text-bearing clutter (signs with words) is drawn on purpose:
it teaches the detector that lettering alone does not make a plate.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from alpr_synth.plates import _font

_SIGN_WORDS = (
    "STOP",
    "EXIT",
    "MAIN ST",
    "OPEN",
    "PARKING",
    "CAFE",
    "HOTEL",
    "BUS",
    "TAXI",
    "SALE",
    "NO ENTRY",
    "PHARMACY",
    "ONE WAY",
    "POLICE",
    "SCHOOL",
    "KEEP LEFT",
)


def ultralytics_assets() -> list[Path]:
    """The sample photos in ultralytics/assets (bus.jpg, zidane.jpg), found without importing it."""
    spec = importlib.util.find_spec("ultralytics")
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(next(iter(spec.submodule_search_locations))) / "assets"
    return sorted(root.glob("*.jpg"))


@lru_cache(maxsize=8)
def _load_rgb(path: str) -> np.ndarray:
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(path)
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def value_noise(rng: np.random.Generator, w: int, h: int, octaves: int = 4) -> np.ndarray:
    """Smooth multi-octave noise in [0, 1], H x W float32."""
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for o in range(octaves):
        cells = 2 ** (o + 1) + int(rng.integers(0, 3))
        grid = rng.random((cells + 1, cells + 1)).astype(np.float32)
        out += amp * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        total += amp
        amp *= 0.5
    out /= total
    return np.clip(out, 0.0, 1.0)


def texture(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Coloured noise, stripes or bricks."""
    kind = int(rng.integers(3))
    c1, c2 = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    if kind == 0:
        t = value_noise(rng, w, h)[..., None]
    elif kind == 1:
        period = rng.uniform(8, 80)
        ang = rng.uniform(0, np.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        phase = (xx * np.cos(ang) + yy * np.sin(ang)) * 2 * np.pi / period
        t = (0.5 + 0.5 * np.sin(phase))[..., None]
    else:
        t = np.ones((h, w, 1), np.float32)
        bh, bw = int(rng.integers(10, 40)), int(rng.integers(25, 90))
        for row, y in enumerate(range(0, h, bh)):
            t[y : y + 2] = 0.2
            for x in range(-(row % 2) * bw // 2, w, bw):
                t[y : y + bh, max(0, x) : max(0, x) + 2] = 0.2
        t = t * (0.7 + 0.3 * value_noise(rng, w, h, 3)[..., None])
    img = c1 * t + c2 * (1 - t)
    return np.clip(img, 0, 255).astype(np.uint8)


def street(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Sky, a row of buildings with windows, a road with lane markings."""
    return street_with_horizon(rng, w, h)[0]


def street_with_horizon(rng: np.random.Generator, w: int, h: int) -> tuple[np.ndarray, int]:
    """``street`` and the row where the road starts."""
    img = np.zeros((h, w, 3), np.float32)
    horizon = int(h * rng.uniform(0.25, 0.55))
    top, bottom = rng.uniform(120, 235, 3), rng.uniform(150, 255, 3)
    ramp = np.linspace(0, 1, max(1, horizon), dtype=np.float32)[:, None, None]
    img[:horizon] = top * (1 - ramp) + bottom * ramp
    x = 0
    while x < w:  # buildings
        bw = int(rng.integers(w // 10, w // 3))
        bh = int(rng.integers(horizon // 3, horizon + 1))
        col = rng.uniform(60, 220, 3)
        img[horizon - bh : horizon, x : x + bw] = col
        win = rng.uniform(20, 90, 3) if rng.random() < 0.7 else rng.uniform(180, 250, 3)
        step_x, step_y = int(rng.integers(10, 26)), int(rng.integers(12, 30))
        for wy in range(horizon - bh + 6, horizon - 10, step_y):
            for wx in range(x + 5, x + bw - 10, step_x):
                img[wy : wy + step_y // 2, wx : wx + step_x // 2] = win
        x += bw + int(rng.integers(0, 20))
    road = rng.uniform(50, 130)
    img[horizon:] = road + (value_noise(rng, w, h - horizon, 3)[..., None] - 0.5) * 30
    lane_y = np.linspace(horizon, h, 6).astype(int)
    cx = w * rng.uniform(0.3, 0.7)
    for k in range(5):  # dashed centre line, widening towards the camera
        y0, y1 = lane_y[k], lane_y[k] + (lane_y[k + 1] - lane_y[k]) // 2
        half = 1 + int((y0 - horizon) / max(1, h - horizon) * 10)
        img[y0:y1, int(cx) - half : int(cx) + half] = 235
    return np.clip(img, 0, 255).astype(np.uint8), horizon


def asset_crop(rng: np.random.Generator, w: int, h: int) -> np.ndarray | None:
    assets = ultralytics_assets()
    if not assets:
        return None
    src = _load_rgb(str(assets[int(rng.integers(len(assets)))]))
    sh, sw = src.shape[:2]
    scale = rng.uniform(0.35, 1.0)
    cw, ch = int(sw * scale), int(sh * scale)
    cw, ch = max(32, min(cw, sw)), max(32, min(ch, sh))
    x0, y0 = int(rng.integers(0, sw - cw + 1)), int(rng.integers(0, sh - ch + 1))
    crop = src[y0 : y0 + ch, x0 : x0 + cw]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return cv2.resize(np.ascontiguousarray(crop), (w, h), interpolation=cv2.INTER_LINEAR)


def background(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    r = rng.random()
    if r < 0.45:
        return street(rng, w, h)
    if r < 0.7:
        img = asset_crop(rng, w, h)
        if img is not None:
            return img
    return texture(rng, w, h)


def add_clutter(img: np.ndarray, rng: np.random.Generator, fonts: list[Path]) -> np.ndarray:
    """Shapes, poles and text signs (hard negatives) drawn over ``img``."""
    h, w = img.shape[:2]
    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil)
    for _ in range(int(rng.integers(0, 7))):
        col = tuple(int(c) for c in rng.integers(0, 256, 3))
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        s = int(rng.integers(8, max(9, w // 4)))
        kind = int(rng.integers(4))
        if kind == 0:
            draw.rectangle((x, y, x + s, y + int(s * rng.uniform(0.3, 1.5))), fill=col)
        elif kind == 1:
            draw.ellipse((x, y, x + s, y + s), fill=col)
        elif kind == 2:
            draw.line(
                (x, y, int(rng.integers(0, w)), int(rng.integers(0, h))),
                fill=col,
                width=int(rng.integers(1, 8)),
            )
        else:  # a sign with a word on it
            word = _SIGN_WORDS[int(rng.integers(len(_SIGN_WORDS)))]
            font = _font(str(fonts[int(rng.integers(len(fonts)))]), max(8, s // 4))
            left, top, right, bottom = font.getbbox(word)
            pad = max(2, s // 12)
            box = (x, y, x + right - left + 2 * pad, y + bottom - top + 2 * pad)
            draw.rectangle(box, fill=col)
            ink = (255, 255, 255) if sum(col) < 380 else (0, 0, 0)
            draw.text((x + pad - left, y + pad - top), word, font=font, fill=ink)
    return np.asarray(pil, dtype=np.uint8).copy()
