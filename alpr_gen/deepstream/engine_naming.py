"""The TensorRT engine file name nvinfer builds, and its inverse.

nvinfer writes the engine it builds from `onnx-file=X` to `X_b<batch>_gpu<id>_<mode>.engine`
(next to X). A `model-engine-file` naming exactly that file is loaded; anything else, or an
engine with a smaller batch than requested, makes nvinfer rebuild the engine at every start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from alpr_gen.deepstream.facts import NETWORK_MODE

PRECISIONS = tuple(NETWORK_MODE)

_ENGINE_RE = re.compile(
    r"^(?P<model>.+)_b(?P<batch>\d+)_gpu(?P<gpu>\d+)_(?P<prec>fp32|int8|fp16)\.engine$"
)


@dataclass(frozen=True)
class EngineName:
    model: str  # the onnx-file path as written in the config (or the model stem)
    batch: int
    gpu_id: int
    precision: str


def engine_name(model: str, batch: int, gpu_id: int, precision: str) -> str:
    """`model.onnx`, 4, 0, "fp16" -> `model.onnx_b4_gpu0_fp16.engine`."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    if batch < 1 or gpu_id < 0:
        raise ValueError("batch must be >= 1 and gpu_id >= 0")
    return f"{model}_b{batch}_gpu{gpu_id}_{precision}.engine"


def parse_engine_name(name: str) -> EngineName | None:
    """The inverse of `engine_name`; None when `name` is not in nvinfer's form."""
    m = _ENGINE_RE.match(name)
    if not m:
        return None
    return EngineName(m["model"], int(m["batch"]), int(m["gpu"]), m["prec"])
