"""Check exported graphs with TensorRT-RTX's ONNX parser and builder (PyPI, no GPU needed).

TensorRT-RTX (`tensorrt_rtx`, wheels `tensorrt-rtx-cu12` + `-libs`) is a separate product from
the TensorRT DeepStream runs (8.5/8.6/10.x). It shares TensorRT's ONNX parser lineage and its
builder compiles engines with no GPU present, which makes it the one real TensorRT-family
builder CI can run. What a pass shows: the graph parses without error, every output has static
dims apart from the batch, and (where asked) an engine builds for the compute capability named
here. What it does not show: that TensorRT 10 builds it, that nvinfer loads it (RTX engines are
not TensorRT engines), anything about INT8 (RTX has no calibration) or the end2end head's NMS
(RTX has no NonMaxSuppression layer: such a graph parses but cannot build).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Protocol

# An Ampere RTX target (SM 8.6): RTX builds only for 7.5/8.0/8.6/8.9/12.x, and with no GPU
# present the target must be named (there is no "current" device to ask).
COMPUTE_CAPABILITY = "SM86"


@dataclass
class GraphCheck:
    """What TensorRT-RTX made of one ONNX file."""

    name: str
    parse_errors: list[str]
    inputs: dict[str, tuple[int, ...]]
    outputs: dict[str, tuple[int, ...]]
    parse_s: float
    built: bool | None = None  # None: not asked to build
    build_errors: list[str] = field(default_factory=list)
    engine_bytes: int = 0
    build_s: float = 0.0

    @property
    def parsed(self) -> bool:
        return not self.parse_errors


# Every check made in this process, in order (printed in pytest's terminal summary).
CHECKS: list[GraphCheck] = []


def import_tensorrt_rtx() -> ModuleType:
    import tensorrt_rtx

    return tensorrt_rtx


def check_graph(onnx: Path, name: str, *, build: bool, max_batch: int) -> GraphCheck:
    """Parse `onnx`; when `build`, build it for COMPUTE_CAPABILITY with batch 1..max_batch."""
    trt = import_tensorrt_rtx()
    logger = _error_logger(trt)
    builder = trt.Builder(logger)
    network = builder.create_network(0)  # RTX networks are always strongly typed
    parser = trt.OnnxParser(network, logger)
    start = time.perf_counter()
    ok = parser.parse_from_file(os.fspath(onnx))
    parse_s = time.perf_counter() - start
    errors = [str(parser.get_error(i)) for i in range(parser.num_errors)]
    if not ok and not errors:
        errors = ["parse_from_file returned False without an error"]
    check = GraphCheck(
        name=name,
        parse_errors=errors,
        inputs=_tensors(network.num_inputs, network.get_input),
        outputs=_tensors(network.num_outputs, network.get_output),
        parse_s=parse_s,
    )
    if build and check.parsed:
        config = builder.create_builder_config()
        config.num_compute_capabilities = 1
        config.set_compute_capability(getattr(trt.ComputeCapability, COMPUTE_CAPABILITY), 0)
        dynamic = {n: s for n, s in check.inputs.items() if -1 in s}
        if dynamic:
            profile = builder.create_optimization_profile()
            for n, s in dynamic.items():
                lo = tuple(1 if d == -1 else d for d in s)
                hi = tuple(max_batch if d == -1 else d for d in s)
                profile.set_shape(n, lo, hi, hi)
            config.add_optimization_profile(profile)
        logger.errors.clear()
        start = time.perf_counter()
        serialized = builder.build_serialized_network(network, config)
        check.build_s = time.perf_counter() - start
        check.built = serialized is not None
        check.engine_bytes = serialized.nbytes if serialized is not None else 0
        check.build_errors = list(logger.errors)
    CHECKS.append(check)
    return check


class _Tensor(Protocol):
    name: str
    shape: Iterable[int]


def _tensors(count: int, get: Callable[[int], _Tensor]) -> dict[str, tuple[int, ...]]:
    tensors = (get(i) for i in range(count))
    return {t.name: tuple(t.shape) for t in tensors}


class _ErrorLogger(Protocol):
    errors: list[str]


def _error_logger(trt: ModuleType) -> _ErrorLogger:
    """A logger that keeps errors (to assert on) and drops the rest."""
    severity = trt.ILogger.Severity

    class Errors(trt.ILogger):  # type: ignore[name-defined]  # a class of the runtime module
        def __init__(self) -> None:
            trt.ILogger.__init__(self)
            self.errors: list[str] = []

        def log(self, level: object, msg: str) -> None:
            if level in (severity.INTERNAL_ERROR, severity.ERROR):
                self.errors.append(msg)

    return Errors()


def summary_lines() -> list[str]:
    """The checks as a table: parse and build seconds per graph."""
    if not CHECKS:
        return []
    version = getattr(import_tensorrt_rtx(), "__version__", "?")
    lines = [
        f"TensorRT-RTX {version} (not TensorRT 10), no GPU, engines for {COMPUTE_CAPABILITY}:",
        f"  {'graph':<34} {'parse s':>8} {'build s':>8}  result",
    ]
    for c in CHECKS:
        if c.built is None:
            result = "parsed" if c.parsed else "PARSE FAILED"
        elif c.built:
            result = f"built ({c.engine_bytes / 1e6:.1f} MB)"
        else:
            result = "build failed: " + (_short(c.build_errors[0]) if c.build_errors else "?")
        build_s = f"{c.build_s:8.2f}" if c.built is not None else f"{'-':>8}"
        lines.append(f"  {c.name:<34} {c.parse_s:8.2f} {build_s}  {result}")
    return lines


def _short(message: str) -> str:
    """TensorRT's error without its source location: "/NonMaxSuppression_217 has no runners..."."""
    m = re.search(r"failed\. (.*?)(?: In |$)", message)
    return (m.group(1) if m else re.sub(r"^\[[^\]]*\]\s*", "", message))[:70]
