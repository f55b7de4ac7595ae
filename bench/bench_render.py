"""Render time of a 64-camera site and `alpr-gen --help` start-up time.

Targets (issue 2): render <= 0.3 s, --help <= 0.2 s. References measured in the same run: a bare
`python -c pass` start (the floor of any Python CLI) and `import typer` alone.

    python bench/bench_render.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CAMERA = """  - id: cam{i:02d}
    name: Camera {i:02d}
    uri: rtsp://10.1.{net}.{host}:554/stream
    fps: 30
    lines:
      - name: entry
        points: [[100, 700], [1800, 700]]
        direction: [[960, 500], [960, 900]]
    zones:
      - name: lane
        points: [[0, 400], [1900, 400], [1900, 1000], [0, 1000]]
"""

HEAD = """extends: {base}
name: bench64
target: {{platform: dgpu, deepstream: "8.0"}}
place: {{id: bench, name: Bench}}
messaging: {{broker: kafka, host: kafka.local, topic: plates}}
cameras:
"""


def _median_time(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def _median_cmd(argv: list[str], repeat: int) -> float:
    return _median_time(lambda: subprocess.run(argv, capture_output=True, check=True), repeat)


def main() -> None:
    from alpr_gen.profile import load_profile, profiles_dir
    from alpr_gen.render import render_set
    from alpr_gen.writer import render_to_dir, write_bundle

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench64.yaml"
        body = "".join(CAMERA.format(i=i, net=i // 200, host=10 + i % 200) for i in range(64))
        path.write_text(HEAD.format(base=profiles_dir() / "_alpr_base.yaml") + body)
        out = Path(tmp) / "out"

        def render_only() -> None:
            render_set(load_profile(str(path), env={}))

        def render_and_write() -> None:
            write_bundle(render_set(load_profile(str(path), env={})), out)

        def render_validate_write() -> None:
            render_to_dir(str(path), out)

        render_only()  # warm the template cache the way a CLI run's first render would not
        cold = subprocess.run(
            [
                sys.executable,
                "-c",
                "import time,sys;t=time.perf_counter();"
                "from alpr_gen.cli import main\n"
                f"try: main(['render','--site',{str(path)!r},'--out',{str(out)!r}])\n"
                "except SystemExit: pass\n"
                "print(time.perf_counter()-t, file=sys.stderr)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        cli_render = float(cold.stderr.strip().splitlines()[-1])
        t_render = _median_time(render_only, 15)
        t_write = _median_time(render_and_write, 9)
        t_full = _median_time(render_validate_write, 9)

    t_floor = _median_cmd([sys.executable, "-c", "pass"], 9)
    t_typer = _median_cmd([sys.executable, "-c", "import typer"], 9)
    t_help = _median_cmd([sys.executable, "-m", "alpr_gen", "--help"], 9)

    print("render, 64 cameras (lines + zones on each, Kafka, OCR)")
    print(
        f"  load + render in process (median of 15): {t_render * 1000:7.1f} ms   target <= 300 ms"
    )
    print(f"  load + render + write                   : {t_write * 1000:7.1f} ms")
    print(
        f"  load + render + validate + write        : {t_full * 1000:7.1f} ms   (what `render` does)"
    )
    print(
        f"  whole CLI command, first render in a new process (imports included): {cli_render * 1000:7.1f} ms"
    )
    print("start-up (median of 9, new process each)")
    print(f"  python -c pass (floor)  : {t_floor * 1000:7.1f} ms")
    print(f"  python -c 'import typer': {t_typer * 1000:7.1f} ms")
    print(f"  alpr-gen --help          : {t_help * 1000:7.1f} ms   target <= 200 ms")
    print(
        f"  --help / floor = {t_help / t_floor:.2f}x, --help / import typer = {t_help / t_typer:.2f}x"
    )


if __name__ == "__main__":
    main()
