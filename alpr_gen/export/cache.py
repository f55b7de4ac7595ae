"""The engine cache: a stamp file next to each engine says what it was built from.

A TensorRT engine is valid only for the ONNX it came from, the exact TensorRT version and the GPU
model it was built on, its batch and its precision. The stamp `<engine>.stamp.json` records that
key; an export whose key matches an existing engine and stamp does nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from alpr_gen.fsutil import read_bounded, write_text_atomic


@dataclass(frozen=True)
class EngineKey:
    onnx_sha256: str
    tensorrt: str  # TensorRT version ("10.3.0"); "trtexec:<version line>" on the trtexec path
    gpu: str  # GPU name, e.g. "Orin (nvgpu)" or "NVIDIA A2"
    batch: int
    precision: str
    # What else changes the engine's bytes: workspace does not change results but dynamic does.
    dynamic: bool = False
    calib_sha256: str = ""

    def digest(self) -> str:
        blob = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def stamp_path(engine: Path) -> Path:
    return engine.with_name(engine.name + ".stamp.json")


def is_cached(engine: Path, key: EngineKey) -> bool:
    """True when `engine` exists and its stamp records exactly `key`."""
    if not engine.is_file() or engine.stat().st_size == 0:
        return False
    try:
        data = json.loads(read_bounded(stamp_path(engine), 1024 * 1024))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and data.get("key") == asdict(key)


def write_stamp(engine: Path, key: EngineKey) -> None:
    data = {"key": asdict(key), "digest": key.digest(), "engine": engine.name}
    write_text_atomic(stamp_path(engine), json.dumps(data, indent=2, sort_keys=True) + "\n")
