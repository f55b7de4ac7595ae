"""Benchmark: validating a rendered 64-camera set (target <= 0.3 s).

Builds a 64-camera site from the shipped fleet16 profile (cameras replicated with their lines
and zones), renders it with `render_site`, writes it once, then times `lint_path` on it. The
reference measured in the same run is reading the same files with the keyfile reader alone,
so the ratio shows what the rules cost on top of I/O and parsing.

    nice .venv/bin/python bench/bench_validate.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from alpr_gen.deepstream.keyfile import parse_keyfile
from alpr_gen.profile import load_profile
from alpr_gen.render import render_site
from alpr_gen.validate import lint_path

TARGET_S = 0.3


def sixty_four_cameras() -> dict[str, str]:
    base = load_profile("fleet16", env={**os.environ, "FLEET_MQTT_PASSWORD": "bench"})
    data = base.model_dump()
    cams = data["cameras"]
    data["cameras"] = [
        dict(cams[i % len(cams)], id=f"cam{i:02d}", uri=f"rtsp://10.20.1.{i + 1}:554/h264")
        for i in range(64)
    ]
    profile = type(base).model_validate(data)
    return render_site(profile)


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    files = sixty_four_cameras()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        app = (root / "deepstream_app.txt").read_text()
        report = lint_path(root)
        sources = app.count("[source")
        print(
            f"set: {len(files)} files, {sum(len(t) for t in files.values())} bytes, "
            f"{sources} [sourceN] groups, {len(report.findings)} findings "
            f"({len(report.errors)} errors)"
        )

        def parse_only() -> None:
            for rel in files:
                if rel.endswith((".txt", ".cfg")):
                    parse_keyfile((root / rel).read_text(), rel)

        lint = timed(lambda: lint_path(root), args.repeat)
        ref = timed(parse_only, args.repeat)
    med, best, ref_med = statistics.median(lint), min(lint), statistics.median(ref)
    print(
        f"lint_path: median {med * 1e3:.1f} ms, best {best * 1e3:.1f} ms "
        f"(target {TARGET_S * 1e3:.0f} ms: {'OK' if med <= TARGET_S else 'MISSED'})"
    )
    print(
        f"reference (read + parse the INI files only): median {ref_med * 1e3:.2f} ms; "
        f"lint/parse ratio {med / ref_med:.1f}x"
    )


if __name__ == "__main__":
    main()
