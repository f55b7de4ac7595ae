"""The TrueType fonts plates are drawn with (Debian's DejaVu, Liberation and FreeFont packages)."""

from __future__ import annotations

import os
from pathlib import Path

# Bold and condensed faces look most like plate lettering; all ship in fonts-dejavu-core,
# fonts-liberation and fonts-freefont-ttf.
PLATE_FONTS: tuple[str, ...] = (
    "DejaVuSans-Bold.ttf",
    "DejaVuSansCondensed-Bold.ttf",
    "DejaVuSansMono-Bold.ttf",
    "LiberationSans-Bold.ttf",
    "LiberationSansNarrow-Bold.ttf",
    "LiberationMono-Bold.ttf",
    "FreeSansBold.ttf",
    "FreeMonoBold.ttf",
)

# Directories searched in order; ALPR_SYNTH_FONTS (os.pathsep-separated) comes first so a
# machine without the Debian packages (the GPU box) can point at carried copies.
DEFAULT_FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/truetype/freefont",
)


class FontsMissing(RuntimeError):
    """None of the plate fonts could be found."""


def font_dirs() -> list[Path]:
    extra = [p for p in os.environ.get("ALPR_SYNTH_FONTS", "").split(os.pathsep) if p]
    return [Path(p) for p in (*extra, *DEFAULT_FONT_DIRS)]


def find_plate_fonts(require_all: bool = False) -> list[Path]:
    """Paths of the plate fonts found, in PLATE_FONTS order (so a seed means the same font)."""
    found: list[Path] = []
    missing: list[str] = []
    for name in PLATE_FONTS:
        hit = next((d / name for d in font_dirs() if (d / name).is_file()), None)
        if hit is None:
            missing.append(name)
        else:
            found.append(hit)
    if not found or (require_all and missing):
        dirs = ", ".join(str(d) for d in font_dirs())
        raise FontsMissing(
            f"plate fonts not found: {', '.join(missing)} (searched {dirs}); install "
            "fonts-dejavu-core fonts-liberation fonts-freefont-ttf or set ALPR_SYNTH_FONTS"
        )
    return found
