"""Command-line values checked before any work starts (typer `parser=` functions)."""

from __future__ import annotations

from pathlib import Path

import typer


def nonempty_path(text: str) -> Path:
    """A path option that refuses '' (Path('') is '.', so `--out ''` would mean the current
    directory: render would then write its files among whatever is there)."""
    if not text.strip():
        raise typer.BadParameter("is empty: give a directory, e.g. --out out/SITE")
    if "\x00" in text:
        raise typer.BadParameter("contains a NUL byte")
    return Path(text)
