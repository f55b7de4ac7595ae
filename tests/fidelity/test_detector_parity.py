"""Detector parity: Ultralytics' predict (rect=False) against the DeepStream path, box for box.

DeepStream path: the ONNX alpr-gen exports (in-graph padding fill and clip, the default),
alpr_gen.nvinfer.Detector with the rendered PGIE's settings (nvinfer's letterbox and scaler
stand-in, onnxruntime, the built parser through nvinfer's ABI, clustering, nvinfer's undo and
attach step with crop-objects-to-roi-boundary=1). Frames: generated scenes (tests/fidelity/
support.py) at every geometry where nvinfer's letterbox is Ultralytics' (16:9, 4:3, portrait,
unusual sizes); bench/bench_detector_fidelity.py measures the others. Models: the trained demo
detector, and YOLO11n with seeded weights lifted to image-dependent outputs (80 classes, ~150
boxes a frame, many crossing the image's edges).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from .support import (
    DEMO_WEIGHTS,
    EXACT,
    Tally,
    lifted_weights,
    pgie_settings,
    scene_frames,
    ultralytics_boxes,
)

pytestmark = pytest.mark.slow
FRAMES = 4  # per geometry
CONF = {"demo": 0.25, "lifted": 0.5}
IOU = 0.45


@pytest.fixture(scope="module")
def frames() -> dict[str, list[np.ndarray]]:
    return {name: scene_frames(size, FRAMES) for name, size in EXACT.items()}


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {"demo": DEMO_WEIGHTS, "lifted": lifted_weights(tmp_path_factory.mktemp("w") / "l.pt")}


def _detector(model: str, head: str, weights: dict[str, Path], bridge, out: Path):
    from alpr_gen.export.pipeline import export_model
    from alpr_gen.export.request import ExportRequest
    from alpr_gen.nvinfer.detector import Detector
    from alpr_gen.nvinfer.session import CPU, InferSession

    req = ExportRequest(
        weights=weights[model], out_dir=out, head=head, engine="skip", conf=CONF[model],  # type: ignore[arg-type]
        iou=IOU, topk=300, onnx_name=f"{model}_{head}.onnx",
    )  # fmt: skip
    onnx = export_model(req).onnx
    nc = 2 if model == "demo" else 80
    settings = pgie_settings(onnx, num_classes=nc, conf=CONF[model], iou=IOU,
                             end2end=head == "end2end")  # fmt: skip
    assert settings.crop_objects_to_roi_boundary and settings.symmetric_padding
    return Detector(settings, InferSession(onnx, providers=[CPU]), bridge)


def _clip_then_nms(yolo, rgb: np.ndarray, conf: float) -> np.ndarray:
    """Ultralytics' own pieces in the deepstream head's order: raw output on its letterbox,
    boxes clipped to the image, then its NMS, then scale_boxes: [n, 6] xyxy, conf, class."""
    import torch
    from ultralytics.data.augment import LetterBox
    from ultralytics.utils.nms import non_max_suppression
    from ultralytics.utils.ops import scale_boxes

    h, w = rgb.shape[:2]
    boxed = LetterBox(640, auto=False)(image=np.ascontiguousarray(rgb[:, :, ::-1]))
    x = torch.from_numpy(boxed[:, :, ::-1].transpose(2, 0, 1).copy()).float()[None] / 255
    with torch.no_grad():
        raw = yolo.model.eval()(x)[0]
    r = min(640 / h, 640 / w)
    sw, sh = round(w * r), round(h * r)
    x1, y1 = round((640 - sw) / 2 - 0.1), round((640 - sh) / 2 - 0.1)
    cx, cy, bw, bh = raw[0, 0], raw[0, 1], raw[0, 2], raw[0, 3]
    a = (cx - bw / 2).clamp(x1, x1 + sw), (cy - bh / 2).clamp(y1, y1 + sh)
    b = (cx + bw / 2).clamp(x1, x1 + sw), (cy + bh / 2).clamp(y1, y1 + sh)
    raw = raw.clone()
    raw[0, 0], raw[0, 1] = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    raw[0, 2], raw[0, 3] = b[0] - a[0], b[1] - a[1]
    det = non_max_suppression(raw, conf_thres=conf, iou_thres=IOU, max_det=300)[0]
    det[:, :4] = scale_boxes((640, 640), det[:, :4], (h, w))
    return det.numpy()


@pytest.mark.parametrize("head", ["deepstream", "end2end"])
@pytest.mark.parametrize("model", ["demo", "lifted"])
def test_ultralytics_boxes_reproduced(
    model: str, head: str, frames: dict, weights: dict, bridges, tmp_path: Path
) -> None:
    from ultralytics import YOLO

    from alpr_gen.nvinfer.detector import to_xyxy

    det = _detector(model, head, weights, bridges(9), tmp_path)
    yolo = YOLO(str(weights[model]))
    tally, ordered = Tally(), Tally()
    for group in frames.values():
        for rgb in group:
            ours = to_xyxy(det(rgb))
            tally.add(ours, ultralytics_boxes(yolo, rgb, CONF[model], IOU))
            if head == "deepstream":
                ordered.add(ours, _clip_then_nms(yolo, rgb, CONF[model]))
    print(f"{model} {head}: {tally.matched}/{tally.theirs} = {tally.rate:.4f} within 1 px, "
          f"max score diff {tally.max_score_diff:.2e}")  # fmt: skip
    assert tally.theirs >= (100 if model == "demo" else 2000)
    assert tally.max_score_diff <= 1e-3
    if head == "end2end" or model == "demo":
        assert tally.rate >= 0.995
    else:
        # The deepstream head clips before nvinfer's NMS (nvinfer's attach cannot clip after
        # it); Ultralytics clips after its NMS. Same-class boxes overlapping across the image's
        # edge can then be kept or suppressed differently: the lifted model's huge random boxes
        # do that all the time (~75 %, docs/export.md), the trained detector not once.
        # Against Ultralytics' own steps in that order, the chain is exact:
        print(f"  against clip-then-NMS: {ordered.matched}/{ordered.theirs} = {ordered.rate:.4f}")
        assert ordered.rate >= 0.995 and ordered.max_score_diff <= 1e-3
