"""The parser library and harness, built once per session (DeepStream 9's layout unless asked)."""

from __future__ import annotations

import pytest

from alpr_gen.nvinfer.bridge import ParserBridge


@pytest.fixture(scope="session")
def harness(bridges) -> ParserBridge:
    return bridges(9)


@pytest.fixture(scope="session", params=[6, 9], ids=["abi6", "abi9"])
def harness_each_abi(request: pytest.FixtureRequest, bridges) -> ParserBridge:
    """The same tests through the ≤ 8.0 (24-byte) and the 9.x (28-byte) object layouts."""
    return bridges(request.param)
