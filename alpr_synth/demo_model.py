"""Where the committed demo detector lives, and its ONNX export (cached beside the outputs)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_WEIGHTS = REPO_ROOT / "models" / "demo" / "alpr_demo_yolo11n.pt"
DEMO_IMGSZ = 640
TEST_SEED = 10  # train_detector.py --seed 8: train 8, val 9, test 10


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_onnx(weights: Path = DEMO_WEIGHTS, cache_dir: Path | None = None) -> Path:
    """Ultralytics' ONNX export of ``weights`` (raw head, 640x640, batch 1), reused while the
    weights' sha256 is unchanged. Written to a temporary name first, then renamed."""
    os.environ.setdefault("YOLO_OFFLINE", "1")
    cache_dir = (cache_dir or REPO_ROOT / "out" / "demo_model").resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    digest = sha256(weights)[:16]
    dest = cache_dir / f"{weights.stem}-{digest}.onnx"
    if dest.is_file():
        return dest
    from ultralytics import YOLO

    stage = cache_dir / f".stage-{digest}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    local = stage / weights.name
    shutil.copy(weights, local)
    produced = Path(YOLO(str(local)).export(format="onnx", imgsz=DEMO_IMGSZ, simplify=True))
    os.replace(produced, dest)
    shutil.rmtree(stage, ignore_errors=True)
    return dest
