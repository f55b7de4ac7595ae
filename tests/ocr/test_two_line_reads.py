"""Two-line plates are read, one-line plates read as before: the exported recogniser with and
without its two-line stage (alpr_gen.ocr.two_line) on generated crops (alpr_synth.plate_crops:
fonts, sizes 12-96 px, dirt, perspective, blur, noise, JPEG, a detector box), through the SGIE's
preprocessing and NvDsInferParseAlprOcr at the profile's defaults (charset A-Z0-9, min-length
3, mean, classifier-threshold 0.75). Seeds 4244/4245: not the sets the rules were measured on
(4242) nor the fidelity set (4243). Figures per style: bench/bench_ocr_two_line.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from alpr_gen.ocr.preprocess import sgie_input
from alpr_gen.ocr.presets import OCR_PRESETS

from .ocr_support import OcrCalls, indices_layers, write_config

pytestmark = pytest.mark.slow
PRESET = OCR_PRESETS["ppocr"]
CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from alpr_gen.ocr.export import OcrExportRequest, export_ocr

    out = tmp_path_factory.mktemp("ocr-two-line")
    return {
        "two": export_ocr(OcrExportRequest(out_dir=out / "two")).onnx_path,
        "one": export_ocr(OcrExportRequest(out_dir=out / "one", two_line=False)).onnx_path,
    }


def _reads(model: Path, crops: list, ocr: OcrCalls) -> list[str | None]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
    cfg = write_config(model.parent, "ocr_dict.txt", min_length=3, charset=CHARSET,
                       confidence="mean")  # fmt: skip
    assert ocr.load_config(cfg), ocr.harness.last_error()
    out: list[str | None] = []
    for i in range(0, len(crops), 16):
        x = np.stack([sgie_input(c.image, PRESET) for c in crops[i : i + 16]])
        idx, scores = sess.run(None, {"x": x})
        out += [
            ocr.parse(indices_layers(a, b), 0.75).label for a, b in zip(idx, scores, strict=True)
        ]
    return out


def _crops(seed: int, count: int, styles: tuple[str, ...]) -> list:
    from alpr_synth.fonts import find_plate_fonts
    from alpr_synth.plate_crops import plate_crops

    return plate_crops(seed, count, find_plate_fonts(), styles=styles)


def test_two_line_plates_are_read(models: dict[str, Path], bridges) -> None:
    ocr = OcrCalls(bridges(9))
    crops = _crops(4244, 160, ("two_line",))
    texts = [c.text for c in crops]
    rate = {
        name: float(np.mean([r == t for r, t in zip(_reads(m, crops, ocr), texts, strict=True)]))
        for name, m in models.items()
    }
    # Measured on seed 4242 (400 crops): 0.0 without the stage, 0.28 with it, many of the
    # misses under 20 px (6 px lines) or a country band's letter read into a line.
    assert rate["one"] <= 0.02, rate
    assert rate["two"] >= 0.15, rate


def test_one_line_plates_read_as_before(models: dict[str, Path], bridges) -> None:
    ocr = OcrCalls(bridges(9))
    crops = _crops(4245, 400, ("us", "eu", "mercosur", "dark"))
    before, after = (_reads(models[k], crops, ocr) for k in ("one", "two"))
    same = np.array([a == b for a, b in zip(before, after, strict=True)])
    assert same.mean() >= 0.995, [(c.style, b, a) for c, b, a, s in
                                   zip(crops, before, after, same, strict=True) if not s]  # fmt: skip
    # The changes there are, if any, are US plates (2:1, as narrow as two-line ones).
    assert all(c.style == "us" for c, s in zip(crops, same, strict=True) if not s)
