"""Two-line plates: exact and wrong reads per plate style, with and without export-ocr's
two-line stage (alpr_gen.ocr.two_line), on generated crops.

    nice .venv/bin/python bench/bench_ocr_two_line.py [--per-style 200] [--seed 4246]

Crops: alpr_synth.plate_crops with one style at a time (us, eu, mercosur, dark, two_line; dirt
on half of them, perspective, plate heights 12-96 px log-uniform, blur, noise, lighting, JPEG, a
detector box with jitter). Path: the SGIE's preprocessing, the recogniser exported by
alpr-gen export-ocr with and without --two-line (onnxruntime), NvDsInferParseAlprOcr built from
the shipped sources at the profile's defaults (charset A-Z0-9, min-length 3, confidence mean,
classifier-threshold 0.75).

Printed per style: the share of plates read exactly ("right") and read as another plate
("wrong") without and with the stage, the share of crops whose emitted plate changed, the share
the graph read as two lines, and the same by plate height for two-line plates; then the
onnxruntime time per plate of both graphs (the stage runs the recogniser on 3 crops per plate).
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

from alpr_gen.nvinfer.bridge import ParserBridge  # noqa: E402
from alpr_gen.ocr.export import OcrExportRequest, export_ocr  # noqa: E402
from alpr_gen.ocr.preprocess import sgie_input  # noqa: E402
from alpr_gen.ocr.presets import OCR_PRESETS  # noqa: E402
from tests.ocr.ocr_support import OcrCalls, indices_layers, write_config  # noqa: E402

STYLES = ("us", "eu", "mercosur", "dark", "two_line")
CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"  # the profile's default ocr.charset


def run(onnx: Path, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(str(onnx), opts, providers=["CPUExecutionProvider"])
    idx, sc = [], []
    t0 = time.perf_counter()
    for i in range(0, len(x), 16):
        a, b = sess.run(None, {"x": x[i : i + 16]})
        idx.append(a)
        sc.append(b)
    return np.concatenate(idx), np.concatenate(sc), (time.perf_counter() - t0) / len(x)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--per-style", type=int, default=200)
    ap.add_argument("--seed", type=int, default=4246)
    args = ap.parse_args()

    from alpr_synth.fonts import find_plate_fonts
    from alpr_synth.plate_crops import plate_crops

    t0 = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="alpr-ocr-two-line-"))
    models = {
        "one": export_ocr(OcrExportRequest(out_dir=work / "one", two_line=False)).onnx_path,
        "two": export_ocr(OcrExportRequest(out_dir=work / "two")).onnx_path,
    }
    ocr = OcrCalls(ParserBridge.open(9))
    cfg = write_config(work, str(work / "two" / "ocr_dict.txt"), min_length=3, charset=CHARSET,
                       confidence="mean")  # fmt: skip
    assert ocr.load_config(cfg), ocr.harness.last_error()
    fonts = find_plate_fonts()
    preset = OCR_PRESETS["ppocr"]
    print(f"{args.per_style} crops per style (seed {args.seed}); defaults: mean, 0.75\n")
    print(f"{'style':9} {'right before':>12} {'right after':>12} {'wrong before':>13} "
          f"{'wrong after':>12} {'changed':>8} {'two lines':>10}")  # fmt: skip
    times = {"one": 0.0, "two": 0.0}
    for style in STYLES:
        crops = plate_crops(args.seed, args.per_style, fonts, styles=(style,))
        texts = [c.text for c in crops]
        x = np.stack([sgie_input(c.image, preset) for c in crops])
        reads = {}
        steps = 0
        two_chosen = np.zeros(len(crops), bool)
        for name, model in models.items():
            idx, sc, per_plate = run(model, x)
            times[name] += per_plate / len(STYLES)
            reads[name] = [
                ocr.parse(indices_layers(a, b), 0.75).label for a, b in zip(idx, sc, strict=True)
            ]
            if name == "one":
                steps = idx.shape[1]
            else:
                two_chosen = idx[:, steps:].any(axis=1)
        right = {
            k: np.array([r == t for r, t in zip(v, texts, strict=True)]) for k, v in reads.items()
        }
        wrong = {k: np.array([r is not None and r != t for r, t in zip(v, texts, strict=True)])
                 for k, v in reads.items()}  # fmt: skip
        changed = np.mean([a != b for a, b in zip(reads["one"], reads["two"], strict=True)])
        print(f"{style:9} {right['one'].mean():12.1%} {right['two'].mean():12.1%} "
              f"{wrong['one'].mean():13.1%} {wrong['two'].mean():12.1%} {changed:8.1%} "
              f"{two_chosen.mean():10.1%}")  # fmt: skip
        if style == "two_line":
            heights = np.array([c.plate_height for c in crops])
            print("\ntwo-line plates by plate height (with the stage):")
            for lo, hi in ((12, 20), (20, 32), (32, 48), (48, 97)):
                m = (heights >= lo) & (heights < hi)
                if m.any():
                    print(f"  {lo:3d}-{hi - 1:3d} px: {m.sum():4d} plates, right "
                          f"{right['two'][m].mean():6.1%}, wrong {wrong['two'][m].mean():6.1%}")  # fmt: skip
    print(
        f"\nonnxruntime, batches of 16: {times['one'] * 1e3:.0f} ms/plate without the stage, "
        f"{times['two'] * 1e3:.0f} ms/plate with it ({times['two'] / times['one']:.2f}x)"
    )
    print(f"{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
