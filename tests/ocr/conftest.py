"""Session fixtures: the parser library built from the shipped sources, and exported models."""

from __future__ import annotations

from pathlib import Path

import pytest

from alpr_gen.nvinfer.bridge import BridgeBuild, build_bridge

from .ocr_support import OcrCalls


@pytest.fixture(scope="session")
def ocr_build(parser_cache: Path) -> BridgeBuild:
    return build_bridge(9, cache_dir=parser_cache)


@pytest.fixture(scope="session")
def ocr(bridges) -> OcrCalls:
    """NvDsInferParseAlprOcr in a freshly built libnvdsinfer_alpr.so, called as nvinfer does."""
    return OcrCalls(bridges(9))


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """rapidocr's PP-OCRv4 recogniser exported both ways: {"argmax": dir, "probs": dir}."""
    from alpr_gen.ocr.export import OcrExportRequest, export_ocr

    dirs = {}
    for form in ("argmax", "probs"):
        out = tmp_path_factory.mktemp(f"ocr-{form}")
        export_ocr(OcrExportRequest(argmax=form == "argmax", out_dir=out))
        dirs[form] = out
    return dirs
