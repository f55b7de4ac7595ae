"""Session fixtures: the parser library built by the project's Makefile, and exported models."""

from __future__ import annotations

from pathlib import Path

import pytest

from alpr_gen.testing.parser_harness import ParserHarness, build_harness, build_library

from .ocr_support import OcrCalls


@pytest.fixture(scope="session")
def ocr_build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ocr-build")


@pytest.fixture(scope="session")
def ocr(ocr_build_dir: Path) -> OcrCalls:
    """NvDsInferParseAlprOcr in a freshly built libnvdsinfer_alpr.so, called as nvinfer does."""
    lib = build_library(ocr_build_dir)
    return OcrCalls(ParserHarness(lib, build_harness(ocr_build_dir)))


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
