"""The SGIE preprocessing presets, checked against rapidocr's own `resize_norm_img`."""

from __future__ import annotations

import types

import numpy as np
import pytest

from alpr_gen.nvinfer.geometry import scaled_size
from alpr_gen.ocr.dictionary import class_to_entry, dictionary_text, read_dictionary
from alpr_gen.ocr.preprocess import sgie_input
from alpr_gen.ocr.presets import BLANK_LAST, OCR_PRESETS


def rapidocr_norm(img_bgr: np.ndarray) -> np.ndarray:
    from rapidocr_onnxruntime.ch_ppocr_rec.text_recognize import TextRecognizer

    fake = types.SimpleNamespace(rec_image_shape=[3, 48, 320])
    return TextRecognizer.resize_norm_img(fake, img_bgr, 320 / 48)


def test_ppocr_preset_reproduces_rapidocr_on_a_full_width_crop() -> None:
    """Colour order, scale, offsets and resize: identical where there is no padding."""
    rgb = np.random.default_rng(0).integers(0, 256, (96, 640, 3), dtype=np.uint8)
    ours = sgie_input(rgb, OCR_PRESETS["ppocr"])
    theirs = rapidocr_norm(np.ascontiguousarray(rgb[:, :, ::-1]))  # rapidocr works in BGR
    assert ours.shape == theirs.shape == (3, 48, 320)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    # The RGB reading of the same image is far off: the colour order matters and is BGR.
    assert np.abs(sgie_input(rgb[:, :, ::-1].copy(), OCR_PRESETS["ppocr"]) - theirs).max() > 0.5


def test_padding_is_on_the_right_and_differs_only_in_value() -> None:
    rgb = np.random.default_rng(1).integers(0, 256, (40, 120, 3), dtype=np.uint8)  # 3:1 plate
    ours = sgie_input(rgb, OCR_PRESETS["ppocr"])
    theirs = rapidocr_norm(np.ascontiguousarray(rgb[:, :, ::-1]))
    w, h = scaled_size(120, 40, 320, 48)
    assert (w, h) == (144, 48)
    np.testing.assert_allclose(ours[:, :, :w], theirs[:, :, :w], atol=1e-5)
    assert np.all(ours[:, :, w:] == -1.0)  # nvinfer: black, then normalised
    assert np.all(theirs[:, :, w:] == 0.0)  # PaddleOCR: 0 after normalising


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ((120, 40), (144, 48)),
        ((640, 96), (320, 48)),
        ((1000, 40), (320, 12)),
        ((33, 10), (158, 48)),
    ],
)
def test_nvinfer_scaled_size_truncates_like_gstnvinfer(src, want) -> None:
    # hdest = 320 * h / w, wdest = 48 * w / h, truncated to whole pixels.
    assert scaled_size(*src, 320, 48) == want


def test_presets_are_consistent() -> None:
    for name, p in OCR_PRESETS.items():
        assert p.kind == name
        assert p.infer_dims == (p.channels, p.height, p.width)
        assert len(p.offsets) == 3 and p.model_color_format in (0, 1, 2)
        # Pixel 0 and 255 map into the range the model was trained on ([-1, 1] or [0, 1]).
        lo, hi = (p.net_scale_factor * (x - p.offsets[0]) for x in (0, 255))
        assert (round(lo, 6), round(hi, 6)) in ((-1.0, 1.0), (0.0, 1.0))
    assert OCR_PRESETS["lprnet"].blank_index == BLANK_LAST


def test_dictionary_round_trip_and_class_mapping(tmp_path) -> None:
    entries = ["A", " ", "Ä", "7"]
    path = tmp_path / "d.txt"
    path.write_text(dictionary_text(entries), encoding="utf-8")
    assert read_dictionary(path) == entries
    path.write_bytes(b"A\r\nB\r\n")
    assert read_dictionary(path) == ["A", "B"]
    assert class_to_entry(5, 0) == [None, 0, 1, 2, 3]
    assert class_to_entry(5, 4) == [0, 1, 2, 3, None]
    assert class_to_entry(5, 2) == [0, 1, None, 2, 3]
