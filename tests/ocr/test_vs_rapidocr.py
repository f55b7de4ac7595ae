"""The built parser decodes exactly as rapidocr's own CTCLabelDecode does, on random tensors and
on real PP-OCRv4 outputs (the exported model run by onnxruntime on rendered plates)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alpr_gen.nvinfer.bridge import Layer
from alpr_gen.ocr.export import bundled_ppocr_model
from alpr_gen.ocr.preprocess import sgie_input
from alpr_gen.ocr.presets import OCR_PRESETS

from .ocr_support import FONTS, OcrCalls, indices_layers, random_plate, render_plate, write_config

pytestmark = pytest.mark.slow

CHARS = ["A", "b", "7", "Ä", ";"]  # rapidocr appends " " and puts the blank first


def rapidocr_decoder(characters: list[str]):
    from rapidocr_onnxruntime.ch_ppocr_rec.utils import CTCLabelDecode

    return CTCLabelDecode(character=list(characters))


@pytest.fixture(scope="module")
def small_cfg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("small-dict")
    (d / "dict.txt").write_text("\n".join([*CHARS, " "]) + "\n", encoding="utf-8")
    # rapidocr's decoder: every character, case kept, mean score, no length limit.
    return write_config(d, "dict.txt", charset="*", uppercase=0, confidence="mean", min_length=0)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, len(CHARS) + 1), st.floats(0.25, 1.0, width=32)),
        min_size=1,
        max_size=40,
    ),
    seed=st.integers(0, 2**31),
)
def test_random_tensors_match_rapidocr(
    ocr: OcrCalls, small_cfg: Path, steps: list[tuple[int, float]], seed: int
) -> None:
    assert ocr.load_config(small_cfg)
    classes = len(CHARS) + 2
    rng = np.random.default_rng(seed)
    probs = np.zeros((len(steps), classes), np.float32)
    for t, (k, s) in enumerate(steps):
        probs[t] = rng.uniform(0, s * 0.9, classes)  # every other class strictly below s
        probs[t, k] = s
    want_text, want_conf = rapidocr_decoder(CHARS)(probs[None])[0]
    for layers in (
        [Layer(probs, name="softmax")],
        indices_layers(probs.argmax(1).astype(np.int32), probs.max(1)),
    ):
        got = ocr.parse(layers)
        assert got.ok
        if want_text == "":
            assert got.label is None
        else:
            assert got.label == want_text == got.desc
            assert got.confidence == pytest.approx(want_conf, rel=1e-6, abs=1e-7)


def test_real_model_outputs_match_rapidocr(
    ocr: OcrCalls, exported: dict[str, Path], tmp_path: Path
) -> None:
    """Full 6625-class PP-OCRv4 outputs, both forms, against rapidocr's decoder and dictionary."""
    import onnxruntime as ort

    meta = {p.key: p.value for p in onnx.load(str(bundled_ppocr_model())).metadata_props}
    decoder = rapidocr_decoder(meta["character"].splitlines())
    cfg = write_config(
        exported["probs"], "ocr_dict.txt", charset="*", uppercase=0, confidence="mean",
        min_length=0,
    )  # fmt: skip
    assert ocr.load_config(cfg), ocr.harness.last_error()
    sessions = {
        form: ort.InferenceSession(str(d / "ocr_rec.onnx"), providers=["CPUExecutionProvider"])
        for form, d in exported.items()
    }
    rng = random.Random(7)
    crops = [
        render_plate(random_plate(rng), FONTS[i % len(FONTS)], 32 + 8 * (i % 3), rng, blur=i / 8)
        for i in range(12)
    ]
    batch = np.stack([sgie_input(c, OCR_PRESETS["ppocr"]) for c in crops])
    (probs,) = sessions["probs"].run(None, {"x": batch})
    idx, scores = sessions["argmax"].run(None, {"x": batch})
    np.testing.assert_array_equal(idx, probs.argmax(2))
    np.testing.assert_array_equal(scores, probs.max(2))
    expected = decoder(probs)
    nonempty = 0
    for i, (want_text, want_conf) in enumerate(expected):
        for got in (
            ocr.parse([Layer(probs[i], name="softmax_11.tmp_0")]),
            ocr.parse(indices_layers(idx[i], scores[i])),
        ):
            assert got.ok
            assert (got.label or "") == want_text
            if want_text:
                assert got.confidence == pytest.approx(want_conf, rel=1e-6)
        nonempty += bool(want_text)
    assert nonempty >= 10  # the comparison is about real reads, not empty strings
