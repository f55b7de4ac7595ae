"""Shared by the fidelity tests and bench/bench_fidelity.py: generated frames, Ultralytics'
own predictions, the rendered PGIE's settings and the one-to-one box matching.

The DeepStream side is alpr_gen.nvinfer (Detector: preprocess, onnxruntime, the built parser
through nvinfer's ABI, clustering, the undo and nvinfer's attach step) with the settings of the
rendered PGIE config (tests/golden/lot7/pgie_yolo11.txt); only the model, the class count and
the thresholds are replaced. Frames come from alpr_synth (Debian fonts, procedural streets and
textures, vehicles, blur/noise/JPEG) with seed FRAME_SEED, which the demo detector never saw
(tools/train_detector.py used seeds 8, 9 and 10).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alpr_gen.deepstream.keyfile import read_keyfile
from alpr_gen.nvinfer.settings import InferSettings
from alpr_synth.demo_model import DEMO_WEIGHTS  # noqa: F401 - for the tests and benches

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_VERBOSE", "false")

REPO = Path(__file__).resolve().parents[2]
RENDERED_PGIE = REPO / "tests" / "golden" / "lot7" / "pgie_yolo11.txt"
FRAME_SEED = 2026
# Frame geometries. EXACT: nvinfer's letterbox is Ultralytics' (even sides, and nvinfer's
# truncated scaled side, alpr_gen.nvinfer.geometry.scaled_size, equals Ultralytics' rounded one).
EXACT: dict[str, tuple[int, int]] = {
    "16:9 1280x720": (1280, 720),
    "16:9 1920x1080": (1920, 1080),
    "4:3 640x480": (640, 480),
    "4:3 1024x768": (1024, 768),
    "portrait 720x1280": (720, 1280),
    "portrait 482x856": (482, 856),
    "odd 1360x768": (1360, 768),
    "odd 998x562": (998, 562),
    "odd 1000x560": (1000, 560),
}
# nvinfer scales these one row/column differently (truncation, or an odd side dropped).
INEXACT: dict[str, tuple[int, int]] = {
    "1366x768": (1366, 768),
    "1000x562": (1000, 562),
    "portrait 480x854": (480, 854),
    "odd 1281x721": (1281, 721),
    "odd 853x479": (853, 479),
}
GEOMETRIES = {**EXACT, **INEXACT}


def pgie_settings(
    onnx: Path, *, num_classes: int, conf: float, iou: float, end2end: bool, crop: bool = True
) -> InferSettings:
    """The rendered PGIE config's settings with this model, class count and thresholds."""
    kf = read_keyfile(RENDERED_PGIE)
    prop = {k: e.value for k, e in kf.group("property").entries.items()}
    prop.update(
        {
            "onnx-file": str(onnx),
            "num-detected-classes": str(num_classes),
            "cluster-mode": "4" if end2end else "2",
            "crop-objects-to-roi-boundary": "1" if crop else "0",
        }
    )
    groups = {
        "class-attrs-all": {"pre-cluster-threshold": str(conf), "nms-iou-threshold": str(iou)}
    }
    return InferSettings.from_mapping(prop, groups, base_dir=RENDERED_PGIE.parent)


def scene_frames(size: tuple[int, int], count: int, start: int = 0) -> list[np.ndarray]:
    """`count` generated RGB frames of `size` (width, height), seed FRAME_SEED."""
    from alpr_synth.fonts import find_plate_fonts
    from alpr_synth.scene import make_scene

    fonts = find_plate_fonts()
    base = sum(size) * 1000  # another stretch of scenes for each geometry
    return [make_scene(FRAME_SEED, base + start + i, fonts, size=size).image for i in range(count)]


def ultralytics_boxes(yolo: object, rgb: np.ndarray, conf: float, iou: float) -> np.ndarray:
    """Ultralytics' predict (640 square letterbox, rect=False) -> [n, 6] x1, y1, x2, y2, conf,
    class in frame pixels."""
    r = yolo.predict(  # type: ignore[attr-defined]
        np.ascontiguousarray(rgb[:, :, ::-1]), imgsz=640, rect=False, conf=conf, iou=iou,
        max_det=300, verbose=False,
    )[0]  # fmt: skip
    b = r.boxes
    return np.concatenate(
        [b.xyxy.numpy(), b.conf.numpy()[:, None], b.cls.numpy()[:, None]], axis=1
    ).astype(np.float32)


@dataclass
class Tally:
    """Ultralytics' boxes reproduced within `tol` px (same class, one to one)."""

    tol: float = 1.0
    theirs: int = 0
    matched: int = 0
    ours: int = 0
    score_diffs: list[float] | None = None
    errors: list[float] | None = None  # per Ultralytics box: the nearest same-class box's error

    def add(self, ours: np.ndarray, theirs: np.ndarray) -> None:
        self.score_diffs = self.score_diffs or []
        self.errors = self.errors or []
        self.theirs += len(theirs)
        self.ours += len(ours)
        used = np.zeros(len(ours), bool)
        for row in theirs[np.argsort(-theirs[:, 4])]:
            cand = ~used & (ours[:, 5] == row[5]) if len(ours) else np.zeros(0, bool)
            if not cand.any():
                self.errors.append(float("inf"))
                continue
            err = np.abs(ours[:, :4] - row[:4]).max(axis=1)
            j = np.flatnonzero(cand)[np.argmin(err[cand])]
            self.errors.append(float(err[j]))
            if err[j] <= self.tol:
                used[j] = True
                self.matched += 1
                self.score_diffs.append(abs(float(ours[j, 4]) - float(row[4])))

    @property
    def rate(self) -> float:
        return self.matched / self.theirs if self.theirs else 1.0

    @property
    def max_score_diff(self) -> float:
        return max(self.score_diffs or [0.0])

    def scores_over(self, limit: float = 1e-3) -> int:
        return sum(d > limit for d in self.score_diffs or [])


def lifted_weights(dest: Path) -> Path:
    """YOLO11n from yolo11n.yaml (80 classes) with seeded weights made image-dependent
    (tests/parsers/chain.py lift_model, probed on a generated 1280x720 frame), saved as .pt."""
    import torch
    from ultralytics import YOLO

    from alpr_gen.nvinfer.preprocess import preprocess
    from tests.parsers.chain import lift_model

    settings = InferSettings.from_keyfile(read_keyfile(RENDERED_PGIE))
    probe = preprocess(scene_frames((1280, 720), 1)[0], settings.preprocess_spec((640, 640)))
    torch.manual_seed(0)
    model = YOLO("yolo11n.yaml")
    lift_model(model, torch.from_numpy(probe.tensor[None]))
    dest.parent.mkdir(parents=True, exist_ok=True)
    model.save(str(dest))
    return dest
