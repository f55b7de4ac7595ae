"""What nvinfer's GPU scaler changes, measured with NPP's bilinear resize (the GPU stand-in).

nvinfer scales frames and objects with NvBufSurfTransform; alpr_gen.nvinfer.preprocess uses
OpenCV's INTER_LINEAR in its place. NvBufSurfTransform itself is not available without
DeepStream; its GPU interpolation modes are named after NPP's (NvBufSurfTransformInter_Algo1..4
= GPU cubic, super-sampling, Lanczos...), so NPP's nppiResize (NPPI_INTER_LINEAR, what
scaling-filter=1 asks for) is the closest thing that can run on a GPU here. Unverified: that
NvBufSurfTransform's dGPU path calls NPP, and what the Jetson VIC does.

    # here: write the inputs (frames at exact geometries, plate crops) into DIR
    python bench/bench_gpu_scaler.py prepare DIR
    # on the GPU machine: nvcc -O2 -o npp bench/gpu_scaler/npp_resize.cu -lnppig -lnppc
    #                     ./npp DIR/in.bin DIR/out.bin
    # here: compare NPP's pixels with OpenCV's, then run the detector and OCR paths on both
    python bench/bench_gpu_scaler.py compare DIR
"""

from __future__ import annotations

import argparse
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NPPI_INTER_LINEAR = 2
DET_FRAMES = {"16:9 1280x720": 8, "4:3 640x480": 6, "portrait 720x1280": 6}
OCR_CROPS = 320
OCR_SEED = 4243  # tests/fidelity/test_ocr_parity.py's crops


def _items() -> tuple[list[dict], list[np.ndarray]]:
    """Every image to scale, with the size nvinfer scales it to: frames (PGIE) and crops (SGIE)."""
    from alpr_gen.nvinfer.geometry import scale_geometry
    from alpr_synth.fonts import find_plate_fonts
    from alpr_synth.plate_crops import plate_crops
    from tests.fidelity.support import GEOMETRIES, scene_frames

    meta, images = [], []
    for name, count in DET_FRAMES.items():
        for i, frame in enumerate(scene_frames(GEOMETRIES[name], count)):
            h, w = frame.shape[:2]
            g = scale_geometry(w, h, 640, 640, maintain_aspect_ratio=True, symmetric_padding=True)
            meta.append({"kind": "frame", "geometry": name, "index": i,
                         "dst": [g.height, g.width]})  # fmt: skip
            images.append(frame)
    for i, crop in enumerate(plate_crops(OCR_SEED, OCR_CROPS, find_plate_fonts())):
        img = crop.image[: crop.image.shape[0] & ~1, : crop.image.shape[1] & ~1]
        g = scale_geometry(img.shape[1], img.shape[0], 320, 48, maintain_aspect_ratio=True,
                           symmetric_padding=False)  # fmt: skip
        meta.append({"kind": "crop", "index": i, "text": crop.text, "dst": [g.height, g.width]})
        images.append(np.ascontiguousarray(img))
    return meta, images


def prepare(out: Path) -> None:
    meta, images = _items()
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "in.bin", "wb") as fh:
        fh.write(struct.pack("<I", len(images)))
        for m, img in zip(meta, images, strict=True):
            h, w = img.shape[:2]
            fh.write(struct.pack("<5I", h, w, m["dst"][0], m["dst"][1], NPPI_INTER_LINEAR))
            fh.write(np.ascontiguousarray(img, np.uint8).tobytes())
    (out / "meta.json").write_text(json.dumps(meta))
    print(f"{len(images)} images -> {out / 'in.bin'}")


def _npp_outputs(d: Path, meta: list[dict]) -> list[np.ndarray]:
    raw = (d / "out.bin").read_bytes()
    out, pos = [], 0
    for m in meta:
        h, w = m["dst"]
        out.append(np.frombuffer(raw, np.uint8, h * w * 3, pos).reshape(h, w, 3))
        pos += h * w * 3
    assert pos == len(raw), "out.bin does not match meta.json"
    return out


def compare(d: Path) -> None:
    import cv2

    meta = json.loads((d / "meta.json").read_text())
    _meta, images = _items()
    npp = _npp_outputs(d, meta)
    diffs = []
    for m, img, got in zip(meta, images, npp, strict=True):
        ref = cv2.resize(img, (m["dst"][1], m["dst"][0]), interpolation=cv2.INTER_LINEAR)
        diffs.append(np.abs(ref.astype(np.int16) - got.astype(np.int16)))
    for kind in ("frame", "crop"):
        sel = [x for m, x in zip(meta, diffs, strict=True) if m["kind"] == kind]
        allv = np.concatenate([x.ravel() for x in sel])
        print(f"{kind}s: {len(sel)}, NPP vs OpenCV INTER_LINEAR per channel value: max "
              f"{allv.max()}, mean {allv.mean():.3f}, differing {np.mean(allv > 0):.1%}, "
              f"by > 1 level {np.mean(allv > 1):.2%}")  # fmt: skip
    _detector(meta, images, npp)
    _ocr(meta, images, npp)


def _lookup(table: dict[tuple[int, int, int], np.ndarray]):
    """A resampler returning NPP's result for a source it was given (keyed by shape + hash)."""

    def resample(src: np.ndarray, size: tuple[int, int], interpolation: int) -> np.ndarray:
        key = (src.shape[0], src.shape[1], hash(np.ascontiguousarray(src).tobytes()))
        out = table[key]
        assert out.shape[:2] == (size[1], size[0])
        return out

    return resample


def _table(images: list[np.ndarray], outs: list[np.ndarray]) -> dict:
    return {(i.shape[0], i.shape[1], hash(np.ascontiguousarray(i).tobytes())): o
            for i, o in zip(images, outs, strict=True)}  # fmt: skip


def _detector(meta: list[dict], images: list[np.ndarray], npp: list[np.ndarray]) -> None:
    import tempfile

    from ultralytics import YOLO

    from alpr_gen.export.pipeline import export_model
    from alpr_gen.export.request import ExportRequest
    from alpr_gen.nvinfer.bridge import ParserBridge
    from alpr_gen.nvinfer.detector import Detector, to_xyxy
    from alpr_gen.nvinfer.session import CPU, InferSession
    from tests.fidelity.support import DEMO_WEIGHTS, Tally, pgie_settings, ultralytics_boxes

    frames = [(i, m) for i, m in enumerate(meta) if m["kind"] == "frame"]
    req = ExportRequest(weights=DEMO_WEIGHTS, out_dir=Path(tempfile.mkdtemp()), engine="skip")
    onnx = export_model(req).onnx
    det = Detector(pgie_settings(onnx, num_classes=2, conf=0.25, iou=0.45, end2end=False),
                   InferSession(onnx, providers=[CPU]), ParserBridge.open(9))  # fmt: skip
    yolo = YOLO(str(DEMO_WEIGHTS))
    resample = _lookup(_table([images[i] for i, _ in frames], [npp[i] for i, _ in frames]))
    cpu, gpu, between = Tally(), Tally(), Tally()
    for i, _m in frames:
        theirs = ultralytics_boxes(yolo, images[i], 0.25, 0.45)
        ours_cv = to_xyxy(det(images[i]))
        ours_npp = to_xyxy(det(images[i], resample=resample))
        cpu.add(ours_cv, theirs)
        gpu.add(ours_npp, theirs)
        between.add(ours_npp, ours_cv)
    print(f"\ndemo detector, deepstream head, {len(frames)} frames at exact geometries:")
    for name, t in (("OpenCV scaler vs Ultralytics", cpu), ("NPP scaler vs Ultralytics", gpu),
                    ("NPP vs OpenCV scaler", between)):  # fmt: skip
        errs = [e for e in t.errors or [] if np.isfinite(e)]
        print(f"  {name:30} {t.matched}/{t.theirs} within 1 px ({t.rate:.1%}), max score diff "
              f"{t.max_score_diff:.2e}, > 1e-3: {t.scores_over()}, worst {max(errs or [0]):.2f}"
              " px")  # fmt: skip


def _ocr(meta: list[dict], images: list[np.ndarray], npp: list[np.ndarray]) -> None:
    import tempfile

    import onnxruntime as ort

    from alpr_gen.nvinfer.bridge import ParserBridge
    from alpr_gen.nvinfer.preprocess import preprocess
    from alpr_gen.ocr.export import OcrExportRequest, export_ocr
    from alpr_gen.ocr.preprocess import ppocr_preprocess, sgie_spec
    from alpr_gen.ocr.presets import OCR_PRESETS
    from tests.ocr.ocr_support import OcrCalls, parse_outputs, write_config

    crops = [(i, m) for i, m in enumerate(meta) if m["kind"] == "crop"]
    out = Path(tempfile.mkdtemp())
    model = export_ocr(OcrExportRequest(out_dir=out / "sgie")).onnx_path
    plain = export_ocr(OcrExportRequest(out_dir=out / "plain", paddle_padding=False)).onnx_path
    ocr = OcrCalls(ParserBridge.open(9))
    assert ocr.load_config(write_config(model.parent, "ocr_dict.txt", min_length=3,
                                        charset="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))  # fmt: skip
    spec = sgie_spec(OCR_PRESETS["ppocr"])
    resample = _lookup(_table([images[i] for i, _ in crops], [npp[i] for i, _ in crops]))

    def read(path: Path, tensors: list[np.ndarray]) -> list[str | None]:
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        outs = []
        for k in range(0, len(tensors), 16):
            idx, sc = sess.run(None, {"x": np.stack(tensors[k : k + 16])})
            outs += list(zip(idx, sc, strict=True))
        return [r.label for r in parse_outputs(ocr, outs)]

    cv_reads = read(model, [preprocess(images[i], spec).tensor for i, _ in crops])
    npp_reads = read(model, [preprocess(images[i], spec, resample=resample).tensor
                             for i, _ in crops])  # fmt: skip
    paddle = read(plain, [ppocr_preprocess(images[i]) for i, _ in crops])
    floor = read(plain, [ppocr_preprocess(images[i], rounding=math.floor) for i, _ in crops])
    texts = [m["text"] for _i, m in crops]

    def same(a: list, b: list) -> float:
        return float(np.mean([x == y for x, y in zip(a, b, strict=True)]))

    print(f"\nOCR, {len(crops)} plate crops: same read NPP vs OpenCV scaler {same(npp_reads, cv_reads):.1%}"
          f"; vs PaddleOCR at nvinfer's width: OpenCV {same(cv_reads, floor):.1%}, NPP "
          f"{same(npp_reads, floor):.1%}; vs PaddleOCR's own: OpenCV {same(cv_reads, paddle):.1%},"
          f" NPP {same(npp_reads, paddle):.1%}; exact reads: OpenCV {same(cv_reads, texts):.1%}, "
          f"NPP {same(npp_reads, texts):.1%}, PaddleOCR {same(paddle, texts):.1%}")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("step", choices=("prepare", "compare"))
    ap.add_argument("dir", type=Path)
    args = ap.parse_args()
    prepare(args.dir) if args.step == "prepare" else compare(args.dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
