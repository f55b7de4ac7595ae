"""Fixtures for the synthetic-data tests: the plate fonts (skip cleanly where none are installed)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def fonts() -> list[Path]:
    from alpr_synth.fonts import FontsMissing, find_plate_fonts

    try:
        return find_plate_fonts(require_all=True)
    except FontsMissing as exc:  # CI installs fonts-dejavu-core fonts-liberation fonts-freefont-ttf
        pytest.skip(str(exc))
