"""OCR parity: the SGIE path reads what PaddleOCR's own preprocessing + the same model reads.

Crops: alpr_synth.plate_crops (dirt, perspective, 12-96 px plates, blur, noise, JPEG, a
detector box), seed 4243. SGIE path: alpr_gen.nvinfer.preprocess with the PP-OCR preset (the
rendered SGIE's settings), the recogniser as export-ocr writes it (PaddleOCR's padding in the
graph), NvDsInferParseAlprOcr built from the shipped sources, called through nvinfer's ABI.
Reference: PaddleOCR's `resize_norm_img` (alpr_gen.ocr.preprocess.ppocr_preprocess) on the same
pixels (the even-sized region nvinfer crops), the recogniser without the padding step, the same
parser. The one difference left is nvinfer's truncated scaled width (PaddleOCR rounds it up);
with PaddleOCR's preprocessing at nvinfer's width the reads are the same crop for crop.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from alpr_gen.ocr.preprocess import ppocr_preprocess, sgie_input
from alpr_gen.ocr.presets import OCR_PRESETS
from ocr.ocr_support import OcrCalls, parse_outputs, write_config

pytestmark = pytest.mark.slow
PRESET = OCR_PRESETS["ppocr"]
CROPS = 320


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from alpr_gen.ocr.export import OcrExportRequest, export_ocr

    out = tmp_path_factory.mktemp("ocr-parity")
    return {
        "sgie": export_ocr(OcrExportRequest(out_dir=out / "sgie")).onnx_path,
        "plain": export_ocr(
            OcrExportRequest(out_dir=out / "plain", paddle_padding=False)
        ).onnx_path,
    }


@pytest.fixture(scope="module")
def crops() -> list:
    from alpr_synth.fonts import find_plate_fonts
    from alpr_synth.plate_crops import plate_crops

    found = plate_crops(4243, CROPS, find_plate_fonts())
    # the pixels nvinfer reads of a crop at (0, 0): the even-sized region
    return [(c.text, c.image[: c.image.shape[0] & ~1, : c.image.shape[1] & ~1]) for c in found]


def _run(model: Path, tensors: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
    out = []
    for i in range(0, len(tensors), 16):
        idx, scores = sess.run(None, {"x": np.stack(tensors[i : i + 16])})
        out += list(zip(idx, scores, strict=True))
    return out


@pytest.fixture(scope="module")
def reads(models: dict[str, Path], crops: list, bridges) -> dict[str, list]:
    ocr = OcrCalls(bridges(9))
    cfg = write_config(models["sgie"].parent, "ocr_dict.txt", min_length=3, confidence="min",
                       charset="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # fmt: skip
    assert ocr.load_config(cfg), ocr.harness.last_error()
    images = [img for _t, img in crops]
    nvinfer = [sgie_input(img, PRESET) for img in images]
    runs = {
        "sgie": (models["sgie"], nvinfer),
        "before": (models["plain"], nvinfer),  # nvinfer's black padding, as before the fix
        "paddle": (models["plain"], [ppocr_preprocess(img) for img in images]),
        "paddle_floor": (
            models["plain"],
            [ppocr_preprocess(img, rounding=math.floor) for img in images],
        ),
    }
    return {k: [r.label for r in parse_outputs(ocr, _run(m, x))] for k, (m, x) in runs.items()}


def _same(a: list, b: list) -> float:
    return float(np.mean([x == y for x, y in zip(a, b, strict=True)]))


def test_sgie_reads_what_paddleocr_reads_at_nvinfers_width(reads: dict, crops: list) -> None:
    wide = [img.shape[1] / img.shape[0] > PRESET.width / PRESET.height for _t, img in crops]
    pairs = [
        (a, b) for a, b, w in zip(reads["sgie"], reads["paddle_floor"], wide, strict=True) if not w
    ]
    rate = float(np.mean([a == b for a, b in pairs]))
    print(f"SGIE path = PaddleOCR at nvinfer's width on {rate:.3f} of {len(pairs)} crops")
    assert len(pairs) >= 0.9 * len(crops) and rate == 1.0


def test_sgie_against_paddleocrs_own_preprocessing(reads: dict, crops: list) -> None:
    texts = [t for t, _img in crops]
    exact = {k: _same(v, texts) for k, v in reads.items()}
    same, before = _same(reads["sgie"], reads["paddle"]), _same(reads["before"], reads["paddle"])
    print(f"same read as PaddleOCR: {same:.3f} (black padding: {before:.3f}); exact reads "
          f"{ {k: round(v, 3) for k, v in exact.items()} }")  # fmt: skip
    # Measured 0.91 on 320 crops (docs/ocr.md): the rest is the one-column width difference,
    # which flips reads of small, blurred plates both ways; the read *rates* agree.
    assert same >= 0.88 and same >= before + 0.15
    assert abs(exact["sgie"] - exact["paddle"]) <= 0.02
    assert exact["sgie"] >= exact["before"] + 0.03
