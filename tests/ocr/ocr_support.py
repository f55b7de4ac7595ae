"""Helpers for the OCR tests and bench/bench_ocr.py: build the parser library with the project's
Makefile, drive NvDsInferParseAlprOcr through a small ctypes harness, render plate crops."""

from __future__ import annotations

import ctypes
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
PARSERS = REPO / "custom_parsers"
HARNESS_SRC = Path(__file__).with_name("ocr_harness.cpp")

DTYPES = {np.dtype(np.float32): 0, np.dtype(np.float16): 1, np.dtype(np.int32): 3}
DTYPES[np.dtype(np.int64)] = 4


def build_library(build_dir: Path) -> Path:
    """`make -C custom_parsers BUILD=...`: the same build the users get (without DeepStream)."""
    subprocess.run(
        ["nice", "make", "-s", "-C", str(PARSERS), f"BUILD={build_dir}"],
        check=True,
        capture_output=True,
        text=True,
    )
    return build_dir / "libnvdsinfer_alpr.so"


def build_harness(build_dir: Path) -> Path:
    out = build_dir / "libocr_harness.so"
    subprocess.run(
        [
            "nice", "g++", "-std=c++17", "-O2", "-fPIC", "-shared",
            f"-I{PARSERS / 'include'}", "-o", str(out), str(HARNESS_SRC), "-ldl",
        ],
        check=True,
        capture_output=True,
        text=True,
    )  # fmt: skip
    return out


class _Result(ctypes.Structure):
    _fields_ = [
        ("ok", ctypes.c_int),
        ("nattr", ctypes.c_int),
        ("index", ctypes.c_uint),
        ("value", ctypes.c_uint),
        ("confidence", ctypes.c_float),
    ]


@dataclass(frozen=True)
class Layer:
    """One output layer as nvinfer hands it over (dims = the array's shape, batch excluded)."""

    name: str
    array: np.ndarray
    dims: tuple[int, ...] | None = None  # override, to lie about the shape (robustness tests)
    num_elements: int | None = None
    dtype_code: int | None = None
    null_buffer: bool = False


@dataclass(frozen=True)
class ParseResult:
    ok: bool
    nattr: int
    label: str
    confidence: float
    desc: str
    index: int
    value: int


class OcrParser:
    """NvDsInferParseAlprOcr in a built library, called like nvinfer calls it."""

    def __init__(self, lib: Path, harness: Path) -> None:
        self._h = ctypes.CDLL(str(harness))
        self._h.ocr_harness_open.argtypes = [ctypes.c_char_p]
        rc = self._h.ocr_harness_open(str(lib).encode())
        if rc != 0:
            raise RuntimeError(f"cannot open {lib} (rc {rc})")
        self._h.ocr_harness_load_config.argtypes = [ctypes.c_char_p]
        self._h.ocr_harness_last_error.restype = ctypes.c_char_p
        layer_args = [
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_uint),
            ctypes.POINTER(ctypes.c_uint),
            ctypes.POINTER(ctypes.c_uint),
            ctypes.POINTER(ctypes.c_void_p),
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.c_float,
        ]
        self._h.ocr_harness_parse.argtypes = [
            *layer_args,
            ctypes.POINTER(_Result),
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_char_p,
            ctypes.c_size_t,
        ]
        self._h.ocr_harness_time.argtypes = [*layer_args, ctypes.c_int]
        self._h.ocr_harness_time.restype = ctypes.c_double
        self._h.ocr_harness_set_logging.argtypes = [ctypes.c_int]

    def load_config(self, path: Path | None) -> bool:
        return bool(self._h.ocr_harness_load_config(str(path).encode() if path else None))

    def last_error(self) -> str:
        return self._h.ocr_harness_last_error().decode()

    def set_logging(self, on: bool) -> None:
        self._h.ocr_harness_set_logging(int(on))

    def _args(self, layers: list[Layer]) -> tuple:
        n = len(layers)
        keep = [np.ascontiguousarray(x.array) for x in layers]
        dtypes = (ctypes.c_int * n)(
            *[x.dtype_code if x.dtype_code is not None else DTYPES[a.dtype] for x, a in zip(layers, keep, strict=True)]
        )  # fmt: skip
        num_dims = (ctypes.c_uint * n)()
        dims = (ctypes.c_uint * (8 * n))()
        numel = (ctypes.c_uint * n)()
        bufs = (ctypes.c_void_p * n)()
        names = (ctypes.c_char_p * n)()
        for i, (x, a) in enumerate(zip(layers, keep, strict=True)):
            shape = x.dims if x.dims is not None else a.shape
            num_dims[i] = len(shape)
            for k, d in enumerate(shape[:8]):
                dims[8 * i + k] = d
            numel[i] = x.num_elements if x.num_elements is not None else a.size
            bufs[i] = None if x.null_buffer else a.ctypes.data
            names[i] = x.name.encode()
        return (n, dtypes, num_dims, dims, numel, bufs, names), keep

    def parse(self, layers: list[Layer], threshold: float = 0.0) -> ParseResult:
        args, _keep = self._args(layers)
        res = _Result()
        label = ctypes.create_string_buffer(4096)
        desc = ctypes.create_string_buffer(4096)
        self._h.ocr_harness_parse(
            *args, threshold, ctypes.byref(res), label, 4096, desc, 4096
        )
        return ParseResult(
            bool(res.ok),
            res.nattr,
            label.value.decode(),
            res.confidence,
            desc.value.decode(),
            res.index,
            res.value,
        )

    def time_ns(self, layers: list[Layer], iterations: int, threshold: float = 0.0) -> float:
        args, _keep = self._args(layers)
        return self._h.ocr_harness_time(*args, threshold, iterations)


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


def random_plate(rng: random.Random) -> str:
    """Plate-like strings: letters and digits in a few common layouts, 5-8 characters."""
    letters, digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
    layout = rng.choice(["LLLDDDD", "DLLLDDD", "LLDDLLL", "LLDDDD", "DDDLLL", "LDDDLL", "LLLDDD"])
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
