"""Shared test setup: stable terminal width, and the --update-golden switch."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/ from the current render (review the diff before committing).",
    )


@pytest.fixture(autouse=True)
def _stable_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # rich wraps to the terminal width; keep messages on one line in assertions.
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


@pytest.fixture(scope="session")
def parser_cache(tmp_path_factory: pytest.TempPathFactory):
    """The parser library + harness cache of alpr_gen.nvinfer.bridge, private to this session."""
    return tmp_path_factory.mktemp("parser-cache")


@pytest.fixture(scope="session")
def bridges(parser_cache):
    """abi -> ParserBridge (built once per session into `parser_cache`, opened once)."""
    from alpr_gen.nvinfer.bridge import ParserBridge

    opened: dict[int, ParserBridge] = {}

    def get(abi: int = 9) -> ParserBridge:
        if abi not in opened:
            opened[abi] = ParserBridge.open(abi, cache_dir=parser_cache)
        return opened[abi]

    return get
