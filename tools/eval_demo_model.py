"""Measure the demo detector on a held-out generated set: Ultralytics' val (precision, recall,
mAP50) and the plate-read rate of the whole chain (detector ONNX + PP-OCRv4 recogniser, both on
onnxruntime, CPU).

    python tools/eval_demo_model.py --count 1000 --chain-count 300 --json out/demo_eval.json

The set is ``test`` of train_detector.py's default seeds (seed 10), regenerated here; a plate counts
as read when a plate detection overlaps it (IoU >= 0.5) and its text equals the ground truth.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def chain_read_rate(root: Path, split: str, onnx: Path, limit: int | None = None) -> dict:
    import cv2

    from alpr_synth import PLATE_CLASS_ID
    from alpr_synth.readchain import PlateDetector, PlateReader, iou, read_plates

    detector, reader = PlateDetector(onnx), PlateReader()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # plates, detected, read
    examples = []
    t0 = time.time()
    lines = (root / f"{split}.jsonl").read_text().splitlines()[:limit]
    for line in lines:
        rec = json.loads(line)
        rgb = cv2.cvtColor(cv2.imread(str(root / rec["file"])), cv2.COLOR_BGR2RGB)
        reads = read_plates(rgb, detector, reader)
        for box in rec["boxes"]:
            if box["cls"] != PLATE_CLASS_ID:
                continue
            width = box["xyxy"][2] - box["xyxy"][0]
            size = "<40px" if width < 40 else "40-80px" if width < 80 else ">=80px"
            best = max(reads, key=lambda r: iou(r.box.xyxy, tuple(box["xyxy"])), default=None)
            hit = best is not None and iou(best.box.xyxy, tuple(box["xyxy"])) >= 0.5
            ok = hit and best.text == box["text"]
            for key in ("all", f"style={box['style']}", f"width{size}"):
                t = totals[key]
                t[0] += 1
                t[1] += int(hit)
                t[2] += int(ok)
            if hit and not ok and len(examples) < 15:
                examples.append({"truth": box["text"], "read": best.text, "width": round(width)})
    secs = time.time() - t0
    return {
        "images": len(lines),
        "seconds": round(secs, 1),
        "groups": {
            k: {"plates": n, "detected": d, "read": r, "read_rate": round(r / n, 4) if n else None}
            for k, (n, d, r) in sorted(totals.items())
        },
        "misread_examples": examples,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--chain-count", type=int, default=300, help="images for the read rate")
    ap.add_argument("--data", type=Path, default=Path("out/demo_eval_data"))
    ap.add_argument("--json", type=Path, default=Path("out/demo_eval.json"))
    ap.add_argument("--no-val", action="store_true", help="skip Ultralytics' val")
    args = ap.parse_args(argv)
    os.environ.setdefault("YOLO_OFFLINE", "1")

    from alpr_synth.dataset import Split, write_dataset
    from alpr_synth.demo_model import DEMO_WEIGHTS, TEST_SEED, export_onnx

    data_yaml = write_dataset(args.data, [Split("test", TEST_SEED, args.count)])
    report: dict = {"weights": str(DEMO_WEIGHTS.name), "test_seed": TEST_SEED, "count": args.count}
    if not args.no_val:
        from ultralytics import YOLO

        m = YOLO(str(DEMO_WEIGHTS)).val(
            data=str(data_yaml),
            split="test",
            imgsz=640,
            batch=16,
            device="cpu",
            plots=False,
            project=str(args.data.resolve() / "val"),
            exist_ok=True,
            verbose=False,
        )
        report["val"] = {
            "precision": m.box.mp,
            "recall": m.box.mr,
            "mAP50": m.box.map50,
            "mAP50-95": m.box.map,
        }
        names = m.names
        for k, c in enumerate(int(c) for c in m.ap_class_index):
            p, r, ap50, ap = m.box.class_result(k)
            report["val"][names[c]] = {"precision": p, "recall": r, "mAP50": ap50, "mAP50-95": ap}
    report["chain"] = chain_read_rate(args.data.resolve(), "test", export_onnx(), args.chain_count)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
