"""Plate artwork: random registration text in a few national styles, drawn flat (front view).

A plate is drawn at a canonical size with Pillow; the scene code warps it into perspective.
``Plate.text`` is the registration as an OCR should read it (upper-case letters and digits only,
no spaces, dashes, country band or state name), joined over lines for two-line plates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

# No I, O, Q: most registries leave them out, and it keeps 0/O and 1/I out of read-rate figures.
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
DIGITS = "0123456789"

STYLES: tuple[str, ...] = ("us", "eu", "mercosur", "two_line", "dark")

# Format strings: L = letter, N = digit, anything else is printed as is (space, dash).
_FORMATS: dict[str, tuple[str, ...]] = {
    "us": ("LLL NNNN", "NLLL NNN", "LLL-NNNN", "NNN LLL", "NLLLNNN"),
    "eu": ("LL-NNN-LL", "L LL NNNN", "NN-LLL-N", "LL NN LLL", "LLL NNNN"),
    "mercosur": ("LLLNLNN", "LL NNN LL"),
    "two_line": ("LL NNN/NNNN", "LLL/NNNN", "NN LL/NNN", "L NNN/LL"),
    "dark": ("LLL NNN", "LL NNNN", "NNNN LL"),
}
_US_STATES = ("CALIFORNIA", "TEXAS", "OREGON", "NEVADA", "OHIO", "MAINE", "IDAHO", "UTAH", "IOWA")
_EU_CODES = ("D", "F", "NL", "I", "E", "B", "PL", "CZ", "A", "P")
_MERCOSUR = ("BRASIL", "ARGENTINA", "URUGUAY", "PARAGUAY")

# Width / height of the physical plates (US 12x6 in, EU 520x110 mm, Mercosur 400x130 mm).
_ASPECT = {"us": 2.0, "eu": 4.73, "mercosur": 3.08, "two_line": 1.6, "dark": 3.4}

_EU_BLUE = (0, 51, 153)
_EU_YELLOW = (255, 204, 0)


@dataclass(frozen=True)
class Plate:
    style: str
    text: str  # what an OCR should read: [A-Z0-9]+
    lines: tuple[str, ...]  # as printed
    image: np.ndarray  # H x W x 3 uint8 RGB, front view


def random_registration(style: str, rng: np.random.Generator) -> tuple[str, ...]:
    """Printed lines of a random registration for ``style`` ('/' in a format splits lines)."""
    fmt = _FORMATS[style][int(rng.integers(len(_FORMATS[style])))]
    out = []
    for ch in fmt:
        if ch == "L":
            out.append(LETTERS[int(rng.integers(len(LETTERS)))])
        elif ch == "N":
            out.append(DIGITS[int(rng.integers(len(DIGITS)))])
        else:
            out.append(ch)
    return tuple("".join(out).split("/"))


def normalise_text(text: str) -> str:
    """Upper-case letters and digits only: how reads and ground truth are compared."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())


@lru_cache(maxsize=256)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _text_block(
    text: str, font_path: Path, height: int, max_width: int, colour: tuple[int, int, int]
) -> Image.Image:
    """``text`` as RGBA ``height`` px tall (ink only), squeezed to at most ``max_width``."""
    font = _font(str(font_path), max(8, int(height * 1.35)))
    left, top, right, bottom = font.getbbox(text)
    w, h = max(1, right - left), max(1, bottom - top)
    layer = Image.new("RGBA", (w + 4, h + 4), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((2 - left, 2 - top), text, font=font, fill=(*colour, 255))
    scale = height / (h + 4)
    new_w = min(max_width, max(1, round((w + 4) * scale)))
    return layer.resize((new_w, height), Image.Resampling.LANCZOS)


def _jitter(colour: tuple[int, int, int], rng: np.random.Generator, amount: int = 18) -> tuple:
    return tuple(int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in colour)


def render_plate(
    style: str, fonts: list[Path], rng: np.random.Generator, height: int | None = None
) -> Plate:
    """Draw a random plate of ``style`` (one of STYLES) with one of ``fonts``."""
    if style not in _FORMATS:
        raise ValueError(f"unknown plate style {style!r}; expected one of {', '.join(STYLES)}")
    lines = random_registration(style, rng)
    font = fonts[int(rng.integers(len(fonts)))]
    h = int(height or rng.integers(96, 150))
    w = round(h * _ASPECT[style])
    bg = (255, 255, 255)
    ink = (15, 15, 15)
    if (style == "eu" and rng.random() < 0.25) or (style == "two_line" and rng.random() < 0.4):
        bg = _EU_YELLOW
    elif style == "dark":
        bg, ink = (20, 20, 24), (235, 235, 235)
    elif style == "us":
        ink = ((20, 30, 110), (15, 15, 15), (110, 20, 30))[int(rng.integers(3))]
    img = Image.new("RGB", (w, h), _jitter(bg, rng, 12))
    draw = ImageDraw.Draw(img)
    # Text area (x0, y0, x1, y1) left for the registration after bands and headers.
    x0, y0, x1, y1 = int(0.05 * w), int(0.12 * h), int(0.95 * w), int(0.88 * h)
    if style == "us":
        state = _US_STATES[int(rng.integers(len(_US_STATES)))]
        hdr = _text_block(state, font, int(0.16 * h), int(0.6 * w), _jitter((170, 20, 30), rng))
        img.paste(hdr, ((w - hdr.width) // 2, int(0.06 * h)), hdr)
        y0, y1 = int(0.28 * h), int(0.86 * h)
    elif style == "eu" or (style == "two_line" and rng.random() < 0.5):
        band_w = int(0.085 * w) if style == "eu" else int(0.13 * w)
        draw.rectangle((0, 0, band_w, h), fill=_EU_BLUE)
        cx, cy, r = band_w / 2, 0.3 * h, 0.22 * band_w + 0.05 * h
        for k in range(12):  # ring of stars, drawn as dots
            a = 2 * np.pi * k / 12
            sx, sy, sr = cx + r * np.cos(a), cy + r * np.sin(a), max(1.0, 0.018 * h)
            draw.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=_EU_YELLOW)
        code = _EU_CODES[int(rng.integers(len(_EU_CODES)))]
        tag = _text_block(code, font, int(0.22 * h), int(0.8 * band_w), (255, 255, 255))
        img.paste(tag, (int((band_w - tag.width) / 2), int(0.66 * h)), tag)
        x0 = band_w + int(0.04 * w)
    elif style == "mercosur":
        band_h = int(0.22 * h)
        draw.rectangle((0, 0, w, band_h), fill=_EU_BLUE)
        name = _MERCOSUR[int(rng.integers(len(_MERCOSUR)))]
        tag = _text_block(name, font, int(0.6 * band_h), int(0.5 * w), (255, 255, 255))
        img.paste(tag, ((w - tag.width) // 2, int(0.2 * band_h)), tag)
        y0 = band_h + int(0.08 * h)
    # Registration lines, evenly stacked in the text area.
    n = len(lines)
    gap = int(0.06 * h) if n > 1 else 0
    line_h = int(((y1 - y0) - gap * (n - 1)) / n * rng.uniform(0.82, 0.95))
    total = line_h * n + gap * (n - 1)
    y = y0 + ((y1 - y0) - total) // 2
    for line in lines:
        block = _text_block(line, font, line_h, x1 - x0, _jitter(ink, rng, 10))
        img.paste(block, (x0 + ((x1 - x0) - block.width) // 2, y), block)
        y += line_h + gap
    # Border: a thin frame most plates carry.
    if rng.random() < 0.8:
        t = max(1, int(0.025 * h))
        frame = (t // 2, t // 2, w - 1 - t // 2, h - 1 - t // 2)
        draw.rounded_rectangle(frame, radius=int(0.06 * h), outline=_jitter(ink, rng, 10), width=t)
    return Plate(style, normalise_text("".join(lines)), lines, np.asarray(img, dtype=np.uint8))
