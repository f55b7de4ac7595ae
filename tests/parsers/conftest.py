"""Builds libnvdsinfer_alpr.so and the harness once per session, into a private temp dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from alpr_gen.testing.parser_harness import ParserHarness, build_harness, build_library


@pytest.fixture(scope="session")
def parser_build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("parsers-build")


@pytest.fixture(scope="session")
def harness(parser_build_dir: Path) -> ParserHarness:
    lib = build_library(parser_build_dir)
    return ParserHarness(lib, build_harness(parser_build_dir))
