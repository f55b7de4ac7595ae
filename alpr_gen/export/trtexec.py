"""Building an engine with `trtexec`: find it, read what it offers, and run it.

Its options are read from its own `--help` (see `trt_features.trtexec_features`): TensorRT 11's
trtexec has no --fp16, --int8 or --calib, and an argv that names them would fail.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from alpr_gen.errors import ExportError

if TYPE_CHECKING:
    from alpr_gen.export.engine import EngineSpec
    from alpr_gen.export.trt_features import BuildPlan, TensorRTFeatures

INPUT_NAME = "images"


def find_trtexec() -> str | None:
    # DeepStream images put it in /usr/src/tensorrt/bin, which is not on PATH by default.
    return shutil.which("trtexec") or shutil.which("trtexec", path="/usr/src/tensorrt/bin")


def trtexec_help(trtexec: str) -> str:
    """`trtexec --help` (stdout and stderr), or "" when it cannot be run."""
    try:
        out = subprocess.run([trtexec, "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout + out.stderr


def trtexec_argv(
    spec: EngineSpec,
    output: Path,
    plan: BuildPlan,
    features: TensorRTFeatures,
    *,
    onnx: Path | None = None,
    trtexec: str = "trtexec",
) -> list[str]:
    """The trtexec command that builds `spec` into `output` following `plan`.

    `onnx` replaces `spec.onnx` (the FP16 copy of a strongly typed build).
    """
    argv = [
        trtexec,
        f"--onnx={onnx or spec.onnx}",
        f"--saveEngine={output}",
        f"--memPoolSize=workspace:{spec.workspace_mb}M",
        f"--device={spec.gpu_id}",
    ]
    if spec.dynamic:
        shape = f"3x{spec.imgsz}x{spec.imgsz}"
        argv += [
            f"--minShapes={INPUT_NAME}:1x{shape}",
            f"--optShapes={INPUT_NAME}:{spec.batch}x{shape}",
            f"--maxShapes={INPUT_NAME}:{spec.batch}x{shape}",
        ]
    if plan.strongly_typed and features.strongly_typed_flag:
        argv.append("--stronglyTyped")
    if plan.fp16_flag:
        argv.append("--fp16")
    if plan.int8:
        if spec.calib_cache is None:
            raise ValueError("int8 with trtexec needs a calibration cache")
        argv += ["--int8", f"--calib={spec.calib_cache}"]
    # Build only: one short inference run checks the engine loads, nothing more.
    argv += ["--warmUp=0", "--duration=0", "--iterations=1"]
    return argv


def build_with_trtexec(argv: list[str], output: Path, engine_name: str) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0 or not output.is_file():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise ExportError(
            f"trtexec failed (exit {proc.returncode}) building {engine_name}:\n{tail}",
            hint="command: " + " ".join(argv),
        )
