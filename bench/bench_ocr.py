"""OCR SGIE host cost per plate: the [T, C] probabilities form against the in-graph ArgMax form.

    nice .venv/bin/python bench/bench_ocr.py              # parser time + device-to-host bytes
    nice .venv/bin/python bench/bench_ocr.py --accuracy   # exact-read rates (slow: runs PP-OCR)

Timing: NvDsInferParseAlprOcr in a libnvdsinfer_alpr.so built by the project's Makefile, called
in a C++ loop (bench/ocr_bench_harness.cpp) on real PP-OCRv4 outputs of rendered plates. The
reference measured in the same run is one plain pass over the [T, C] buffer (the least any
host-side decode of that form must do). Device-to-host bytes are what nvinfer copies per plate
for the output layers (fp32; the indices are int32).
"""

from __future__ import annotations

import argparse
import ctypes
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from alpr_gen.nvinfer.bridge import ParserBridge, build_bridge  # noqa: E402
from alpr_gen.ocr.export import OcrExportRequest, export_ocr  # noqa: E402
from alpr_gen.ocr.preprocess import sgie_input  # noqa: E402
from alpr_gen.ocr.presets import OCR_PRESETS  # noqa: E402
from tests.ocr.ocr_support import (  # noqa: E402
    ALPHABET_FULL,
    ALPHABET_NO_IOQ,
    LAYOUTS,
    NO_IOQ_SUBSTITUTIONS,
    PLATE_CHARSET_NO_IOQ,
    SITE_FORMATS,
    VARIANTS,
    plate_set,
    write_config,
)

DTYPE = {np.dtype(np.float32): 0, np.dtype(np.float16): 1, np.dtype(np.int32): 3}


class Bench:
    def __init__(self, build: Path) -> None:
        lib = build_bridge(9, cache_dir=build).library
        so = build / "libocr_bench.so"
        subprocess.run(
            ["g++", "-std=c++17", "-O2", "-fPIC", "-shared", "-DALPR_DS_ABI=9",
             f"-I{REPO / 'custom_parsers/include'}", "-o", str(so),
             str(REPO / "bench/ocr_bench_harness.cpp"), "-ldl"],
            check=True,
        )  # fmt: skip
        self.h = ctypes.CDLL(str(so))
        self.h.ocr_harness_open.argtypes = [ctypes.c_char_p]
        self.h.ocr_harness_load_config.argtypes = [ctypes.c_char_p]
        self.h.ocr_harness_time.restype = ctypes.c_double
        self.h.ocr_harness_time_read.restype = ctypes.c_double
        self.h.ocr_harness_time_read.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.POINTER(ctypes.c_float),
        ]  # fmt: skip
        if self.h.ocr_harness_open(str(lib).encode()) != 0:
            raise SystemExit(f"cannot open {lib}")

    def load(self, cfg: Path) -> None:
        if not self.h.ocr_harness_load_config(str(cfg).encode()):
            raise SystemExit(f"bad settings {cfg}")

    def time_ns(self, arrays: list[tuple[str, np.ndarray]], iterations: int) -> float:
        n = len(arrays)
        keep = [np.ascontiguousarray(a) for _, a in arrays]
        dtypes = (ctypes.c_int * n)(*[DTYPE[a.dtype] for a in keep])
        num_dims = (ctypes.c_uint * n)(*[a.ndim for a in keep])
        dims = (ctypes.c_uint * (8 * n))()
        for i, a in enumerate(keep):
            for k, d in enumerate(a.shape):
                dims[8 * i + k] = d
        numel = (ctypes.c_uint * n)(*[a.size for a in keep])
        bufs = (ctypes.c_void_p * n)(*[a.ctypes.data for a in keep])
        names = (ctypes.c_char_p * n)(*[name.encode() for name, _ in arrays])
        return self.h.ocr_harness_time(
            n, dtypes, num_dims, dims, numel, bufs, names, ctypes.c_float(0.0), iterations
        )

    def time_read_ns(self, a: np.ndarray, iterations: int) -> float:
        sink = ctypes.c_float()
        return self.h.ocr_harness_time_read(a.ctypes.data, a.size, iterations, ctypes.byref(sink))


def best_of(fn, repeats: int = 5) -> float:
    return min(fn() for _ in range(repeats))


def timing(args: argparse.Namespace, work: Path) -> None:
    import onnxruntime as ort

    dirs = {}
    for form in ("probs", "argmax"):
        dirs[form] = work / form
        export_ocr(OcrExportRequest(argmax=form == "argmax", out_dir=dirs[form]))
    bench = Bench(work / "build")
    bench.load(write_config(dirs["argmax"], "ocr_dict.txt", min_length=3))
    _, crops = plate_set(args.plates, seed=5, variant="clean")
    x = np.stack([sgie_input(c, OCR_PRESETS["ppocr"]) for c in crops])
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = {
        f: ort.InferenceSession(str(d / "ocr_rec.onnx"), opts, providers=["CPUExecutionProvider"])
        for f, d in dirs.items()
    }
    (probs,) = sess["probs"].run(None, {"x": x})
    idx, scores = sess["argmax"].run(None, {"x": x})
    forms = {
        "[T, C] fp32 probabilities": lambda i: [("softmax_11.tmp_0", probs[i])],
        "[T, C] fp16 probabilities": lambda i: [("p", probs[i].astype(np.float16))],
        "ArgMax: [T] int32 + [T] fp32": lambda i: [("ocr_indices", idx[i]), ("ocr_scores", scores[i])],
    }  # fmt: skip
    rows = []
    for name, layers_of in forms.items():
        ns = []
        for i in range(len(crops)):
            layers = layers_of(i)
            it = max(1, int(args.budget_ms * 1e6 / bench.time_ns(layers, 1)))
            ns.append(best_of(lambda layers=layers, it=it: bench.time_ns(layers, it), 3))
        rows.append((name, float(np.mean(ns)) / 1000, sum(a.nbytes for _, a in layers_of(0))))
    flat = np.ascontiguousarray(probs[0])
    ref = best_of(lambda: bench.time_read_ns(flat, 20), 3) / 1000
    t, c = probs.shape[1:]
    print(f"plates: {len(crops)} rendered, T={t}, C={c}; each figure: best of 3 loops in C++")
    print(f"reference: one pass over a [T, C] fp32 buffer: {ref:.2f} us")
    print(f"{'form':32} {'us/plate':>9} {'x ref':>7} {'D2H bytes':>10}")
    for name, us, nbytes in rows:
        print(f"{name:32} {us:9.2f} {us / ref:7.2f} {nbytes:10d}")
    print(f"probs / argmax: {rows[0][1] / rows[2][1]:.0f}x parser time, "
          f"{rows[0][2] / rows[2][2]:.0f}x bytes")  # fmt: skip
    # The graph's own cost of the appended ArgMax/ReduceMax (CPU onnxruntime, batch of plates).
    for f in ("probs", "argmax"):
        t0 = time.perf_counter()
        sess[f].run(None, {"x": x})
        per = (time.perf_counter() - t0) / len(crops) * 1000
        print(f"onnxruntime CPU, {f:6} model: {per:.1f} ms/plate (batch {len(crops)})")


def accuracy(args: argparse.Namespace, work: Path) -> None:
    import onnxruntime as ort

    from tests.ocr.ocr_support import OcrCalls, read_plates

    d = work / "argmax"
    export_ocr(OcrExportRequest(out_dir=d))
    ocr = OcrCalls(ParserBridge.open(9, cache_dir=work / "build"))
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(str(d / "ocr_rec.onnx"), opts, providers=["CPUExecutionProvider"])
    two = ";".join(SITE_FORMATS)
    # label: (plate letters, plate layouts, parser settings). The last two rows read the same
    # plates (full alphabet, formats LLLDDDD and LLDDLLL only) without and with `formats`.
    settings = {
        "A-Z (charset A-Z0-9)": (ALPHABET_FULL, LAYOUTS, {}),
        "no I/O/Q (+ O:0;I:1;Q:0)": (
            ALPHABET_NO_IOQ,
            LAYOUTS,
            {"charset": PLATE_CHARSET_NO_IOQ, "substitutions": NO_IOQ_SUBSTITUTIONS},
        ),
        "A-Z, 2 formats, none set": (ALPHABET_FULL, SITE_FORMATS, {}),
        "full alphabet, formats": (ALPHABET_FULL, SITE_FORMATS, {"formats": two}),
    }
    n = args.plates
    print(f"exact reads over {n} plates per row (6 fonts, crop heights 32-64 px)")
    print(f"the last two rows: the same plates, formats {two} only, without/with formats={two}")
    print(
        f"{'alphabet':28} {'variant':18} {'SGIE path':>12} {'thr 0.75':>8} "
        f"{'PaddleOCR pad':>14} {'differ':>7}"
    )
    for label, (letters, layouts, keys) in settings.items():
        # the profile's defaults: confidence=mean, classifier-threshold=0.75
        cfg = write_config(d, "ocr_dict.txt", min_length=3, confidence="mean", **keys)
        if not ocr.load_config(cfg):
            raise SystemExit(f"bad settings {cfg}: {ocr.harness.last_error()}")
        for variant in VARIANTS:
            texts, crops = plate_set(n, seed=100, variant=variant, letters=letters, layouts=layouts)
            nv = read_plates(ocr, sess, crops, padding="nvinfer")
            pp = read_plates(ocr, sess, crops, padding="ppocr")
            rate = [
                sum(r.label == t for t, r in zip(texts, rs, strict=True)) / n for rs in (nv, pp)
            ]
            differ = sum(a.label != b.label for a, b in zip(nv, pp, strict=True))
            # The same reads kept at classifier-threshold=0.75 (mean character score).
            kept = sum(
                r.label == t and r.confidence >= 0.75 for t, r in zip(texts, nv, strict=True)
            )
            print(
                f"{label:28} {variant:18} {rate[0]:12.3f} {kept / n:8.3f} {rate[1]:14.3f} "
                f"{differ:7d}"
            )
    _, crops = plate_set(n, seed=100, variant="clean")
    pad = [1 - min(320, round(48 * c.shape[1] / c.shape[0])) / 320 for c in crops]
    print(f"padded share of the 48x320 input: mean {np.mean(pad):.0%} (nvinfer fills it with "
          "-1.0 after normalising, PaddleOCR with 0.0; the exported graph turns it to 0.0)")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accuracy", action="store_true", help="exact-read rates instead of timing")
    ap.add_argument("--plates", type=int, default=None, help="plates (timing 16, accuracy 120)")
    ap.add_argument("--budget-ms", type=float, default=5.0, help="length of one timing loop")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        if args.accuracy:
            args.plates = args.plates or 120
            accuracy(args, Path(tmp))
        else:
            args.plates = args.plates or 16
            timing(args, Path(tmp))


if __name__ == "__main__":
    main()
