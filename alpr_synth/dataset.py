"""Write generated scenes as an Ultralytics YOLO detection dataset.

Layout under ``root``: ``images/<split>/<index>.jpg``, ``labels/<split>/<index>.txt``,
``<split>.jsonl`` (one line per image: file, size, boxes with class, xyxy, plate text and style)
and ``data.yaml``. Each split has its own seed, so a held-out split shares no scene with training.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from alpr_synth import CLASS_NAMES


@dataclass(frozen=True)
class Split:
    name: str
    seed: int
    count: int


_FONTS: list[Path] = []


def _init_worker() -> None:
    import cv2

    from alpr_synth.fonts import find_plate_fonts

    cv2.setNumThreads(1)  # one process per core already
    _FONTS[:] = find_plate_fonts(require_all=True)


def _write_one(args: tuple[Path, str, int, int]) -> dict:
    import cv2

    from alpr_synth.scene import make_scene

    root, split, seed, index = args
    scene = make_scene(seed, index, _FONTS)
    stem = f"{index:06d}"
    img_path = root / "images" / split / f"{stem}.jpg"
    bgr = cv2.cvtColor(scene.image, cv2.COLOR_RGB2BGR)
    cv2.imwrite(str(img_path), bgr, [cv2.IMWRITE_JPEG_QUALITY, 95])
    lines = scene.yolo_lines()
    (root / "labels" / split / f"{stem}.txt").write_text("\n".join(lines) + ("\n" if lines else ""))
    h, w = scene.image.shape[:2]
    return {
        "file": f"images/{split}/{stem}.jpg",
        "width": w,
        "height": h,
        "boxes": [
            {"cls": b.cls, "xyxy": [round(v, 2) for v in b.xyxy], "text": b.text, "style": b.style}
            for b in scene.boxes
        ],
    }


def _jobs(root: Path, split: Split) -> Iterator[tuple[Path, str, int, int]]:
    for i in range(split.count):
        yield root, split.name, split.seed, i


def write_dataset(root: Path, splits: list[Split], workers: int | None = None) -> Path:
    """Generate every split into ``root``; returns the path of data.yaml."""
    root = root.resolve()
    for s in splits:
        (root / "images" / s.name).mkdir(parents=True, exist_ok=True)
        (root / "labels" / s.name).mkdir(parents=True, exist_ok=True)
    workers = workers or os.cpu_count() or 1
    # spawn, not fork: a forked child can inherit a lock held by one of OpenCV's threads and hang.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker) as pool:
        for s in splits:
            records = list(pool.map(_write_one, _jobs(root, s), chunksize=32))
            with open(root / f"{s.name}.jsonl", "w") as fh:
                for rec in records:
                    fh.write(json.dumps(rec) + "\n")
    names = "\n".join(f"  {i}: {n}" for i, n in enumerate(CLASS_NAMES))
    keys = {s.name: f"images/{s.name}" for s in splits}
    for required in ("train", "val"):  # Ultralytics insists on both, even to only evaluate
        keys.setdefault(required, keys[splits[0].name])
    split_keys = "\n".join(f"{k}: {v}" for k, v in keys.items())
    data = root / "data.yaml"
    data.write_text(f"path: {root}\n{split_keys}\nnames:\n{names}\n")
    return data
