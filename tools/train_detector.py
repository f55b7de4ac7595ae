"""Generate a synthetic plate dataset and train YOLO11n on it from scratch (no pretrained weights).

Meant for a machine with a GPU and many cores (the data is generated there, in parallel):

    python tools/train_detector.py --out runs/demo --train 12000 --val 600 --test 1000 \
        --hours 0.12 --batch 64 --device 0

Writes ``<out>/best.pt`` (optimizer stripped by Ultralytics), ``<out>/summary.json`` (seed, counts,
epochs, times, held-out precision/recall/mAP) and Ultralytics' ``results.csv``. Every number in
docs/demo-model.md comes from such a summary.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _offline_ultralytics(cfg_dir: Path) -> None:
    """Keep Ultralytics from reaching the network (the GPU machine has none)."""
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ["YOLO_CONFIG_DIR"] = str(cfg_dir)
    cfg_dir.mkdir(parents=True, exist_ok=True)
    # Its plots ask for Arial.ttf; Liberation Sans is metric-compatible and ships with the fonts.
    from alpr_synth.fonts import font_dirs

    for d in font_dirs():
        src = d / "LiberationSans-Regular.ttf"
        if src.is_file():
            shutil.copy(src, cfg_dir / "Arial.ttf")
            break


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--data-dir", type=Path, default=None, help="default: <out>/data")
    ap.add_argument("--seed", type=int, default=8, help="train seed; val = seed+1, test = seed+2")
    ap.add_argument("--train", type=int, default=12000)
    ap.add_argument("--val", type=int, default=600)
    ap.add_argument("--test", type=int, default=1000)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--hours", type=float, default=0.0, help="wall-clock cap (overrides epochs)")
    ap.add_argument("--imgsz", type=int, default=640)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 4)
    ap.add_argument("--device", default="0")
    ap.add_argument("--init", type=Path, default=None, help="continue from these weights")
    args = ap.parse_args(argv)

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    _offline_ultralytics(out / "ultralytics_cfg")
    from alpr_synth.dataset import Split, write_dataset

    t0 = time.time()
    data_dir = (args.data_dir or out / "data").resolve()
    splits = [
        Split("train", args.seed, args.train),
        Split("val", args.seed + 1, args.val),
        Split("test", args.seed + 2, args.test),
    ]
    data_yaml = write_dataset(data_dir, splits, workers=args.workers)
    t_gen = time.time() - t0
    print(f"generated {args.train}+{args.val}+{args.test} images in {t_gen:.0f} s", flush=True)

    import torch
    import ultralytics.engine.trainer as trainer_mod
    from ultralytics import YOLO

    # Ultralytics' AMP self-test downloads yolo26n.pt; offline it cannot, so trust AMP and judge
    # the result by the held-out mAP instead.
    trainer_mod.check_amp = lambda model: True

    model = YOLO(str(args.init)) if args.init else YOLO("yolo11n.yaml")
    t1 = time.time()
    model.train(
        data=str(data_yaml),
        epochs=args.epochs,
        time=args.hours or None,
        imgsz=args.imgsz,
        batch=args.batch,
        workers=args.workers,
        device=args.device,
        seed=args.seed,
        deterministic=False,  # cuDNN's deterministic kernels are much slower; seed still fixes data
        pretrained=False,
        fliplr=0.0,  # mirrored lettering is not a plate
        project=str(out),
        name="train",
        exist_ok=True,
        plots=False,
        verbose=False,
    )
    t_train = time.time() - t1
    run = out / "train"
    best = run / "weights" / "best.pt"
    shutil.copy(best, out / "best.pt")
    epochs_done = len((run / "results.csv").read_text().strip().splitlines()) - 1
    shutil.copy(run / "results.csv", out / "results.csv")

    metrics = YOLO(str(out / "best.pt")).val(
        data=str(data_yaml),
        split="test",
        imgsz=args.imgsz,
        batch=32,
        device=args.device,
        project=str(out),
        name="test",
        exist_ok=True,
        plots=False,
        verbose=False,
    )
    per_class = {}
    present = [int(c) for c in metrics.ap_class_index]
    for i, name in metrics.names.items():
        if i not in present:  # no instance of this class in the test split
            continue
        p, r, ap50, ap = metrics.box.class_result(present.index(i))
        per_class[name] = {"precision": p, "recall": r, "mAP50": ap50, "mAP50-95": ap}
    summary = {
        "seed": args.seed,
        "images": {"train": args.train, "val": args.val, "test": args.test},
        "imgsz": args.imgsz,
        "batch": args.batch,
        "epochs_completed": epochs_done,
        "time_cap_hours": args.hours,
        "init": str(args.init) if args.init else "yolo11n.yaml (random init)",
        "generate_s": round(t_gen, 1),
        "train_s": round(t_train, 1),
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
        "torch": torch.__version__,
        "test_metrics": {
            "precision": metrics.box.mp,
            "recall": metrics.box.mr,
            "mAP50": metrics.box.map50,
            "mAP50-95": metrics.box.map,
            "per_class": per_class,
        },
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
