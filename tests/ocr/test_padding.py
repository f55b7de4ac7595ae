"""PaddleOCR's padding under nvinfer (alpr_gen.ocr.padding): exact on nvinfer's own tensors.

The graph surgery is put in front of an Identity model, so the test sees exactly what the
recogniser's first layer would read. nvinfer's side is alpr_gen.nvinfer.preprocess with the
PP-OCR preset's settings (the SGIE config); the expectation is built from its geometry.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from alpr_gen.nvinfer.preprocess import preprocess
from alpr_gen.ocr.padding import add_paddle_padding, nvinfer_pad_value
from alpr_gen.ocr.preprocess import ppocr_preprocess, sgie_spec
from alpr_gen.ocr.presets import OCR_PRESETS

PRESET = OCR_PRESETS["ppocr"]
H, W = PRESET.height, PRESET.width


def _identity(opset: int):
    import onnxruntime as ort
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, H, W])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3, H, W])
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "id", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    add_paddle_padding(model, "x", nvinfer_pad_value(PRESET), H, W)
    import onnx

    onnx.checker.check_model(model)
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module", params=[12, 18])
def padded(request: pytest.FixtureRequest):
    return _identity(request.param)


def _crops() -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    crops = []
    # (48, 320): no padding at all, the graph must change nothing
    for h, w in ((30, 120), (31, 97), (20, 61), (48, 320), (16, 200), (60, 90)):
        crop = rng.integers(1, 256, (h, w, 3), dtype=np.uint8)
        crop[:, w // 3] = 0  # a black column inside the plate: not padding
        crops.append(crop)
    return crops


def test_pad_value_is_exactly_minus_one() -> None:
    assert nvinfer_pad_value(PRESET) == -1.0


def test_nvinfer_padding_becomes_paddles_zero(padded) -> None:
    for crop in _crops():
        item = preprocess(crop, sgie_spec(PRESET))
        g = item.geometry
        (out,) = padded.run(None, {"x": item.tensor[None]})
        expect = item.tensor.copy()
        expect[:, :, g.width :] = 0.0  # right padding
        expect[:, g.height :, :] = 0.0  # bottom padding (crops wider than 320/48)
        np.testing.assert_array_equal(out[0], expect)
        assert (out[0][:, : g.height, : g.width] == item.tensor[:, : g.height, : g.width]).all()
        if g.width < W:  # the padding was -1.0 (black) before
            assert (item.tensor[:, :, g.width :] == -1.0).all()


def test_result_is_paddleocr_at_nvinfers_width(padded) -> None:
    """What remains different from PaddleOCR's resize_norm_img is nvinfer's truncated scaled
    width (and its even crop): with the same width the tensors agree to float rounding."""
    for crop in _crops():
        even = crop[: crop.shape[0] & ~1, : crop.shape[1] & ~1]
        if even.shape[1] / even.shape[0] > W / H:
            continue  # PaddleOCR squashes crops wider than the input; nvinfer pads below
        (out,) = padded.run(None, {"x": preprocess(even, sgie_spec(PRESET)).tensor[None]})
        paddle = ppocr_preprocess(even, H, W, rounding=math.floor)
        np.testing.assert_allclose(out[0], paddle, rtol=0, atol=2e-7)


def test_trailing_black_columns_are_taken_for_padding(padded) -> None:
    """A crop whose own last columns are black in every row cannot be told from padding."""
    crop = np.full((48, 96, 3), 200, np.uint8)
    crop[:, -4:] = 0
    item = preprocess(crop, sgie_spec(PRESET))
    (out,) = padded.run(None, {"x": item.tensor[None]})
    assert (out[0][:, :, 92:] == 0).all() and (out[0][:, :, :92] == item.tensor[:, :, :92]).all()
