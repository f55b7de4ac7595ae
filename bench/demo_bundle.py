"""The demo bundle the preview benchmarks (and `make demo`) run: rendered, exported, built by
alpr-gen's own commands, prepared once into a directory and reused while its inputs are there.

    python bench/demo_bundle.py [--out out/demo]
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "demo" / "demo.mp4"
WEIGHTS = ROOT / "models" / "demo" / "alpr_demo_yolo11n.pt"


def _cli(*args: object) -> None:
    from alpr_gen.cli import main

    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise SystemExit(f"alpr-gen {' '.join(map(str, args))} failed ({exc.code})") from None


def prepare(out: Path) -> Path:
    """The demo site's printed next steps: render, export (ONNX only), export-ocr, build-parser,
    the recordings directory, the clip copied in."""
    out = out.resolve()
    if not (out / "deepstream_app.txt").exists():
        _cli("render", "--site", "demo", "--out", out)
    if not (out / "models" / "alpr_demo_yolo11n.onnx").exists():
        _cli("export", "--config", out, "--weights", WEIGHTS, "--no-engine")
    if not (out / "models" / "ocr_rec.onnx").exists():
        _cli("export-ocr", "--config", out)
    if not (out / "lib" / "libnvdsinfer_alpr.so").exists():
        _cli("build-parser", "--config", out)
    (out / "recordings").mkdir(exist_ok=True)
    media = out / "media"
    media.mkdir(exist_ok=True)
    if not (media / "demo.mp4").exists():
        shutil.copy(CLIP, media / "demo.mp4")
    return out


def set_keys(path: Path, group: str, values: dict[str, str]) -> None:
    """Set keys of `[group]` in a key file (benchmark variants of a set)."""
    text = path.read_text()
    m = re.search(rf"^\[{re.escape(group)}\]\n(.*?)(?=^\[|\Z)", text, flags=re.M | re.S)
    body = m.group(1) if m else ""
    lines = [ln for ln in body.splitlines() if ln.split("=", 1)[0].strip() not in values]
    block = f"[{group}]\n" + "\n".join(lines + [f"{k}={v}" for k, v in values.items()]) + "\n\n"
    path.write_text(text[: m.start()] + block + text[m.end() :] if m else text + "\n" + block)


def variant(bundle: Path, dest: Path, streams: int) -> Path:
    """A copy of the bundle's configs (models linked) with `streams` file sources of the clip,
    no file sink, no tiler: what a throughput benchmark runs."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for item in bundle.iterdir():
        if item.is_dir():
            (dest / item.name).symlink_to(item.resolve())
        else:
            shutil.copy(item, dest / item.name)
    app = dest / "deepstream_app.txt"
    text = re.sub(r"^\[(source\d+|sink\d+|tiled-display)\]\n.*?(?=^\[|\Z)", "", app.read_text(),
                  flags=re.M | re.S)  # fmt: skip
    sources = "".join(
        f"[source{i}]\nenable=1\ntype=2\nuri=file://media/demo.mp4\n\n" for i in range(streams)
    )
    app.write_text(text + sources + "[sink0]\nenable=1\ntype=1\nsync=0\n")
    set_keys(app, "streammux", {"batch-size": str(streams)})
    set_keys(app, "primary-gie", {"batch-size": str(streams)})
    set_keys(app, "tests", {"file-loop": "1"})
    return dest


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "demo")
    print(prepare(ap.parse_args().out))
