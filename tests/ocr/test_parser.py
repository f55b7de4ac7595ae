"""NvDsInferParseAlprOcr, built from the shipped sources and called as nvinfer calls it.

Expected plates below are worked out by hand from the greedy CTC rule (best class per step,
collapse repeats, drop the blank) and the dictionary written in each test.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from alpr_gen.nvinfer.bridge import BridgeBuild, Layer

from .ocr_support import OcrCalls, indices_layers, write_config

pytestmark = pytest.mark.slow  # the session builds libnvdsinfer_alpr.so (seconds)

# Class 0 = blank; classes 1..7 = these lines.
DICT = ["A", "B", "C", "1", "2", "x", " "]


def probs_for(classes: list[int], scores: list[float], num_classes: int) -> np.ndarray:
    """[T, C] rows whose best class is classes[t] with probability scores[t]."""
    out = np.zeros((len(classes), num_classes), np.float32)
    for t, (k, s) in enumerate(zip(classes, scores, strict=True)):
        out[t, :] = (1.0 - s) / (num_classes - 1) * 0.5  # strictly below s for s > 1/C
        out[t, k] = s
    return out


@pytest.fixture
def cfg_dir(tmp_path: Path) -> Path:
    (tmp_path / "models").mkdir()
    (tmp_path / "models/ocr_dict.txt").write_text("\n".join(DICT) + "\n")
    return tmp_path


def load(ocr: OcrCalls, cfg_dir: Path, **keys: object) -> None:
    keys.setdefault("min_length", 1)
    assert ocr.load_config(write_config(cfg_dir, "models/ocr_dict.txt", **keys)), (
        ocr.harness.last_error()
    )


def both_forms(ocr: OcrCalls, classes: list[int], scores: list[float], thr: float = 0.0):
    """Parse the same steps as probabilities and as int32 indices + scores; both must agree."""
    probs = probs_for(classes, scores, len(DICT) + 1)
    a = ocr.parse([Layer(probs, name="ocr_probs")], thr)
    b = ocr.parse(indices_layers(np.array(classes, np.int32), np.array(scores, np.float32)), thr)
    assert (a.ok, a.label, a.desc) == (b.ok, b.label, b.desc)
    if a.confidence is not None:
        assert b.confidence == pytest.approx(a.confidence, rel=1e-6)
    return a


def test_collapses_repeats_and_drops_blank(ocr: OcrCalls, cfg_dir: Path) -> None:
    load(ocr, cfg_dir)
    r = both_forms(ocr, [1, 1, 0, 1, 2, 2, 0, 0, 3, 4, 4], [0.9] * 11)
    assert r.ok and r.label == "AABC1" and r.desc == "AABC1"
    assert len(r.attrs) == 1
    assert (r.attrs[0].index, r.attrs[0].value) == (0, 1)


def test_uppercase_and_charset(ocr: OcrCalls, cfg_dir: Path) -> None:
    seq = [1, 6, 7, 5]  # A x ' ' 2
    load(ocr, cfg_dir)
    assert both_forms(ocr, seq, [0.9] * 4).label == "AX2"  # x -> X, space not in charset
    load(ocr, cfg_dir, uppercase=0)
    assert both_forms(ocr, seq, [0.9] * 4).label == "A2"  # x not in A-Z0-9
    load(ocr, cfg_dir, charset="*", uppercase=0)
    assert both_forms(ocr, seq, [0.9] * 4).label == "Ax 2"
    load(ocr, cfg_dir, charset="B1")
    assert both_forms(ocr, [1, 2, 3, 4], [0.9] * 4).label == "B1"


def test_substitutions(ocr: OcrCalls, cfg_dir: Path) -> None:
    load(ocr, cfg_dir, substitutions="B:8; x:Y;C:1;", charset="A8Y1")
    # B reads as 8; x is uppercased first, so the x:Y rule never fires; C -> 1 joins "1".
    assert both_forms(ocr, [1, 2, 6, 3, 0, 4], [0.9] * 6).label == "A811"


@pytest.mark.parametrize("bad", ["O0", "O:", "OO:0", "O:0:1"])
def test_bad_substitutions_are_refused(ocr: OcrCalls, cfg_dir: Path, bad: str) -> None:
    cfg = write_config(cfg_dir, "models/ocr_dict.txt", substitutions=bad)
    assert not ocr.load_config(cfg)
    assert ":3: substitutions:" in ocr.harness.last_error()


def test_dropped_characters_still_separate_repeats(ocr: OcrCalls, cfg_dir: Path) -> None:
    load(ocr, cfg_dir)
    # A, space (dropped by the charset), A: two A's, as CTC emitted two characters.
    assert both_forms(ocr, [1, 7, 1], [0.9] * 3).label == "AA"


@pytest.mark.parametrize(
    ("mode", "expected"), [("min", 0.5), ("product", 0.9 * 0.8 * 0.5), ("mean", 2.2 / 3)]
)
def test_confidence_modes_and_threshold(
    ocr: OcrCalls, cfg_dir: Path, mode: str, expected: float
) -> None:
    load(ocr, cfg_dir, confidence=mode)
    scores = [0.9, 0.95, 0.8, 0.7, 0.5]  # the blank's score (0.95) and a repeat's (0.7) don't count
    seq = [1, 0, 2, 2, 3]
    r = both_forms(ocr, seq, scores)
    assert r.label == "ABC"
    assert r.confidence == pytest.approx(expected, rel=1e-6)
    assert both_forms(ocr, seq, scores, thr=expected - 1e-4).label == "ABC"
    below = both_forms(ocr, seq, scores, thr=expected + 1e-4)
    assert below.ok and below.label is None and below.desc == ""


def test_min_length(ocr: OcrCalls, cfg_dir: Path) -> None:
    load(ocr, cfg_dir, min_length=3)
    short = both_forms(ocr, [1, 0, 2], [0.9] * 3)
    assert short.ok and short.label is None
    assert both_forms(ocr, [1, 0, 2, 3], [0.9] * 4).label == "ABC"
    load(ocr, cfg_dir, min_length=0)
    empty = both_forms(ocr, [0, 0, 7], [0.9] * 3)  # only blank and a dropped space
    assert empty.ok and empty.label is None


def test_blank_last_and_middle(ocr: OcrCalls, cfg_dir: Path) -> None:
    n = len(DICT) + 1
    load(ocr, cfg_dir, blank_index="last")  # LPRNet: class k is line k, blank is class 7
    assert both_forms(ocr, [0, 7, 0, 1, 3, 7], [0.9] * 6).label == "AAB1"
    load(ocr, cfg_dir, blank_index=-1)
    assert both_forms(ocr, [0, 7, 0, 1, 3, 7], [0.9] * 6).label == "AAB1"
    load(ocr, cfg_dir, blank_index=2)  # classes 0, 1 -> A, B; 2 blank; 3.. -> C, 1, ...
    assert both_forms(ocr, [0, 2, 0, 1, 3, 4, n - 2], [0.9] * 7).label == "AABC1X"


def test_int64_indices_and_fp16_probs(ocr: OcrCalls, cfg_dir: Path) -> None:
    load(ocr, cfg_dir)
    seq, scores = [1, 2, 0, 3], [0.75, 0.5, 0.9, 0.25]
    r64 = ocr.parse(indices_layers(np.array(seq, np.int64), np.array(scores, np.float32)))
    assert r64.label == "ABC" and r64.confidence == pytest.approx(0.25)
    half = probs_for(seq, scores, len(DICT) + 1).astype(np.float16)
    rh = ocr.parse([Layer(half, name="ocr_probs")])
    assert rh.label == "ABC" and rh.confidence == pytest.approx(0.25)  # exact in fp16
    rs = ocr.parse(indices_layers(np.array(seq, np.int32), np.array(scores, np.float16)))
    assert rs.label == "ABC" and rs.confidence == pytest.approx(0.25)


def test_leading_unit_dims_and_input_layers(ocr: OcrCalls, cfg_dir: Path) -> None:
    load(ocr, cfg_dir)
    probs = probs_for([1, 2, 3], [0.9] * 3, len(DICT) + 1)
    assert ocr.parse([Layer(probs[None], name="p")]).label == "ABC"  # [1, T, C]
    one_step = probs_for([2], [0.9], len(DICT) + 1)  # T = 1: nvinfer may report [1, C] or [C]
    load(ocr, cfg_dir, min_length=1)
    assert ocr.parse([Layer(one_step, name="p")]).label == "B"
    assert ocr.parse([Layer(one_step[0], name="p")]).label == "B"
    decoy = Layer(np.zeros((3, 8, 8), np.float32), name="input", is_input=True)
    assert ocr.parse([decoy, Layer(probs, name="p")]).label == "ABC"


BAD_LAYERS = {
    "wrong class count": lambda p: [Layer(p[:, :-1].copy(), name="p")],
    "three dims": lambda p: [Layer(np.stack([p, p]), name="p")],
    "no dims": lambda p: [Layer(p, name="p", dims=[])],
    "nine dims": lambda p: [Layer(p, name="p", dims=[1] * 9)],
    "numElements lies": lambda p: [Layer(p, name="p", num_elements=p.size + 8)],
    "zero-sized dim": lambda p: [Layer(p, name="p", dims=[0, 8], num_elements=0)],
    "null buffer": lambda p: [Layer(p, name="p", null_buffer=True)],
    "int8 probabilities": lambda p: [Layer(p.astype(np.int8), name="p")],
    "no layers": lambda p: [],
    "index past C": lambda p: indices_layers(np.array([1, 8], np.int32), np.ones(2, np.float32)),
    "negative index": lambda p: indices_layers(np.array([1, -1], np.int32), np.ones(2, np.float32)),
    "huge int64 index": lambda p: indices_layers(
        np.array([1, 2**40], np.int64), np.ones(2, np.float32)
    ),
    "scores shorter": lambda p: indices_layers(
        np.array([1, 2, 3], np.int32), np.ones(2, np.float32)
    ),
    "indices alone": lambda p: [Layer(np.array([1, 2, 3], np.int32), name="ocr_indices")],
    "null indices": lambda p: [
        Layer(np.array([1, 2], np.int32), name="i", null_buffer=True),
        Layer(np.ones(2, np.float32), name="s"),
    ],
}


@pytest.mark.parametrize("case", sorted(BAD_LAYERS))
def test_malformed_layers_give_no_plate_and_say_why(
    ocr: OcrCalls, cfg_dir: Path, case: str
) -> None:
    load(ocr, cfg_dir)
    probs = probs_for([1, 2, 3], [0.9] * 3, len(DICT) + 1)
    r = ocr.parse(BAD_LAYERS[case](probs))
    assert r.ok  # a bad tensor is not a pipeline failure
    assert r.label is None and r.attrs == [] and r.desc == ""
    assert r.error.startswith("NvDsInferParseAlprOcr: ")


def test_nan_and_inf_scores(ocr: OcrCalls, cfg_dir: Path) -> None:
    for mode in ("min", "product", "mean"):
        load(ocr, cfg_dir, confidence=mode)
        r = ocr.parse(indices_layers(np.array([1, 2, 3], np.int32), np.array([0.9, math.nan, 0.9], np.float32)))  # fmt: skip
        assert r.ok and r.label is None, mode
    probs = np.full((3, len(DICT) + 1), np.nan, np.float32)
    r = ocr.parse([Layer(probs, name="p")])
    assert r.ok and r.label is None  # all-NaN rows: best stays the blank


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[ocr-parser]\n", "dictionary=... is required"),
        ("[other]\ndictionary=models/ocr_dict.txt\n", "dictionary=... is required"),
        ("[ocr-parser]\ndictionary=nope.txt\n", "cannot read the OCR dictionary"),
        ("[ocr-parser]\ndictionary=models/ocr_dict.txt\nblank-idx=0\n", ":3: unknown key"),
        ("[ocr-parser]\ndictionary=models/ocr_dict.txt\nblank-index=x\n", ":3: blank-index"),
        ("[ocr-parser]\ndictionary=models/ocr_dict.txt\nblank-index=9\n", "beyond the 8"),
        ("[ocr-parser]\ndictionary=models/ocr_dict.txt\nconfidence=max\n", ":3: confidence"),
        ("[ocr-parser]\ndictionary=models/ocr_dict.txt\nmin-length=-2\n", ":3: min-length"),
        ("[ocr-parser\ndictionary=models/ocr_dict.txt\n", ":1: bad group header"),
        ("[ocr-parser]\njunk\n", ":2: expected key=value"),
    ],
)
def test_bad_settings_fail_every_call_with_one_line(
    ocr: OcrCalls, cfg_dir: Path, capfd: pytest.CaptureFixture[str], text: str, fragment: str
) -> None:
    cfg = cfg_dir / "ocr_parser.cfg"
    cfg.write_text(text)
    assert not ocr.load_config(cfg)
    probs = probs_for([1, 2, 3], [0.9] * 3, len(DICT) + 1)
    results = [ocr.parse([Layer(probs, name="p")]) for _ in range(3)]
    assert all(not r.ok and r.label is None for r in results)
    assert fragment in results[-1].error
    err = capfd.readouterr().err
    assert err.count(fragment) == 1, err  # once, not once per object


def test_empty_dictionary_line_is_refused(ocr: OcrCalls, cfg_dir: Path) -> None:
    (cfg_dir / "models/ocr_dict.txt").write_text("A\n\nB\n")
    assert not ocr.load_config(write_config(cfg_dir, "models/ocr_dict.txt"))
    assert "ocr_dict.txt:2: empty entry" in ocr.harness.last_error()


def test_inline_comment_and_crlf_tolerated(ocr: OcrCalls, cfg_dir: Path) -> None:
    (cfg_dir / "models/ocr_dict.txt").write_text("A\r\nB\r\nC\r\n")
    (cfg_dir / "ocr_parser.cfg").write_text(
        "# rendered by alpr-gen\r\n[ocr-parser]\r\n"
        "dictionary=models/ocr_dict.txt   # relative to this file\r\nmin-length=2\r\n"
    )
    assert ocr.load_config(cfg_dir / "ocr_parser.cfg"), ocr.harness.last_error()
    assert ocr.parse([Layer(probs_for([1, 3], [0.9, 0.9], 4), name="p")]).label == "AC"


DISCOVERY = textwrap.dedent(
    """
    import sys
    import numpy as np
    from alpr_gen.nvinfer.bridge import Layer, ParserBridge
    h = ParserBridge(sys.argv[1], sys.argv[2])
    p = np.full((3, 4), 0.01, np.float32); p[0, 1] = p[1, 2] = p[2, 3] = 0.9
    ok, attrs, text = h.classifier("NvDsInferParseAlprOcr", [Layer(p, name="p")],
                                   threshold=0.5, net=(320, 48, 3))
    print(ok, text, h.last_error())
    """
)


def test_settings_found_via_env_then_cwd(
    ocr_build: BridgeBuild, ocr: OcrCalls, tmp_path: Path
) -> None:
    """Fresh processes (settings are read once): $ALPR_OCR_CONFIG wins, else ./ocr_parser.cfg."""
    lib, harness = ocr_build.library, ocr_build.harness
    for name, dict_text in (("env", "E\nN\nV\n"), ("cwd", "C\nW\nD\n")):
        d = tmp_path / name
        d.mkdir()
        (d / "d.txt").write_text(dict_text)
        write_config(d, "d.txt")

    def run(cwd: Path, env_cfg: Path | None) -> str:
        env = {k: v for k, v in os.environ.items() if k != "ALPR_OCR_CONFIG"}
        if env_cfg is not None:
            env["ALPR_OCR_CONFIG"] = str(env_cfg)
        out = subprocess.run(
            [sys.executable, "-c", DISCOVERY, str(lib), str(harness)],
            cwd=cwd, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return out.stdout.strip() + out.stderr

    assert run(tmp_path / "cwd", tmp_path / "env" / "ocr_parser.cfg").startswith("True ENV")
    assert run(tmp_path / "cwd", None).startswith("True CWD")
    missing = run(tmp_path, None)
    assert missing.startswith("False")
    assert "ocr_parser.cfg" in missing and "ALPR_OCR_CONFIG" in missing
