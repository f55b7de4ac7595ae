"""Helpers for the real-chain tests: the detector path as DeepStream runs it, and the model.

- `nvinfer_letterbox`: the PGIE's preprocessing (alpr_gen.nvinfer.preprocess) with the settings
  of the rendered PGIE config (tests/golden/lot7/pgie_yolo11.txt: maintain-aspect-ratio=1,
  symmetric-padding=1, RGB, net-scale-factor 1/255, scaling-filter=1).
- `unletterbox_clipped`: the geometric inverse of nvinfer's letterbox (its offsets and ratios),
  clipped to the frame, which is what Ultralytics' scale_boxes computes: the boxes compared with
  Ultralytics'. nvinfer's own arithmetic (alpr_gen.nvinfer.geometry.boxes_to_frame) differs for
  boxes reaching into the padding: it clamps left/top to 0 without shrinking the box
  (test_nvinfer_shifts_boxes_clamped_at_the_frame_edge).
- `lift_model`: YOLO11n from yolo11n.yaml has random but *degenerate* outputs (every anchor's
  scores are the per-level bias, every box the same size, whatever the image). Re-drawing the
  conv weights (He-normal, seeded) and rescaling the two head convs gives image-dependent
  scores in (0, 1) and boxes of 70-600 px: predictions worth comparing. Deterministic.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from alpr_gen.deepstream.keyfile import read_keyfile
from alpr_gen.nvinfer.geometry import ScaleGeometry
from alpr_gen.nvinfer.settings import InferSettings, PreprocessSpec

NET = 640
RENDERED_PGIE = Path(__file__).resolve().parents[1] / "golden" / "lot7" / "pgie_yolo11.txt"
Letterbox = ScaleGeometry


def pgie_spec(net_w: int = NET, net_h: int = NET) -> PreprocessSpec:
    return InferSettings.from_keyfile(read_keyfile(RENDERED_PGIE)).preprocess_spec((net_w, net_h))


def nvinfer_letterbox(rgb: np.ndarray, net_w: int = NET, net_h: int = NET):
    """An RGB frame -> ([1, 3, H, W] float32 as the PGIE feeds the model, its geometry)."""
    from alpr_gen.nvinfer.preprocess import preprocess

    item = preprocess(rgb, pgie_spec(net_w, net_h))
    return item.tensor[None], item.geometry


def unletterbox_clipped(
    dets: np.ndarray, geo: ScaleGeometry, frame_hw: tuple[int, int]
) -> np.ndarray:
    """[n, 6] left, top, width, height, conf, class (network px) -> [n, 6] x1, y1, x2, y2, conf,
    class in frame pixels: nvinfer's offsets and ratios inverted exactly, then clipped."""
    d = np.asarray(dets, np.float64).reshape(-1, 6)
    left = (d[:, 0] - geo.offset_left) / geo.ratio_x
    top = (d[:, 1] - geo.offset_top) / geo.ratio_y
    x2, y2 = left + d[:, 2] / geo.ratio_x, top + d[:, 3] / geo.ratio_y
    h, w = frame_hw
    return np.stack(
        [
            np.clip(left, 0, w),
            np.clip(top, 0, h),
            np.clip(x2, 0, w),
            np.clip(y2, 0, h),
            d[:, 4],
            d[:, 5],
        ],
        axis=1,
    )


def lift_model(yolo, probe) -> None:
    """Re-draw conv weights (seeded) and scale the head so outputs depend on the image.

    `probe` is a [1, 3, H, W] torch tensor used to measure the head convs' output spread."""
    import torch

    net = yolo.model
    det = net.model[-1]
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for mod in net.modules():
            if isinstance(mod, torch.nn.Conv2d) and mod is not det.dfl.conv:  # DFL is fixed
                fan_in = mod.in_channels // mod.groups * mod.kernel_size[0] * mod.kernel_size[1]
                mod.weight.normal_(0, math.sqrt(2.0 / fan_in), generator=gen)
                if mod.bias is not None:
                    mod.bias.zero_()
    spread: dict[str, float] = {}
    hooks = []
    for i in range(det.nl):
        for name, conv in ((f"cls{i}", det.cv3[i][-1]), (f"box{i}", det.cv2[i][-1])):
            hooks.append(
                conv.register_forward_hook(
                    lambda _m, _i, out, name=name: spread.__setitem__(name, out.std().item())
                )
            )
    net.eval()
    with torch.no_grad():
        net(probe)
    for h in hooks:
        h.remove()
    with torch.no_grad():
        for i in range(det.nl):
            det.cv3[i][-1].weight.mul_(1.0 / spread[f"cls{i}"])  # class logits ~ N(-2.5, 1)
            det.cv3[i][-1].bias.fill_(-2.5)
            det.cv2[i][-1].weight.mul_(2.0 / spread[f"box{i}"])  # DFL logits spread ~2


def xywh_to_xyxy(raw: np.ndarray) -> np.ndarray:
    """Ultralytics [4+nc, A] -> [A, 4] x1, y1, x2, y2 (float32, as the parser computes)."""
    cx, cy, w, h = raw[:4]
    half = np.float32(0.5)
    return np.stack([cx - w * half, cy - h * half, cx + w * half, cy + h * half], axis=1)


def deepstream_head(raw: np.ndarray) -> np.ndarray:
    """The `deepstream` [A, 6] head computed from the raw [4+nc, A] output."""
    scores = raw[4:]
    cls = scores.argmax(0)
    return np.concatenate(
        [xywh_to_xyxy(raw), scores.max(0)[:, None], cls[:, None].astype(np.float32)], axis=1
    ).astype(np.float32)


def pairwise_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of x1, y1, x2, y2 boxes, [n, 4] x [m, 4] -> [n, m] (float64)."""
    a = a.astype(np.float64)[:, None]
    b = b.astype(np.float64)[None]
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = iw * ih
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return inter / np.maximum(area_a + area_b - inter, 1e-12)


def greedy_nms(boxes: np.ndarray, score: np.ndarray, cls: np.ndarray, iou: float) -> frozenset:
    """Indices kept by per-class greedy NMS (suppress when IoU > iou), for robustness checks."""
    order = np.argsort(-score, kind="stable")
    suppressed = np.zeros(len(order), bool)
    kept = []
    for rank, i in enumerate(order):
        if suppressed[rank]:
            continue
        kept.append(int(i))
        rest = order[rank + 1 :]
        over = (cls[rest] == cls[i]) & (pairwise_iou(boxes[i : i + 1], boxes[rest])[0] > iou)
        suppressed[rank + 1 :] |= over
    return frozenset(kept)


def thresholds_well_defined(
    raws: list[np.ndarray], conf: float, iou: float, margin: float = 1e-4, most: int = 400
) -> tuple[bool, str]:
    """Whether (conf, iou) give the same detections however the two pipelines round.

    Both pipelines see the same tensor, but PyTorch and onnxruntime differ in the last bits,
    Ultralytics keeps score > conf where nvinfer keeps >=, and DeepStream clamps boxes to the
    network input *before* NMS while Ultralytics clips *after*. So: no score within `margin`
    of conf, and greedy NMS keeps the same boxes at iou - margin and iou + margin, on clamped
    and on unclamped boxes."""
    for k, raw in enumerate(raws):
        score = raw[4:].max(0)
        if np.any(np.abs(score - conf) < margin):
            return False, f"image {k}: a score within {margin} of conf {conf}"
        keep = score > conf
        if not 5 <= keep.sum() <= most:
            return False, f"image {k}: {keep.sum()} candidates at conf {conf}"
        boxes = xywh_to_xyxy(raw)[keep]
        cls = raw[4:].argmax(0)[keep]
        outcomes = {
            greedy_nms(b, score[keep], cls, t)
            for b in (boxes, np.clip(boxes, 0, NET))
            for t in (iou - margin, iou + margin)
        }
        if len(outcomes) != 1:
            return False, f"image {k}: NMS at IoU {iou} depends on rounding or clamping"
        if len(next(iter(outcomes))) >= 300:
            return False, f"image {k}: >= 300 kept (Ultralytics' max_det would truncate)"
    return True, ""


def choose_conf(raw: np.ndarray, iou: float, start: float = 0.5, step: float = 0.002) -> float:
    """The lowest conf >= start (on a grid) at which this frame's detections are well defined."""
    for conf in np.round(np.arange(start, 0.999, step), 4):
        if thresholds_well_defined([raw], float(conf), iou)[0]:
            return float(conf)
    raise AssertionError(f"no well-defined conf at IoU {iou} for this frame")


def match_detections(ours: np.ndarray, theirs: np.ndarray, tol: float = 1.0) -> list[str]:
    """Pair [n, 6] x1, y1, x2, y2, conf, class rows one to one (same class, every coordinate
    within tol px); return the problems (empty: they match)."""
    problems = []
    if len(ours) != len(theirs):
        problems.append(f"{len(ours)} detections vs {len(theirs)}")
    used = np.zeros(len(theirs), bool)
    for row in ours[np.argsort(-ours[:, 4])]:
        err = np.abs(theirs[:, :4] - row[:4]).max(axis=1) if len(theirs) else np.array([])
        ok = (~used) & (theirs[:, 5] == row[5]) & (err <= tol) if len(theirs) else err
        if not np.any(ok):
            problems.append(f"no match for {np.round(row, 2).tolist()}")
            continue
        best = np.flatnonzero(ok)[np.argmin(err[ok])]
        used[best] = True
    return problems
