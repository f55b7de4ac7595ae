"""The preview backend on the demo clip, on the CPU: frames per second, and OCR calls per plate
track against a pipeline that reads every plate in every frame, measured in the same run.

Run A is the demo site as rendered (the OCR SGIE reads a plate track when it first qualifies,
again every 15 frames (the demo's `ocr.throttle.reinfer`) or when nvinfer's growth rule says so).
Run "once" is the same set with `secondary-reinfer-interval=2147483647`, the other sites'
default. Run B is the same set with `secondary-reinfer-interval=0` and no minimum
object size: nvinfer then re-reads every plate in every frame (down to its floor for the release and platform),
the loop a pilot writes by hand. Same frames, same detector, same tracker.

nvinfer re-reads a tracked plate whenever its box area has grown by more than 20 % (gst-nvinfer's
REINFER_AREA_THRESHOLD, no key turns it off), so plates driving towards the camera are read
several times. `--min-widths 96 128` adds runs with a larger `input-object-min-width` (profile:
`ocr.throttle.min_plate_width`): the first read comes later, at a size with fewer re-reads left,
at the risk of plates that never grow that large. `--reinfer 15 30` adds runs with a finite
`secondary-reinfer-interval` (profile: `ocr.throttle.reinfer`): a track whose first read failed (a plate
read at its smallest, or a track that began on a false detection larger than the plate, which
pins nvinfer's growth reference) is read again after that many frames. Each column also counts
the ground truth's plates read exactly.

    python bench/bench_preview.py [--streams 1] [--frames 240] [--out out/demo] [--min-widths N ...]
                                  [--reinfer N ...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_bundle import CLIP, ROOT, prepare, set_keys, variant

GROUND_TRUTH = CLIP.with_name("demo_gt.json")

TARGET_CALLS = 1.2


def run(bundle: Path, frames: int) -> dict[str, float]:
    from alpr_gen.configset import load
    from alpr_gen.preview.backend import PreviewBackend, PreviewOptions

    backend = PreviewBackend(load(bundle), PreviewOptions(max_frames=frames))
    t0 = time.perf_counter()
    backend.run(lambda _e: None)
    seconds = time.perf_counter() - t0
    c = backend.counters
    assert c is not None
    s = c.summary()
    read = [t for t in c.plate_tracks if t in c.ocr_calls]
    truth = {str(v["plate"]) for v in json.loads(GROUND_TRUTH.read_text())["vehicles"]}
    return {
        "frames": s.frames,
        "seconds": seconds,
        "fps": s.frames / seconds,
        "ocr_calls": s.ocr_calls,
        "plate_tracks_read": len(read),
        "calls_per_track": s.ocr_calls_per_plate_track,
        "plates_read": len(s.plates_read),
        "exact": len(truth & {text for _, text in s.plates_read}),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--streams", type=int, default=1)
    ap.add_argument("--frames", type=int, default=240, help="frames per stream (the clip: 240)")
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "demo")
    ap.add_argument("--min-widths", type=int, nargs="*", default=[],
                    help="extra runs with this input-object-min-width (pixels)")  # fmt: skip
    ap.add_argument("--reinfer", type=int, nargs="*", default=[],
                    help="extra runs with this secondary-reinfer-interval (frames)")  # fmt: skip
    args = ap.parse_args()
    bundle = prepare(args.out)
    work = ROOT / "out" / "bench_preview"
    rendered = variant(bundle, work / "rendered", args.streams)
    once = variant(bundle, work / "once", args.streams)
    set_keys(once / "sgie_ocr.txt", "property", {"secondary-reinfer-interval": "2147483647"})
    every = variant(bundle, work / "every", args.streams)
    set_keys(every / "sgie_ocr.txt", "property", {
        "secondary-reinfer-interval": "0", "input-object-min-width": "0",
        "input-object-min-height": "0",
    })  # fmt: skip
    wider = {}
    for w in args.min_widths:
        wider[w] = variant(bundle, work / f"min{w}", args.streams)
        set_keys(wider[w] / "sgie_ocr.txt", "property", {"input-object-min-width": str(w)})
    periodic = {}
    for n in args.reinfer:
        periodic[n] = variant(bundle, work / f"reinfer{n}", args.streams)
        set_keys(periodic[n] / "sgie_ocr.txt", "property", {"secondary-reinfer-interval": str(n)})
    print(f"demo clip, {args.streams} stream(s) x {args.frames} frames, CPU (onnxruntime)")
    a = run(rendered, args.frames)
    o = run(once, args.frames)
    b = run(every, args.frames)
    extra = {f"min width {w}": run(d, args.frames) for w, d in wider.items()}
    extra |= {f"reinfer {n}": run(d, args.frames) for n, d in periodic.items()}
    shutil.rmtree(work, ignore_errors=True)
    heads = ["rendered SGIE", "once", "every frame", *extra]
    cols = [a, o, b, *extra.values()]
    print(f"{'':34}" + "".join(f"{h:>16}" for h in heads))
    for key, label in (("fps", "frames/s (all streams)"), ("ocr_calls", "OCR calls"),
                       ("plate_tracks_read", "plate tracks read"),
                       ("calls_per_track", "OCR calls per plate track"),
                       ("plates_read", "tracks with a text"),
                       ("exact", "ground-truth plates read")):  # fmt: skip
        print(f"{label:34}" + "".join(f"{c[key]:>16.2f}" for c in cols))
    for name, c in (("rendered SGIE", a), ("once", o)):
        ratio = b["ocr_calls"] / c["ocr_calls"] if c["ocr_calls"] else float("nan")
        verdict = "meets" if c["calls_per_track"] <= TARGET_CALLS else "misses"
        print(f"OCR calls, {name}: {ratio:.1f}x fewer than reading every plate in every frame; "
              f"{c['calls_per_track']:.2f} per plate track {verdict} the target <= {TARGET_CALLS}")  # fmt: skip
    print(f"speed: {a['fps'] / b['fps']:.2f}x the every-frame pipeline's frames/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
