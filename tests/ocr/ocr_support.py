"""Helpers for the OCR tests (and bench/bench_ocr.py): call NvDsInferParseAlprOcr through the
parsers' harness (alpr_gen.nvinfer.bridge), write its settings, render plate crops."""

from __future__ import annotations

import ctypes
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alpr_gen.nvinfer.bridge import Attribute, Layer, ParserBridge


@dataclass(frozen=True)
class Read:
    """One NvDsInferParseAlprOcr call: what it returned, the plate (if any), attrString."""

    ok: bool
    label: str | None
    confidence: float | None
    desc: str
    attrs: list[Attribute]
    error: str


class OcrCalls:
    """NvDsInferParseAlprOcr through the parsers' harness, plus AlprOcrLoadConfig."""

    def __init__(self, harness: ParserBridge) -> None:
        self.harness = harness
        self._load = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p)(
            harness.symbol("AlprOcrLoadConfig")
        )

    def load_config(self, path: Path) -> bool:
        return bool(self._load(str(path).encode()))

    def parse(self, layers: list[Layer], threshold: float = 0.0) -> Read:
        ok, attrs, desc = self.harness.classifier(
            "NvDsInferParseAlprOcr", layers, threshold=threshold, net=(320, 48, 3)
        )
        a = attrs[0] if attrs else None
        return Read(
            ok,
            a.label if a else None,
            a.confidence if a else None,
            desc,
            attrs,
            self.harness.last_error(),
        )


def indices_layers(indices: np.ndarray, scores: np.ndarray) -> list[Layer]:
    """The --argmax form; int64 indices are DeepStream 8.0's INT64 (4)."""
    dt = 4 if indices.dtype == np.int64 else None
    return [
        Layer(indices, name="ocr_indices", data_type=dt),
        Layer(np.asarray(scores), name="ocr_scores"),
    ]


def write_config(directory: Path, dictionary: str, **keys: object) -> Path:
    """An ocr_parser.cfg in `directory` ([ocr-parser] group, keys with '_' -> '-')."""
    lines = ["[ocr-parser]", f"dictionary={dictionary}"]
    lines += [f"{k.replace('_', '-')}={v}" for k, v in keys.items()]
    path = directory / "ocr_parser.cfg"
    path.write_text("\n".join(lines) + "\n")
    return path


# --- plate crops ---------------------------------------------------------------------------

FONT_DIR = Path("/usr/share/fonts/truetype")
FONTS = [
    FONT_DIR / "dejavu/DejaVuSans-Bold.ttf",
    FONT_DIR / "dejavu/DejaVuSansMono-Bold.ttf",
    FONT_DIR / "liberation/LiberationSans-Bold.ttf",
    FONT_DIR / "liberation/LiberationMono-Bold.ttf",
    FONT_DIR / "freefont/FreeSansBold.ttf",
    FONT_DIR / "freefont/FreeMonoBold.ttf",
]
PLATE_CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


LAYOUTS = ("LLLDDDD", "DLLLDDD", "LLDDLLL", "LLDDDD", "DDDLLL", "LDDDLL", "LLLDDD")


def random_plate(rng: random.Random, layouts: tuple[str, ...] = LAYOUTS) -> str:
    """Plate-like strings: letters and digits in a few common layouts, 5-8 characters."""
    letters, digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
    layout = rng.choice(list(layouts))
    return "".join(rng.choice(letters if c == "L" else digits) for c in layout)


def render_plate(
    text: str,
    font: Path,
    height: int,
    rng: random.Random,
    *,
    perspective: float = 0.0,
    blur: float = 0.0,
    noise: float = 0.0,
) -> np.ndarray:
    """An RGB uint8 crop of a plate: dark text on a light plate, a border, a little margin.

    `perspective` moves the corners by up to that fraction of the size; `blur` is a Gaussian
    sigma in pixels of the final crop; `noise` a pixel-noise sigma.
    """
    import cv2
    from PIL import Image, ImageDraw, ImageFont

    scale = 4  # draw large, then shrink: anti-aliased glyphs like a camera's
    pt = height * scale * 0.62
    fnt = ImageFont.truetype(str(font), int(pt))
    left, top, right, bottom = fnt.getbbox(text)
    pad_x, pad_y = int(0.18 * pt), int(0.28 * pt)
    w, h = right - left + 2 * pad_x, bottom - top + 2 * pad_y
    bg = tuple(rng.randint(200, 255) for _ in range(3))
    fg = tuple(rng.randint(0, 60) for _ in range(3))
    img = Image.new("RGB", (w, h), bg)
    draw = ImageDraw.Draw(img)
    draw.rectangle([3, 3, w - 4, h - 4], outline=fg, width=max(2, scale * 2))
    draw.text((pad_x - left, pad_y - top), text, font=fnt, fill=fg)
    arr = np.asarray(img)
    if perspective > 0:
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        jitter = np.float32(
            [[rng.uniform(-1, 1) * perspective * w, rng.uniform(-1, 1) * perspective * h]
             for _ in range(4)]
        )  # fmt: skip
        dst = src + jitter
        dst -= dst.min(axis=0)
        out_w, out_h = int(dst[:, 0].max()), int(dst[:, 1].max())
        m = cv2.getPerspectiveTransform(src, dst)
        arr = cv2.warpPerspective(arr, m, (out_w, out_h), borderValue=(90, 90, 90))
    out_h = height
    out_w = max(8, round(arr.shape[1] * height / arr.shape[0]))
    arr = cv2.resize(arr, (out_w, out_h), interpolation=cv2.INTER_AREA)
    if blur > 0:
        arr = cv2.GaussianBlur(arr, (0, 0), blur)
    if noise > 0:
        n = np.random.default_rng(rng.randint(0, 2**31)).normal(0, noise, arr.shape)
        arr = np.clip(arr.astype(np.float32) + n, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr)


# Plate alphabets: many plate systems leave out I, O and Q because they read as 1 and 0;
# PP-OCRv4 (a general text model) cannot tell them apart in several of these fonts either.
ALPHABET_FULL = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALPHABET_NO_IOQ = "ABCDEFGHJKLMNPRSTUVWXYZ"
PLATE_CHARSET_NO_IOQ = ALPHABET_NO_IOQ + "0123456789"
NO_IOQ_SUBSTITUTIONS = "O:0;I:1;Q:0"
# Plates of a site with two formats (full alphabet), read with `formats` set to them.
SITE_FORMATS = ("LLLDDDD", "LLDDLLL")

VARIANTS: dict[str, dict[str, float]] = {
    "clean": {},
    "perspective+blur": {"perspective": 0.06, "blur": 0.8},
    "hard": {"perspective": 0.10, "blur": 1.3, "noise": 8.0},
}


def plate_set(
    n: int,
    seed: int,
    variant: str,
    letters: str = ALPHABET_NO_IOQ,
    heights=(32, 40, 48, 64),
    layouts: tuple[str, ...] = LAYOUTS,
) -> tuple[list[str], list[np.ndarray]]:
    """n (text, RGB crop) pairs over all fonts, a few crop heights, one variant's distortions;
    texts in `layouts` (L letter, D digit)."""
    rng = random.Random(seed)
    texts, crops = [], []
    for i in range(n):
        plate = random_plate(rng, layouts)
        text = "".join(rng.choice(letters) if c.isalpha() else c for c in plate)
        texts.append(text)
        font = FONTS[i % len(FONTS)]
        crops.append(render_plate(text, font, rng.choice(heights), rng, **VARIANTS[variant]))
    return texts, crops


def read_plates(
    ocr: OcrCalls, session, crops: list[np.ndarray], *, padding: str = "nvinfer", batch: int = 16
) -> list[Read]:
    """Preprocess like the SGIE (or like PaddleOCR), run onnxruntime, parse with the parser."""
    return parse_outputs(ocr, recognise(session, crops, padding=padding, batch=batch))


def recognise(
    session, crops: list[np.ndarray], *, padding: str = "nvinfer", batch: int = 16
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The exported (argmax) recogniser's (indices, scores) per crop, preprocessed like the SGIE
    (or like PaddleOCR): parse them under several settings without running the model again."""
    from alpr_gen.ocr.preprocess import ppocr_preprocess, sgie_input
    from alpr_gen.ocr.presets import OCR_PRESETS

    preset = OCR_PRESETS["ppocr"]
    outputs: list[tuple[np.ndarray, np.ndarray]] = []
    for start in range(0, len(crops), batch):
        chunk = crops[start : start + batch]
        if padding == "nvinfer":
            x = np.stack([sgie_input(c, preset) for c in chunk])
        else:
            x = np.stack([ppocr_preprocess(c, preset.height, preset.width) for c in chunk])
        idx, scores = session.run(None, {session.get_inputs()[0].name: x})
        outputs += list(zip(idx, scores, strict=True))
    return outputs


def parse_outputs(ocr: OcrCalls, outputs: list[tuple[np.ndarray, np.ndarray]]) -> list[Read]:
    """NvDsInferParseAlprOcr (with the settings loaded now) on recognise()'s outputs."""
    return [ocr.parse(indices_layers(i, s)) for i, s in outputs]
