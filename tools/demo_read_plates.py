"""Read the demo clip's plates with the demo detector and the PP-OCRv4 recogniser (onnxruntime, CPU)
and compare with the ground truth.

    python tools/demo_read_plates.py [--stride 2] [--json out/demo_reads.json]

The detector is the committed models/demo/alpr_demo_yolo11n.pt exported to ONNX with Ultralytics'
exporter (cached under out/demo_model/). For each vehicle the reads of its plate over the frames
are voted (summed confidence per text), as a once-per-track OCR would settle on one text.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
ROOT = Path(__file__).resolve().parents[1]


def read_video(video: Path, gt_path: Path, stride: int, onnx: Path | None = None) -> dict:
    import cv2

    from alpr_synth import PLATE_CLASS_ID
    from alpr_synth.demo_model import export_onnx
    from alpr_synth.readchain import PlateDetector, PlateReader, iou, read_plates

    gt = json.loads(gt_path.read_text())
    plates_by_frame: dict[int, list] = defaultdict(list)
    for frame, vid, cls, *box in gt["boxes"]:
        if cls == PLATE_CLASS_ID:
            plates_by_frame[frame].append((vid, tuple(box)))
    detector, reader = PlateDetector(onnx or export_onnx()), PlateReader()
    votes: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    seen: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # frames visible, frames detected
    false_pos = 0
    cap = cv2.VideoCapture(str(video))
    if not cap.isOpened():
        raise SystemExit(f"cannot open {video}")
    t0, n = time.time(), 0
    frame_no = -1
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frame_no += 1
        if frame_no % stride:
            continue
        n += 1
        reads = read_plates(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), detector, reader)
        truth = plates_by_frame.get(frame_no, [])
        used = set()
        for vid, box in truth:
            seen[vid][0] += 1
            best = max(reads, key=lambda r: iou(r.box.xyxy, box), default=None)
            if best is None or iou(best.box.xyxy, box) < 0.3:
                continue
            used.add(id(best))
            seen[vid][1] += 1
            if best.text:
                votes[vid][best.text] += best.confidence
        false_pos += sum(1 for r in reads if id(r) not in used)
    secs = time.time() - t0
    rows = []
    for car in gt["vehicles"]:
        v = votes.get(car["id"], {})
        text = max(v, key=v.get) if v else ""
        vis, det = seen[car["id"]]
        rows.append({"vehicle": car["id"], "style": car["style"], "truth": car["plate"],
                     "read": text, "correct": text == car["plate"], "frames_visible": vis,
                     "frames_detected": det})  # fmt: skip
    return {
        "frames_processed": n,
        "seconds": round(secs, 1),
        "ms_per_frame": round(1000 * secs / max(1, n), 1),
        "plate_detection_recall": round(
            sum(r["frames_detected"] for r in rows)
            / max(1, sum(r["frames_visible"] for r in rows)),
            4,
        ),
        "unmatched_plate_detections": false_pos,
        "vehicles_read": sum(r["correct"] for r in rows),
        "vehicles": len(rows),
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--video", type=Path, default=ROOT / "demo" / "demo.mp4")
    ap.add_argument("--gt", type=Path, default=None, help="default: demo_gt.json beside the video")
    ap.add_argument("--stride", type=int, default=2, help="process every Nth frame")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    res = read_video(args.video, args.gt or args.video.with_name("demo_gt.json"), args.stride)
    print(f"{'id':>3} {'style':<9} {'truth':<10} {'read':<10} {'ok':<3} frames det/visible")
    for r in res["rows"]:
        ok = "yes" if r["correct"] else "no"
        print(f"{r['vehicle']:>3} {r['style']:<9} {r['truth']:<10} {r['read']:<10} {ok:<3} "
              f"{r['frames_detected']}/{r['frames_visible']}")  # fmt: skip
    print(
        f"read {res['vehicles_read']}/{res['vehicles']} plates; plate detection recall "
        f"{res['plate_detection_recall']:.3f} over {res['frames_processed']} frames; "
        f"{res['unmatched_plate_detections']} unmatched plate detections; "
        f"{res['ms_per_frame']} ms/frame (detector + OCR, CPU)"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
