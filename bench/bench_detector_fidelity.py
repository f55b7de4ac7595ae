"""Detector fidelity: how many of Ultralytics' boxes the DeepStream path reproduces, per geometry.

    nice .venv/bin/python bench/bench_detector_fidelity.py [--frames 20] [--model demo|lifted]
        [--head deepstream|end2end] [--no-pad-fill] [--no-crop] [--geometry NAME ...]

Reference: Ultralytics' `predict` (640 square letterbox, rect=False, grey 114) on the frame.
DeepStream path: the exported ONNX (alpr_gen.export, the chosen head, in-graph padding fill on
unless --no-pad-fill), alpr_gen.nvinfer.Detector with the rendered PGIE's settings
(preprocess, onnxruntime, the built parser through nvinfer's ABI, clustering, nvinfer's undo
and attach step; crop-objects-to-roi-boundary=1 unless --no-crop). A box is reproduced when a
box of the same class lies within 1 px on every coordinate (one to one). Frames: alpr_synth
scenes, seed 2026 (not the demo detector's training seeds 8-10). Models: the demo detector
(trained) and YOLO11n with seeded weights made image-dependent ("lifted", 80 classes).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fidelity.support import (  # noqa: E402
    DEMO_WEIGHTS,
    GEOMETRIES,
    Tally,
    lifted_weights,
    pgie_settings,
    scene_frames,
    ultralytics_boxes,
)

# Thresholds: Ultralytics' defaults for the demo model; the lifted model's scores are spread
# wider (sigmoid of N(-2.5, 1)), 0.5 keeps tens of boxes per frame.
CONF = {"demo": 0.25, "lifted": 0.5}
IOU = 0.45


def export(weights: Path, out: Path, head: str, pad_fill: bool, conf: float) -> Path:
    from alpr_gen.export.pipeline import export_model
    from alpr_gen.export.request import ExportRequest

    req = ExportRequest(
        weights=weights, out_dir=out, head=head, pad_fill=pad_fill, engine="skip",  # type: ignore[arg-type]
        conf=conf, iou=IOU, topk=300, onnx_name=f"{weights.stem}_{head}_{int(pad_fill)}.onnx",
    )  # fmt: skip
    return export_model(req).onnx


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--frames", type=int, default=20, help="frames per geometry")
    ap.add_argument("--model", choices=("demo", "lifted"), action="append")
    ap.add_argument("--head", choices=("deepstream", "end2end"), action="append")
    ap.add_argument("--no-pad-fill", action="store_true")
    ap.add_argument("--no-crop", action="store_true")
    ap.add_argument(
        "--no-clip",
        action="store_true",
        help="measurement only: fill the padding but leave the boxes unclipped in the graph",
    )
    ap.add_argument("--geometry", choices=list(GEOMETRIES), action="append")
    args = ap.parse_args()

    from ultralytics import YOLO

    from alpr_gen.nvinfer.bridge import ParserBridge
    from alpr_gen.nvinfer.detector import Detector, to_xyxy
    from alpr_gen.nvinfer.session import CPU, InferSession

    work = Path(tempfile.mkdtemp(prefix="alpr-fidelity-"))
    if args.no_clip:  # the alternative the rendered design was chosen against (docs/export.md)
        import alpr_gen.export.heads as heads

        heads.clip_to_area = lambda boxes, area: boxes
    bridge = ParserBridge.open(9)
    geometries = args.geometry or list(GEOMETRIES)
    frames = {g: scene_frames(GEOMETRIES[g], args.frames) for g in geometries}
    fill = not args.no_pad_fill
    print(f"pad fill {'on' if fill else 'off'}{' (boxes not clipped)' if args.no_clip else ''}, "
          f"crop-objects-to-roi-boundary="
          f"{0 if args.no_crop else 1}, {args.frames} frames per geometry")  # fmt: skip
    for model in args.model or ["demo", "lifted"]:
        weights = DEMO_WEIGHTS if model == "demo" else lifted_weights(work / "lifted.pt")
        yolo = YOLO(str(weights))
        nc = len(yolo.names)
        conf = CONF[model]
        for head in args.head or ["deepstream", "end2end"]:
            onnx = export(weights, work, head, fill, conf)
            settings = pgie_settings(
                onnx, num_classes=nc, conf=conf, iou=IOU, end2end=head == "end2end",
                crop=not args.no_crop,
            )  # fmt: skip
            det = Detector(settings, InferSession(onnx, providers=[CPU]), bridge)
            total = Tally()
            print(f"\n{model} ({nc} classes), {head} head, conf {conf}, iou {IOU}")
            print(f"{'geometry':20} {'boxes':>6} {'within 1 px':>12} {'max score diff':>15} "
                  f"{'> 1e-3':>7} {'worst px':>9}")  # fmt: skip
            t0 = time.perf_counter()
            for g in geometries:
                tally = Tally()
                for rgb in frames[g]:
                    theirs = ultralytics_boxes(yolo, rgb, conf, IOU)
                    ours = to_xyxy(det(rgb))
                    tally.add(ours, theirs)
                    total.add(ours, theirs)
                finite = [e for e in tally.errors or [] if np.isfinite(e)]
                print(f"{g:20} {tally.theirs:6d} {tally.matched:5d} {tally.rate:6.1%} "
                      f"{tally.max_score_diff:15.2e} {tally.scores_over():7d} "
                      f"{max(finite or [0]):9.2f}")  # fmt: skip
            print(f"{'all':20} {total.theirs:6d} {total.matched:5d} {total.rate:6.1%} "
                  f"{total.max_score_diff:15.2e} {total.scores_over():7d}   "
                  f"({time.perf_counter() - t0:.0f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
