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


# Secrets the shipped profiles read from the environment; fixed here so renders are comparable.
PROFILE_ENV = {"FLEET_MQTT_PASSWORD": "golden-secret-not-real"}


@pytest.fixture
def profile_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key in (
        "LOT7_CAM1_URI",
        "LOT7_CAM2_URI",
        "LOT7_CAM3_URI",
        "LOT7_CAM4_URI",
        "LOT7_KAFKA_HOST",
        "CAMPUS_AMQP_PASSWORD",
        "CITY_REDIS_PASSWORD",
    ):
        monkeypatch.delenv(key, raising=False)
    for key, value in PROFILE_ENV.items():
        monkeypatch.setenv(key, value)
    return PROFILE_ENV


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The TensorRT-RTX check's parse/build seconds per graph, when it ran."""
    import sys

    rtx = sys.modules.get("alpr_gen.export.trt_rtx")
    lines = rtx.summary_lines() if rtx is not None else []
    if lines:
        terminalreporter.section("TensorRT-RTX graph check")
        for line in lines:
            terminalreporter.write_line(line)


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
