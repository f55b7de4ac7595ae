"""Plate-format syntax correction in NvDsInferParseAlprOcr (`formats=`, `formats-strict=`).

The parser is the one built by the project's Makefile, called as nvinfer calls it; the plates
are fed as the --argmax form (class indices + scores), one class per character.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from .ocr_support import OcrCalls, Read, indices_layers, write_config

pytestmark = pytest.mark.slow  # the session builds libnvdsinfer_alpr.so (seconds)

# Class 0 = blank; classes 1.. = these characters (a dictionary line each).
CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@pytest.fixture
def cfg_dir(tmp_path: Path) -> Path:
    (tmp_path / "ocr_dict.txt").write_text("\n".join(CHARS) + "\n")
    return tmp_path


def load(ocr: OcrCalls, cfg_dir: Path, **keys: object) -> None:
    keys.setdefault("min_length", 1)
    assert ocr.load_config(write_config(cfg_dir, "ocr_dict.txt", **keys)), ocr.harness.last_error()


def read(ocr: OcrCalls, text: str, score: float = 0.9) -> Read:
    """The parser's plate for a recogniser output that spells `text` (blanks between repeats)."""
    classes: list[int] = []
    for c in text:
        k = CHARS.index(c) + 1
        if classes and classes[-1] == k:
            classes.append(0)
        classes.append(k)
    scores = np.full(len(classes), score, np.float32)
    r = ocr.parse(indices_layers(np.array(classes, np.int32), scores))
    assert r.ok
    assert r.label is None or r.desc == r.label
    return r


def test_text_that_fits_is_unchanged(ocr: OcrCalls, cfg_dir: Path) -> None:
    load(ocr, cfg_dir, formats="LLLDDDD;LLDDLLL")
    assert read(ocr, "ABC1234").label == "ABC1234"
    assert read(ocr, "OI10LIO").label == "OI10LIO"  # LLDDLLL as read: nothing to change
    r = read(ocr, "XYZ9876", score=0.7)
    assert r.label == "XYZ9876" and r.confidence == pytest.approx(0.7)


def test_o0_and_i1_corrected_per_position(ocr: OcrCalls, cfg_dir: Path) -> None:
    load(ocr, cfg_dir, formats="LLLDDDD")
    # Digit positions: O -> 0, I -> 1; letter positions: 0 -> O, 1 -> I.
    assert read(ocr, "0I1OI0O").label == "OII0100"
    assert read(ocr, "ABCOOII").label == "ABC0011"
    # More of the table: letters read in digit positions, digits in letter positions.
    assert read(ocr, "ABCQDUL").label == "ABC0001"
    assert read(ocr, "258TZSG").label == "ZSB1256"


def test_table_pairs(ocr: OcrCalls, cfg_dir: Path) -> None:
    load(ocr, cfg_dir, formats="LLLLLLLL;DDDDDDDDDDD")
    assert read(ocr, "01256847").label == "OIZSGBAT"  # every letter-position pair
    assert read(ocr, "OQDUILTZSGB").label == "00001112568"  # every digit-position pair


def test_fewest_changes_wins_ties_first(ocr: OcrCalls, cfg_dir: Path) -> None:
    # "AB12C0D": LLDDLLL needs 1 change (0 -> O), LLDDDDL 2 (C -> ?: no pair, so no fit) ...
    load(ocr, cfg_dir, formats="LLDDDDD;LLDDLLL")
    assert read(ocr, "AB12SOZ").label == "AB12SOZ"  # LLDDLLL: 0 changes; LLDDDDD: 3
    assert read(ocr, "AB125OZ").label == "AB12SOZ"  # LLDDLLL: 1 change; LLDDDDD: 2
    assert read(ocr, "AB125O2").label == "AB12502"  # LLDDDDD: 1 change; LLDDLLL: 2
    # A tie (one change either way): the first listed format wins.
    load(ocr, cfg_dir, formats="LLL;LDD")
    assert read(ocr, "A0O").label == "AOO"
    load(ocr, cfg_dir, formats="LDD;LLL")
    assert read(ocr, "A0O").label == "A00"
    # 'A' positions take either kind, unchanged.
    load(ocr, cfg_dir, formats="AAADDDD")
    assert read(ocr, "A0I0OI5").label == "A0I0015"


def test_no_fit_kept_or_rejected_when_strict(ocr: OcrCalls, cfg_dir: Path) -> None:
    load(ocr, cfg_dir, formats="LLLDDDD;LLDDLLL")
    assert read(ocr, "AB3C123").label == "AB3C123"  # 3 in a letter position: no pair
    assert read(ocr, "ABC123").label == "ABC123"  # no format of length 6
    assert read(ocr, "ABCX123").label == "ABCX123"  # X in a digit position: no pair
    load(ocr, cfg_dir, formats="LLLDDDD;LLDDLLL", formats_strict=1)
    for text in ("AB3C123", "ABC123", "ABCX123"):
        r = read(ocr, text)
        assert r.label is None and r.desc == "" and not r.attrs
    assert read(ocr, "ABC12O4").label == "ABC1204"  # a fitting plate is still emitted
    # min-length and the threshold still apply after the correction.
    load(ocr, cfg_dir, formats="LLD", formats_strict="true", min_length=4)
    assert read(ocr, "AB1").label is None
    load(ocr, cfg_dir, formats="LLD", formats_strict=1, min_length=3)
    assert read(ocr, "AB1").label == "AB1"
    assert (
        ocr.parse(
            indices_layers(np.array([1, 2, 28], np.int32), np.full(3, 0.4, np.float32)), 0.5
        ).label
        is None
    )


def test_corrections_stay_within_the_charset(ocr: OcrCalls, cfg_dir: Path) -> None:
    # A plate system without I and O: a 0 in a letter position cannot become O.
    charset = CHARS.replace("I", "").replace("O", "")
    load(ocr, cfg_dir, formats="LLLDDDD", charset=charset, substitutions="O:0;I:1")
    assert read(ocr, "AB01234").label == "AB01234"  # kept: no fit
    assert read(ocr, "ABCO12I").label == "ABC0121"  # substitutions, then fits as read
    load(ocr, cfg_dir, formats="LLLDDDD", charset=charset, formats_strict=1)
    assert read(ocr, "AB01234").label is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("LLLDDDD;LLX", "formats: 'LLX' is not 1..32 of L (letter), D (digit), A (either)"),
        ("lldd", "formats: 'lldd' is not"),
        ("LLDD;;DDLL", "formats: '' is not"),
        ("LLDD;", "formats: '' is not"),
        ("", "formats: '' is not"),
        ("L" * 33, f"formats: '{'L' * 33}' is not 1..32"),
        (";".join(["LD"] * 17), "formats: more than 16 formats"),
    ],
)
def test_malformed_formats_refused(ocr: OcrCalls, cfg_dir: Path, value: str, message: str) -> None:
    cfg = write_config(cfg_dir, "ocr_dict.txt", formats=value)
    assert not ocr.load_config(cfg)
    err = ocr.harness.last_error()
    assert f"ocr_parser.cfg:3: {message}" in err, err
    assert "\n" not in err.strip()


def test_limits_accepted(ocr: OcrCalls, cfg_dir: Path) -> None:
    load(ocr, cfg_dir, formats=";".join(["D" * 32] + ["LD"] * 15))
    assert read(ocr, "L0").label == "L0"


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"formats": "LLD", "formats_strict": "2"}, ":4: formats-strict must be 0 or 1"),
        ({"formats_strict": 1}, "formats-strict=1 needs formats=..."),
    ],
)
def test_bad_formats_strict_refused(
    ocr: OcrCalls, cfg_dir: Path, keys: dict[str, object], message: str
) -> None:
    assert not ocr.load_config(write_config(cfg_dir, "ocr_dict.txt", **keys))
    assert message in ocr.harness.last_error()
