"""Generate the demo clip (demo/demo.mp4) and its ground truth (demo/demo_gt.json).

    python tools/make_demo_video.py [--out demo] [--seed 2024] [--seconds 16] [--fps 15]

Deterministic for a seed and the same fonts; needs imageio-ffmpeg (or ffmpeg on PATH) for H.264.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    from alpr_synth.video import VideoSpec, write_demo_video

    d = VideoSpec()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "demo")
    ap.add_argument("--seed", type=int, default=d.seed)
    ap.add_argument("--seconds", type=float, default=d.seconds)
    ap.add_argument("--vehicles", type=int, default=d.vehicles)
    ap.add_argument("--fps", type=int, default=d.fps)
    args = ap.parse_args(argv)
    spec = VideoSpec(seed=args.seed, seconds=args.seconds, vehicles=args.vehicles, fps=args.fps)
    mp4, gt = write_demo_video(args.out, spec)
    print(f"wrote {mp4} ({mp4.stat().st_size / 1e6:.2f} MB) and {gt}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
