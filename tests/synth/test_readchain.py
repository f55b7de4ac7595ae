"""The CPU chain's parts: letterbox geometry and the PP-OCRv4 reader on clean rendered plates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from alpr_synth.plates import render_plate
from alpr_synth.readchain import iou, letterbox


def test_letterbox_keeps_aspect_and_centres() -> None:
    img = np.zeros((360, 640, 3), np.uint8)
    out, r, (px, py) = letterbox(img, 640)
    assert out.shape == (640, 640, 3) and r == 1.0 and (px, py) == (0, 140)
    assert (out[:140] == 114).all() and (out[140:500] == 0).all()


def test_iou() -> None:
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert iou((0, 0, 1, 1), (2, 2, 3, 3)) == 0.0


@pytest.fixture(scope="module")
def reader():
    pytest.importorskip("onnxruntime")
    pytest.importorskip("rapidocr_onnxruntime")
    from alpr_synth.readchain import PlateReader

    return PlateReader()


@pytest.mark.parametrize("style", ["eu", "dark", "us", "mercosur"])
def test_reader_reads_clean_plates(style: str, reader, fonts: list[Path]) -> None:
    # Measured here: 30/30 clean plates of each of these styles read exactly; demand 4 of 5.
    rng = np.random.default_rng(21)
    plates = [render_plate(style, fonts, rng) for _ in range(5)]
    hits = sum(reader.read_plate(p.image)[0] == p.text for p in plates)
    assert hits >= 4, [(p.text, reader.read_plate(p.image)[0]) for p in plates]
