"""Fixtures for alpr_gen.nvinfer's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@pytest.fixture(scope="session")
def sample_images() -> list[Path]:
    """Ultralytics' two sample photos (810x1080 portrait, 1280x720 landscape)."""
    ultralytics = pytest.importorskip("ultralytics")
    assets = Path(ultralytics.__file__).parent / "assets"
    return [assets / "bus.jpg", assets / "zidane.jpg"]
