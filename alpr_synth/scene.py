"""One labelled scene: background, vehicles with plates, loose plates, occluders, damage."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from alpr_synth import PLATE_CLASS_ID, VEHICLE_CLASS_ID
from alpr_synth.augment import degrade
from alpr_synth.backgrounds import add_clutter, background
from alpr_synth.plates import STYLES, render_plate
from alpr_synth.vehicles import (
    Sprite,
    alpha_paste,
    random_homography,
    vehicle_sprite,
    warp_sprite,
)

SCENE_SIZES: tuple[tuple[int, int], ...] = ((640, 640), (640, 480), (640, 360), (480, 640))
MIN_PLATE_PX = 18  # narrowest plate kept (the issue asks for ~20 px and up)


@dataclass(frozen=True)
class Box:
    cls: int
    xyxy: tuple[float, float, float, float]  # pixels, inside the image
    text: str = ""  # plates only: what an OCR should read
    style: str = ""  # plates only


@dataclass(frozen=True)
class Scene:
    image: np.ndarray  # H x W x 3 uint8 RGB
    boxes: tuple[Box, ...]

    def yolo_lines(self) -> list[str]:
        """Ultralytics label lines: ``cls cx cy w h`` normalised to the image size."""
        h, w = self.image.shape[:2]
        out = []
        for b in self.boxes:
            x0, y0, x1, y1 = b.xyxy
            out.append(
                f"{b.cls} {(x0 + x1) / 2 / w:.6f} {(y0 + y1) / 2 / h:.6f} "
                f"{(x1 - x0) / w:.6f} {(y1 - y0) / h:.6f}"
            )
        return out


def scene_rng(seed: int, index: int) -> np.random.Generator:
    """The generator for image ``index`` of set ``seed``: independent of worker count and order."""
    return np.random.default_rng([seed, index])


def _overlaps(box: tuple[float, float, float, float], taken: list[tuple], margin: float) -> bool:
    x0, y0, x1, y1 = box
    for a0, b0, a1, b1 in taken:
        if x0 < a1 + margin and a0 < x1 + margin and y0 < b1 + margin and b0 < y1 + margin:
            return True
    return False


def _place(
    sprite: Sprite, w: int, h: int, rng: np.random.Generator, taken: list[tuple], inside: bool
) -> tuple[int, int] | None:
    """A top-left for ``sprite`` not overlapping ``taken``, plate inside the frame; None if none."""
    sh, sw = sprite.rgba.shape[:2]
    for _ in range(20):
        if inside:
            if sw >= w or sh >= h:
                return None
            x, y = int(rng.integers(0, w - sw + 1)), int(rng.integers(0, h - sh + 1))
        else:  # vehicles may leave the frame, as long as their plate does not
            x = int(rng.integers(-sw // 3, max(1, w - 2 * sw // 3)))
            y = int(rng.integers(-sh // 3, max(1, h - 2 * sh // 3)))
        box = (max(0, x), max(0, y), min(w, x + sw), min(h, y + sh))
        if _overlaps(box, taken, 4):
            continue
        if sprite.plate_quad is not None:
            q = sprite.plate_quad + np.float32([x, y])
            lo, hi = q.min(axis=0), q.max(axis=0)
            if lo[0] < 1 or lo[1] < 1 or hi[0] > w - 1 or hi[1] > h - 1:
                continue
        return x, y
    return None


def _occlude(img: np.ndarray, quad: np.ndarray, rng: np.random.Generator) -> None:
    """Cover part of a plate (a pole, a tow bar, a leaf): at most ~35% of its width or height."""
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    pw, ph = x1 - x0, y1 - y0
    col = tuple(int(c) for c in rng.integers(0, 256, 3))
    if rng.random() < 0.5:  # vertical bar
        bw = pw * rng.uniform(0.05, 0.3)
        bx = x0 + rng.uniform(-0.1, 1.0) * pw
        cv2.rectangle(img, (int(bx), int(y0 - ph)), (int(bx + bw), int(y1 + ph)), col, -1)
    else:  # a blob over a corner or an edge
        cx = x0 + (0 if rng.random() < 0.5 else pw) + rng.uniform(-0.1, 0.1) * pw
        cy = y0 + rng.uniform(0, 1) * ph
        r = max(2, int(min(pw * 0.3, ph * 0.9) * rng.uniform(0.4, 1.0)))
        cv2.circle(img, (int(cx), int(cy)), r, col, -1)


def make_scene(
    seed: int, index: int, fonts: list[Path], size: tuple[int, int] | None = None
) -> Scene:
    """Scene ``index`` of set ``seed``; ``fonts`` must be the same list for the same output.

    ``size`` (width, height) replaces the drawn size (any geometry, e.g. a 1280x720 camera); the
    draw still happens, so the rest of the scene's random stream is the same."""
    rng = scene_rng(seed, index)
    w, h = SCENE_SIZES[int(rng.integers(len(SCENE_SIZES)))]
    if size is not None:
        w, h = size
    img = add_clutter(background(rng, w, h), rng, fonts)
    boxes: list[Box] = []
    taken: list[tuple] = []
    n_vehicles = int(rng.choice([0, 1, 1, 2, 2, 3, 4]))
    n_loose = int(rng.choice([0, 0, 0, 1, 1, 2]))
    if n_vehicles == 0 and n_loose == 0 and rng.random() < 0.85:
        n_loose = 1  # about 1 in 30 scenes keeps no plate at all (negatives)
    # Far (small) objects first, so a nearer one is never drawn under a farther one.
    sizes = sorted(
        [("v", float(np.exp(rng.uniform(np.log(60), np.log(0.95 * w))))) for _ in range(n_vehicles)]
        + [
            ("p", float(np.exp(rng.uniform(np.log(MIN_PLATE_PX + 2), np.log(0.7 * w)))))
            for _ in range(n_loose)
        ],
        key=lambda t: t[1],
    )
    for kind, size in sizes:
        plate = render_plate(STYLES[int(rng.integers(len(STYLES)))], fonts, rng)
        if kind == "v":
            base = vehicle_sprite(plate, rng)
            strength = 0.12
        else:
            rgba = np.dstack([plate.image, np.full(plate.image.shape[:2], 255, np.uint8)])
            ph, pw = plate.image.shape[:2]
            base = Sprite(rgba, np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]))
            strength = 0.18
        bh, bw = base.rgba.shape[:2]
        m = random_homography(rng, bw, bh, strength)
        sprite = warp_sprite(base, m, size / bw)
        quad = sprite.plate_quad
        if quad is None or (quad[:, 0].max() - quad[:, 0].min()) < MIN_PLATE_PX:
            continue
        at = _place(sprite, w, h, rng, taken, inside=kind == "p")
        if at is None:
            continue
        x, y = at
        alpha_paste(img, sprite.rgba, x, y)
        sh, sw = sprite.rgba.shape[:2]
        vis = (max(0, x), max(0, y), min(w, x + sw), min(h, y + sh))
        taken.append(vis)
        q = quad + np.float32([x, y])
        if rng.random() < 0.15:
            _occlude(img, q, rng)
        if kind == "v":
            ys, xs = np.nonzero(sprite.rgba[..., 3] > 127)
            vb = (
                max(0.0, x + xs.min()),
                max(0.0, y + ys.min()),
                min(float(w), x + xs.max() + 1.0),
                min(float(h), y + ys.max() + 1.0),
            )
            boxes.append(Box(VEHICLE_CLASS_ID, tuple(float(v) for v in vb)))
        lo, hi = q.min(axis=0), q.max(axis=0)
        pb = (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
        boxes.append(Box(PLATE_CLASS_ID, pb, plate.text, plate.style))
    img = degrade(img, rng)
    return Scene(np.ascontiguousarray(img), tuple(boxes))
