"""OCR read rates for the default settings and the alternatives, on generated plate crops.

    nice .venv/bin/python bench/bench_ocr_reads.py [--crops 1500] [--seed 4242]

Crops: alpr_synth.plate_crops (single-line US/EU/Mercosur/dark plates in the Debian fonts, dirt
on half of them, perspective, plate heights 12-96 px log-uniform, blur, noise, lighting, JPEG,
a detector box with jitter), seed 4242: not the demo detector's training data (seeds 8-10).
Path: the SGIE's preprocessing (alpr_gen.nvinfer.preprocess with the PP-OCR preset), the
recogniser exported by alpr-gen export-ocr (onnxruntime), NvDsInferParseAlprOcr built from the
shipped sources (through nvinfer's classifier ABI) with the profile's default charset A-Z0-9 and
min-length 3. Each crop's model output is parsed under every setting.

Printed: per confidence mode (min, product, mean) and classifier-threshold, the share of all
plates read correctly (emitted and exact), the share read wrongly (a plate emitted that is not
the plate), the share of correct reads the threshold throws away and the precision of what is
emitted; then the same without the in-graph PaddleOCR padding (export-ocr before this change) at
the old default (min, 0.5); then the exact-read rate by plate height (what
input-object-min-height should be) and by crop width.
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

MODES = ("min", "product", "mean")
THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9)
CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"  # the profile's default ocr.charset
DEFAULT = ("mean", 0.75)  # alpr_gen.profile.model.Ocr: confidence, threshold


def recognise(onnx: Path, crops: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(str(onnx), opts, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    preset = OCR_PRESETS["ppocr"]
    out: list[tuple[np.ndarray, np.ndarray]] = []
    for i in range(0, len(crops), 16):
        x = np.stack([sgie_input(c, preset) for c in crops[i : i + 16]])
        idx, scores = sess.run(None, {name: x})
        out += list(zip(idx, scores, strict=True))
    return out


def labels(ocr: OcrCalls, outputs, threshold: float) -> list[str | None]:
    return [ocr.parse(indices_layers(i, s), threshold).label for i, s in outputs]


def tally(texts: list[str], reads: list[str | None]) -> tuple[float, float]:
    n = len(texts)
    right = sum(r == t for r, t in zip(reads, texts, strict=True))
    wrong = sum(r is not None and r != t for r, t in zip(reads, texts, strict=True))
    return right / n, wrong / n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--crops", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=4242)
    args = ap.parse_args()

    from alpr_synth.fonts import find_plate_fonts
    from alpr_synth.plate_crops import plate_crops

    t0 = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="alpr-ocr-reads-"))
    fixed = export_ocr(OcrExportRequest(out_dir=work / "paddle")).onnx_path
    plain = export_ocr(OcrExportRequest(out_dir=work / "nvinfer", paddle_padding=False)).onnx_path
    crops = plate_crops(args.seed, args.crops, find_plate_fonts())
    texts = [c.text for c in crops]
    images = [c.image for c in crops]
    outputs = recognise(fixed, images)
    old_outputs = recognise(plain, images)
    ocr = OcrCalls(ParserBridge.open(9))
    print(f"{len(crops)} crops (seed {args.seed}), {time.perf_counter() - t0:.0f} s to generate "
          f"and recognise\n")  # fmt: skip

    print(f"{'confidence':10} {'threshold':>9} {'read right':>11} {'read wrong':>11} "
          f"{'right dropped':>14} {'precision':>10}")  # fmt: skip
    for mode in MODES:
        cfg = write_config(work / "paddle", "ocr_dict.txt", min_length=3, charset=CHARSET,
                           confidence=mode)  # fmt: skip
        assert ocr.load_config(cfg), ocr.harness.last_error()
        base = None
        for thr in THRESHOLDS:
            right, wrong = tally(texts, labels(ocr, outputs, thr))
            base = right if base is None else base
            mark = "  <- default" if (mode, thr) == DEFAULT else ""
            print(f"{mode:10} {thr:9.2f} {right:11.1%} {wrong:11.1%} "
                  f"{1 - right / base if base else 0:14.1%} "
                  f"{right / (right + wrong) if right + wrong else 1:10.1%}{mark}")  # fmt: skip
    cfg = write_config(work / "nvinfer", "ocr_dict.txt", min_length=3, charset=CHARSET,
                       confidence="min")  # fmt: skip
    assert ocr.load_config(cfg)
    right, wrong = tally(texts, labels(ocr, old_outputs, 0.5))
    r0, _ = tally(texts, labels(ocr, old_outputs, 0.0))
    print(f"\nbefore (nvinfer's black padding, min, 0.5): read right {right:.1%}, wrong "
          f"{wrong:.1%}; at threshold 0: right {r0:.1%}")  # fmt: skip

    cfg = write_config(work / "paddle", "ocr_dict.txt", min_length=3, charset=CHARSET,
                       confidence=DEFAULT[0])  # fmt: skip
    assert ocr.load_config(cfg)
    reads = labels(ocr, outputs, DEFAULT[1])
    heights = np.array([c.plate_height for c in crops])
    widths = np.array([c.image.shape[1] for c in crops])
    ok = np.array([r == t for r, t in zip(reads, texts, strict=True)])
    bad = np.array([r is not None and r != t for r, t in zip(reads, texts, strict=True)])
    print(f"\nby plate height, default settings ({DEFAULT[0]}, {DEFAULT[1]}):")
    for lo, hi in ((12, 14), (14, 16), (16, 18), (18, 20), (20, 24), (24, 32), (32, 48), (48, 97)):
        m = (heights >= lo) & (heights < hi)
        if m.any():
            print(f"  {lo:3d}-{hi - 1:3d} px: {m.sum():4d} plates, right {ok[m].mean():6.1%}, "
                  f"wrong {bad[m].mean():6.1%}")  # fmt: skip
    print("by crop width:")
    for lo, hi in ((0, 32), (32, 48), (48, 64), (64, 96), (96, 10_000)):
        m = (widths >= lo) & (widths < hi)
        if m.any():
            print(f"  {lo:4d}-{hi - 1:5d} px: {m.sum():4d} plates, right {ok[m].mean():6.1%}, "
                  f"wrong {bad[m].mean():6.1%}")  # fmt: skip
    print(f"\n{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
