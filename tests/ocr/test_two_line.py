"""The two-line stage (alpr_gen.ocr.two_line) in the exported PP-OCRv4 graph: the record, the
candidates it forms, and one-line crops left exactly as the one-line graph reads them.

The read rates on generated plates are in tests/ocr/test_two_line_reads.py."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import onnx
import onnxruntime as ort
import pytest

from alpr_gen.errors import ExportError
from alpr_gen.ocr.export import OcrExportRequest, export_ocr
from alpr_gen.ocr.preprocess import sgie_input
from alpr_gen.ocr.presets import OCR_PRESETS
from alpr_gen.ocr.two_line import MAX_ASPECT

pytestmark = pytest.mark.slow
PRESET = OCR_PRESETS["ppocr"]
T = 40  # PP-OCRv4's time steps at width 320


@pytest.fixture(scope="module")
def one_line(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ocr-one-line")
    return export_ocr(OcrExportRequest(out_dir=out, two_line=False)).onnx_path


def _session(model: onnx.ModelProto | Path) -> ort.InferenceSession:
    data = model.SerializeToString() if isinstance(model, onnx.ModelProto) else str(model)
    return ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def test_sidecar_records_the_stage(exported: dict[str, Path], one_line: Path) -> None:
    side = json.loads((exported["argmax"] / "ocr_rec.json").read_text())
    assert side["time_steps"] == 2 * T + 1
    assert side["output_blob_names"] == ["ocr_indices", "ocr_scores"]  # names as before
    assert side["two_line"] == {
        "line_steps": T, "split_row": 24, "max_aspect": MAX_ASPECT, "min_line_chars": 2
    }  # fmt: skip
    assert any("two-line" in change for change in side["graph_changes"])
    plain = json.loads(one_line.with_suffix(".json").read_text())
    assert plain["time_steps"] == T and plain["two_line"] is None
    assert not any("two-line" in change for change in plain["graph_changes"])


def test_the_stage_needs_the_padding_stage(tmp_path: Path) -> None:
    req = OcrExportRequest(out_dir=tmp_path, paddle_padding=False, two_line=True)
    with pytest.raises(ExportError, match="needs PaddleOCR's padding"):
        export_ocr(req)
    assert not any(tmp_path.iterdir())
    assert not OCR_PRESETS["lprnet"].two_line and OCR_PRESETS["ppocr"].two_line
    with pytest.raises(ExportError, match="even input size"):
        export_ocr(OcrExportRequest(out_dir=tmp_path, height=47))


def _crops() -> list[np.ndarray]:
    """Random plates of a few shapes: narrow ones (two-line candidates) and wide ones."""
    rng = np.random.default_rng(11)
    return [
        rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        for h, w in ((40, 60), (31, 50), (20, 40), (64, 90), (30, 100), (24, 140), (50, 330))
    ]


def test_halves_are_paddleocrs_crops_of_the_lines(exported: dict[str, Path]) -> None:
    """Each half is its rows of the content scaled x2 as PaddleOCR would (cv2 bilinear), with
    0.0 after the scaled content; the full crop goes through as it is."""
    model = onnx.load(str(exported["argmax"] / "ocr_rec.onnx"))
    model.graph.output.append(onnx.helper.make_tensor_value_info("alpr_two_line_batch", 1, None))
    sess = _session(model)
    crops = _crops()
    x = np.stack([sgie_input(c, PRESET) for c in crops])
    batch = sess.run(["alpr_two_line_batch"], {"x": x})[0]
    n = len(crops)
    assert batch.shape == (3 * n, 3, 48, 320)
    for i, tensor in enumerate(x):
        content = int((tensor.max(axis=(0, 1)) > -1.0).sum())  # nvinfer pads with -1.0
        full = np.where(np.arange(320) < content, tensor, 0.0)
        np.testing.assert_array_equal(batch[i], full)
        for k, rows in ((1, slice(0, 24)), (2, slice(24, 48))):
            half = batch[k * n + i]
            width = min(2 * content, 320)
            want = cv2.resize(tensor[:, rows, :content].transpose(1, 2, 0), (2 * content, 48))
            want = want.transpose(2, 0, 1)[:, :, :width]
            # The last scaled column mixes in the zero padding (PaddleOCR's edge repeats).
            np.testing.assert_allclose(half[:, :, : width - 1], want[:, :, :-1], atol=1e-5)
            assert not half[:, :, width:].any()


def test_wide_crops_read_bit_for_bit_as_the_one_line_graph(
    exported: dict[str, Path], one_line: Path
) -> None:
    rng = np.random.default_rng(12)
    crops = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for h, w in
             ((20, 60), (30, 100), (24, 140), (50, 330), (12, 200), (40, 100))]  # fmt: skip
    x = np.stack([sgie_input(c, PRESET) for c in crops])
    widths = [(t.max(axis=(0, 1)) > -1.0).sum() / (t.max(axis=(0, 2)) > -1.0).sum() for t in x]
    assert min(widths) > MAX_ASPECT  # all wider than the gate: never two lines
    old_idx, old_sc = _session(one_line).run(None, {"x": x})
    idx, sc = _session(exported["argmax"] / "ocr_rec.onnx").run(None, {"x": x})
    assert idx.shape == (len(crops), 2 * T + 1) and idx.dtype == np.int32
    np.testing.assert_array_equal(idx[:, :T], old_idx)
    np.testing.assert_array_equal(sc[:, :T], old_sc)
    assert not idx[:, T:].any() and (sc[:, T:] == 1.0).all()  # blanks
    # The probabilities form: the same choice, the padding steps certain blanks.
    probs = _session(exported["probs"] / "ocr_rec.onnx").run(None, {"x": x})[0]
    assert probs.shape == (len(crops), 2 * T + 1, 6625)
    np.testing.assert_array_equal(probs[:, :T].argmax(2), old_idx)
    assert (probs[:, T:, 0] == 1.0).all() and probs[:, T:, 1:].sum() == 0.0
