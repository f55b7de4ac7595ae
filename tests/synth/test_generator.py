"""The scene generator: deterministic per seed, labels inside the image and on the drawn plates."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from alpr_synth import CLASS_NAMES, PLATE_CLASS_ID, VEHICLE_CLASS_ID
from alpr_synth import scene as scene_mod
from alpr_synth.plates import _FORMATS, STYLES, Plate, normalise_text, render_plate
from alpr_synth.scene import MIN_PLATE_PX, make_scene


def test_class_ids_match_names() -> None:
    assert CLASS_NAMES[VEHICLE_CLASS_ID] == "vehicle"
    assert CLASS_NAMES[PLATE_CLASS_ID] == "plate"


def test_same_seed_same_scene_other_seed_other_scene(fonts: list[Path]) -> None:
    a, b = make_scene(3, 7, fonts), make_scene(3, 7, fonts)
    assert np.array_equal(a.image, b.image)
    assert a.boxes == b.boxes
    c = make_scene(4, 7, fonts)
    assert not (a.image.shape == c.image.shape and np.array_equal(a.image, c.image))


def test_labels_inside_image_and_normalised(fonts: list[Path]) -> None:
    n_plates = 0
    for i in range(25):
        s = make_scene(11, i, fonts)
        h, w = s.image.shape[:2]
        for b in s.boxes:
            x0, y0, x1, y1 = b.xyxy
            assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, (i, b)
            if b.cls == PLATE_CLASS_ID:
                n_plates += 1
                assert x1 - x0 >= MIN_PLATE_PX - 1
                assert re.fullmatch(r"[A-Z0-9]{5,10}", b.text), b.text
        for line in s.yolo_lines():
            cls, *vals = line.split()
            assert int(cls) in (VEHICLE_CLASS_ID, PLATE_CLASS_ID)
            assert all(0.0 <= float(v) <= 1.0 for v in vals), line
    assert n_plates >= 25  # most scenes hold plates


def test_all_styles_occur_in_scenes(fonts: list[Path]) -> None:
    styles = {b.style for i in range(40) for b in make_scene(12, i, fonts).boxes if b.style}
    assert styles == set(STYLES)


@pytest.mark.parametrize("style", STYLES)
def test_plate_text_follows_a_format_of_its_style(style: str, fonts: list[Path]) -> None:
    rng = np.random.default_rng(0)
    pats = [
        re.compile("".join("[A-Z]" if c == "L" else "[0-9]" if c == "N" else "" for c in f))
        for f in _FORMATS[style]
    ]
    for _ in range(10):
        p = render_plate(style, fonts, rng)
        assert p.text == normalise_text("".join(p.lines))
        assert any(pat.fullmatch(p.text) for pat in pats), (style, p.text)
        assert p.image.dtype == np.uint8 and p.image.ndim == 3
        assert len(p.lines) == (2 if style == "two_line" else 1)


MAGENTA = np.array([255, 0, 255], np.uint8)


def test_plate_labels_sit_on_the_drawn_plates(
    fonts: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Draw every plate in pure magenta, no photometric damage: the magenta pixels must fill the
    plate boxes (a perspective quad covers well over half its bounding box) and lie nowhere else."""

    def flat_plate(style: str, fonts: list[Path], rng: np.random.Generator, height=None) -> Plate:
        p = render_plate(style, fonts, rng, height)
        return Plate(p.style, p.text, p.lines, np.broadcast_to(MAGENTA, p.image.shape).copy())

    monkeypatch.setattr(scene_mod, "render_plate", flat_plate)
    monkeypatch.setattr(scene_mod, "degrade", lambda img, rng: img)
    monkeypatch.setattr(scene_mod, "_occlude", lambda img, quad, rng: None)
    checked = 0
    for i in range(20):
        s = make_scene(13, i, fonts)
        mask = np.all(s.image == MAGENTA, axis=2)
        inside = np.zeros_like(mask)
        for b in s.boxes:
            if b.cls != PLATE_CLASS_ID:
                continue
            x0, y0, x1, y1 = (round(v) for v in b.xyxy)
            box = mask[y0:y1, x0:x1]
            assert box.mean() > 0.5, (i, b, box.mean())
            ys, xs = np.nonzero(box)
            # magenta reaches (within 2 px) every side of the label box
            assert xs.min() <= 2 and ys.min() <= 2, (i, b)
            assert xs.max() >= box.shape[1] - 3 and ys.max() >= box.shape[0] - 3, (i, b)
            inside[max(0, y0 - 1) : y1 + 1, max(0, x0 - 1) : x1 + 1] = True
            checked += 1
        assert (mask & ~inside).sum() <= 2, i  # no unlabelled plate
    assert checked >= 20


def test_dataset_is_the_same_for_any_worker_count(fonts: list[Path], tmp_path: Path) -> None:
    from alpr_synth.dataset import Split, write_dataset

    splits = [Split("train", 5, 4), Split("val", 6, 2)]
    one = write_dataset(tmp_path / "one", splits, workers=1).parent
    two = write_dataset(tmp_path / "two", splits, workers=2).parent
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert len([f for f in files if f.suffix == ".jpg"]) == 6
    for rel in files:
        if rel.name == "data.yaml":  # holds its own absolute path
            continue
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel
    data = (one / "data.yaml").read_text()
    assert "train: images/train" in data and "1: plate" in data
