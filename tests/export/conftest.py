"""Fixtures for the export tests: a YOLO11n built from yolo11n.yaml (random weights, nothing
downloaded), saved as a .pt once per session, real sample images and real exports of it."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_AUTOINSTALL", "false")
os.environ.setdefault("YOLO_VERBOSE", "false")

BATCH = 3  # engine/ONNX max batch for the dynamic exports
IMGSZ = 640
TOPK = 100
IOU = 0.5


@pytest.fixture(scope="session")
def assets() -> Path:
    import ultralytics

    return Path(ultralytics.__file__).parent / "assets"


@pytest.fixture(scope="session")
def sample_images(assets: Path) -> list[Path]:
    return [assets / "bus.jpg", assets / "zidane.jpg"]


@pytest.fixture(scope="session")
def yolo_pt(tmp_path_factory: pytest.TempPathFactory, letterboxed: tuple) -> Path:
    """YOLO11n (80 classes) with seeded random weights, saved the way training saves it.

    Freshly initialised, its activations die out before the head and every anchor of a level
    gets the same score (the class bias): NMS over ties compares nothing. Re-estimating the
    BatchNorm statistics on the sample images (one forward pass in train mode) keeps the weights
    random but makes scores, classes and boxes vary from anchor to anchor. The images are
    Ultralytics' letterbox of them (grey padding), what the exported graph feeds the model.
    """
    inputs = letterboxed[0]
    import torch
    from ultralytics import YOLO

    torch.manual_seed(0)
    yolo = YOLO("yolo11n.yaml")
    for mod in yolo.model.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.reset_running_stats()
            mod.momentum = None  # cumulative average over the pass
    yolo.model.train()
    with torch.no_grad():
        yolo.model(torch.from_numpy(inputs))
    yolo.model.eval()
    path = tmp_path_factory.mktemp("weights") / "yolo11n_random.pt"
    yolo.save(str(path))
    return path


@pytest.fixture(scope="session")
def inputs(sample_images: list[Path]) -> np.ndarray:
    """BATCH real images, letterboxed as the rendered PGIE has nvinfer do it (black padding):
    [BATCH, 3, 640, 640] float32 in [0, 1]."""
    import cv2

    from alpr_gen.export.calibrator import calibration_spec
    from alpr_gen.nvinfer.preprocess import preprocess_batch

    imgs = [cv2.imread(str(p)) for p in sample_images]
    imgs.append(cv2.flip(imgs[0], 1))  # a third, different frame
    # scaling-filter=1 (bilinear), as the rendered PGIE: the resampler Ultralytics uses too.
    spec = calibration_spec(IMGSZ, scaling_filter=1)
    batch, _ = preprocess_batch(imgs[:BATCH], spec, channel_order="BGR")
    return batch


@pytest.fixture(scope="session")
def letterboxed(sample_images: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    """The same BATCH images through Ultralytics' own LetterBox (grey 114), [B, 3, 640, 640]
    float32 RGB in [0, 1], and each image's area inside the input [B, 4] (x1, y1, x2, y2)."""
    import cv2
    from ultralytics.data.augment import LetterBox

    imgs = [cv2.imread(str(p)) for p in sample_images]
    imgs.append(cv2.flip(imgs[0], 1))
    out, areas = [], []
    for img in imgs[:BATCH]:
        boxed = LetterBox(IMGSZ, auto=False)(image=img)
        out.append(boxed[:, :, ::-1].transpose(2, 0, 1).astype(np.float32) / np.float32(255))
        # where the image landed: the rows/columns that are not the grey 114 border
        h, w = img.shape[:2]
        r = min(IMGSZ / h, IMGSZ / w)
        sw, sh = round(w * r), round(h * r)
        left, top = round((IMGSZ - sw) / 2 - 0.1), round((IMGSZ - sh) / 2 - 0.1)
        areas.append([left, top, left + sw, top + sh])
    return np.ascontiguousarray(np.stack(out)), np.array(areas, np.float32)


@pytest.fixture(scope="session")
def raw_torch(yolo_pt: Path, letterboxed: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Ultralytics' own raw output [B, 4+nc, A] on Ultralytics' own letterbox of the images (the
    reference for both heads, which get nvinfer's black-padded `inputs` and fill them)."""
    import torch

    from alpr_gen.export.onnx_export import load_detection_model, prepare_for_export

    model = prepare_for_export(load_detection_model(yolo_pt).model, dynamic=False)
    with torch.no_grad():
        out = model(torch.from_numpy(letterboxed[0]))
    out = out[0] if isinstance(out, (tuple, list)) else out
    return out.numpy()


@pytest.fixture(scope="session")
def e2e_conf(raw_torch: np.ndarray) -> float:
    """A score threshold that keeps ~400 candidates per image.

    Random weights give near-uniform tiny scores (~1e-5), so 0.25 would keep nothing; a threshold
    taken from the scores themselves leaves hundreds of overlapping boxes for NMS to resolve.
    """
    best = raw_torch[:, 4:, :].max(axis=1)  # [B, A]
    return float(np.sort(best, axis=1)[:, -400].min())


@pytest.fixture(scope="session")
def exports(
    yolo_pt: Path, tmp_path_factory: pytest.TempPathFactory, e2e_conf: float
) -> dict[str, object]:
    """Real exports (dynamic batch 1..BATCH) with both heads, through export_model."""
    from alpr_gen.export import ExportRequest, export_model

    out = tmp_path_factory.mktemp("exports")
    results = {}
    for head in ("deepstream", "end2end"):
        req = ExportRequest(
            weights=yolo_pt,
            out_dir=out / head,
            imgsz=IMGSZ,
            batch=BATCH,
            dynamic=True,
            head=head,  # type: ignore[arg-type]
            topk=TOPK,
            conf=e2e_conf,
            iou=IOU,
            precision="fp16",
        )
        results[head] = (req, export_model(req))
    return results


@pytest.fixture(scope="session")
def static_exports(yolo_pt: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Static-batch (batch 1) ONNX exports with both heads, no engine: {head: onnx path}."""
    from alpr_gen.export import ExportRequest, export_model

    out = tmp_path_factory.mktemp("static-exports")
    paths = {}
    for head in ("deepstream", "end2end"):
        req = ExportRequest(
            weights=yolo_pt,
            out_dir=out / head,
            imgsz=IMGSZ,
            head=head,  # type: ignore[arg-type]
            topk=TOPK,
            iou=IOU,
            engine="skip",
        )
        paths[head] = export_model(req).onnx
    return paths
