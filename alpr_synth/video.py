"""A deterministic demo clip: vehicles with plates driving towards the camera down a street.

Writes an H.264 MP4 (libx264 through the ffmpeg that imageio-ffmpeg ships, or one on PATH) and the
ground truth beside it: each vehicle's plate text and style, and per frame the vehicle and plate
boxes, so a pipeline's reads can be scored.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alpr_synth import PLATE_CLASS_ID, VEHICLE_CLASS_ID
from alpr_synth.backgrounds import street_with_horizon
from alpr_synth.fonts import find_plate_fonts
from alpr_synth.plates import STYLES, render_plate
from alpr_synth.vehicles import Sprite, alpha_paste, vehicle_sprite


@dataclass(frozen=True)
class VideoSpec:
    seed: int = 2024
    width: int = 1280
    height: int = 720
    fps: int = 15
    seconds: float = 16.0
    vehicles: int = 8
    crf: int = 27


def ffmpeg_exe() -> str:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except ImportError:
        exe = shutil.which("ffmpeg")
        if exe is None:
            raise RuntimeError("no ffmpeg: pip install imageio-ffmpeg, or install ffmpeg") from None
        return exe


def ffmpeg_argv(exe: str, spec: VideoSpec, out: Path) -> list[str]:
    """Raw RGB frames on stdin -> H.264 (yuv420p, main profile: nvv4l2decoder plays it)."""
    return [
        exe, "-hide_banner", "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{spec.width}x{spec.height}",
        "-r", str(spec.fps), "-i", "-",
        "-c:v", "libx264", "-preset", "medium", "-crf", str(spec.crf), "-profile:v", "main",
        "-pix_fmt", "yuv420p", "-g", str(spec.fps * 2), "-bf", "0", "-threads", "1",
        "-movflags", "+faststart", str(out),
    ]  # fmt: skip


@dataclass
class _Car:
    id: int
    sprite: Sprite
    text: str
    style: str
    start: int  # first frame
    frames: int  # frames from the horizon to leaving the picture
    lane: float  # lateral offset at the bottom edge, in widths of the picture


def _cars(spec: VideoSpec, rng: np.random.Generator) -> list[_Car]:
    fonts = find_plate_fonts(require_all=True)
    total = int(spec.seconds * spec.fps)
    cars = []
    for i in range(spec.vehicles):
        plate = render_plate(STYLES[i % len(STYLES)], fonts, rng, height=130)
        sprite = vehicle_sprite(plate, rng, width=420)
        frames = int(spec.fps * rng.uniform(4.5, 6.0))
        start = int(i * (total - frames) / max(1, spec.vehicles - 1))
        lane = (-0.22, 0.22)[i % 2] + rng.uniform(-0.03, 0.03)
        cars.append(_Car(i + 1, sprite, plate.text, plate.style, start, frames, lane))
    return cars


def _frame_pose(car: _Car, t: int, spec: VideoSpec, horizon: int) -> tuple[float, float, float]:
    """(scale, centre x, bottom y) of ``car`` at frame ``t``: perspective-like approach."""
    p = (t - car.start) / car.frames  # 0 at the horizon, 1 leaving the bottom edge
    depth = 0.08 + 0.92 * p**1.6  # accelerates towards the camera as it nears
    bottom = horizon + depth * (spec.height * 1.25 - horizon)
    cx = spec.width * (0.5 + car.lane * depth)
    return 0.95 * depth, cx, bottom


Frame = tuple[np.ndarray, list[tuple[int, int, tuple, str, str]]]


def render_frames(spec: VideoSpec) -> tuple[list[_Car], Iterator[Frame]]:
    """The vehicles, and the frames as (RGB, [(vehicle id, class, box, text, style)])."""
    rng = np.random.default_rng(spec.seed)
    bg, horizon = street_with_horizon(rng, spec.width, spec.height)
    cars = _cars(spec, rng)

    def frames() -> Iterator[Frame]:
        import cv2

        for t in range(int(spec.seconds * spec.fps)):
            frame = bg.copy()
            boxes = []
            live = [c for c in cars if c.start <= t < c.start + c.frames]
            poses = {c.id: _frame_pose(c, t, spec, horizon) for c in live}
            for car in sorted(live, key=lambda c: poses[c.id][0]):  # far first
                scale, cx, bottom = poses[car.id]
                sh, sw = car.sprite.rgba.shape[:2]
                w, h = max(2, int(sw * scale)), max(2, int(sh * scale))
                rgba = cv2.resize(car.sprite.rgba, (w, h), interpolation=cv2.INTER_AREA)
                x, y = int(cx - w / 2), int(bottom - h)
                alpha_paste(frame, rgba, x, y)
                vb = (max(0, x), max(0, y), min(spec.width, x + w), min(spec.height, y + h))
                if vb[2] - vb[0] < 8 or vb[3] - vb[1] < 8:
                    continue
                boxes.append((car.id, VEHICLE_CLASS_ID, vb, "", ""))
                q = car.sprite.plate_quad * np.float32([w / sw, h / sh]) + np.float32([x, y])
                lo, hi = q.min(axis=0), q.max(axis=0)
                if lo[0] >= 0 and lo[1] >= 0 and hi[0] <= spec.width and hi[1] <= spec.height:
                    pb = tuple(round(float(v), 1) for v in (lo[0], lo[1], hi[0], hi[1]))
                    boxes.append((car.id, PLATE_CLASS_ID, pb, car.text, car.style))
            noise = rng.normal(0, 3, frame.shape)
            yield np.clip(frame + noise, 0, 255).astype(np.uint8), boxes

    return cars, frames()


def write_demo_video(out_dir: Path, spec: VideoSpec = VideoSpec()) -> tuple[Path, Path]:
    """Write ``demo.mp4`` and ``demo_gt.json`` into ``out_dir`` (temp names, then renamed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    mp4, gt = out_dir / "demo.mp4", out_dir / "demo_gt.json"
    tmp_mp4, tmp_gt = out_dir / ".demo.mp4.tmp.mp4", out_dir / ".demo_gt.json.tmp"
    proc = subprocess.Popen(ffmpeg_argv(ffmpeg_exe(), spec, tmp_mp4), stdin=subprocess.PIPE)
    assert proc.stdin is not None
    rows: list[list] = []
    cars, frames = render_frames(spec)
    try:
        for t, (frame, boxes) in enumerate(frames):
            proc.stdin.write(frame.tobytes())
            for car_id, cls, box, _text, _style in boxes:
                rows.append([t, car_id, cls, *box])
        proc.stdin.close()
        if proc.wait() != 0:
            raise RuntimeError(f"ffmpeg failed with exit code {proc.returncode}")
    except BaseException:
        proc.kill()
        tmp_mp4.unlink(missing_ok=True)
        raise
    doc = {
        "video": mp4.name,
        "seed": spec.seed,
        "width": spec.width,
        "height": spec.height,
        "fps": spec.fps,
        "frames": int(spec.seconds * spec.fps),
        "classes": {"0": "vehicle", "1": "plate"},
        "vehicles": [
            {"id": c.id, "plate": c.text, "style": c.style, "first_frame": c.start,
             "last_frame": c.start + c.frames - 1}
            for c in cars
        ],
        "boxes_columns": ["frame", "vehicle_id", "class", "x0", "y0", "x1", "y1"],
        "boxes": rows,
    }  # fmt: skip
    tmp_gt.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    os.replace(tmp_mp4, mp4)
    os.replace(tmp_gt, gt)
    return mp4, gt
