"""ONNX -> TensorRT engine, by the first way available here.

1. the `tensorrt` Python package: build with its API (`trt_build`);
2. `trtexec` on PATH: run it (`trtexec`);
3. neither: nothing is built; nvinfer builds the same file at first start (it is named exactly as
   nvinfer names it, so it is built once and loaded afterwards).

Which flags a build uses comes from what that TensorRT offers (`trt_features`): 8.5/8.6/10.x build
with FP16/INT8 builder flags as nvinfer does; a TensorRT with no precision flags (11) builds a
strongly typed network, FP16 from an FP16 copy of the ONNX (`fp16_onnx`), and refuses INT8 with a
message that says what to install. With a target DeepStream, a TensorRT whose engines that
release cannot load is refused before anything is built.

Never an Ultralytics `.engine`: those start with a JSON metadata block that nvinfer and trtexec
cannot deserialize. The engine here is TensorRT's serialized network, nothing before it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from alpr_gen.deepstream.versions import RELEASES, version_key
from alpr_gen.errors import ExportError
from alpr_gen.export.cache import EngineKey, is_cached, write_stamp
from alpr_gen.export.request import EngineOutcome
from alpr_gen.export.trt_features import (
    PIP_TENSORRT_10,
    TensorRTFeatures,
    module_features,
    plan_build,
    target_mismatch,
    trtexec_features,
)
from alpr_gen.export.trtexec import (
    INPUT_NAME,
    build_with_trtexec,
    find_trtexec,
    trtexec_argv,
    trtexec_help,
)
from alpr_gen.fsutil import default_mode

__all__ = [
    "INPUT_NAME",
    "EngineSpec",
    "build_engine",
    "choose_builder",
    "find_trtexec",
    "tensorrt_available",
]


@dataclass(frozen=True)
class EngineSpec:
    onnx: Path
    engine: Path  # the exact file nvinfer's model-engine-file names
    batch: int
    dynamic: bool
    imgsz: int
    precision: str  # fp32 | fp16 | int8
    workspace_mb: int
    gpu_id: int
    calib_cache: Path | None = None  # int8: read if present, written by calibration
    deepstream: str | None = None  # target release: its TensorRT must be the one building


def choose_builder(has_tensorrt: bool, trtexec: str | None) -> str:
    """ "tensorrt", "trtexec" or "nvinfer" (build deferred to nvinfer's first start)."""
    if has_tensorrt:
        return "tensorrt"
    if trtexec:
        return "trtexec"
    return "nvinfer"


def tensorrt_available() -> bool:
    if sys.modules.get("tensorrt") is not None:
        return True
    try:
        return importlib.util.find_spec("tensorrt") is not None
    except (ImportError, ValueError):
        return False


def gpu_name(gpu_id: int) -> str:
    """A name that changes when the GPU model changes (part of the cache key)."""
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run(
                [smi, "--query-gpu=name", "--format=csv,noheader", f"--id={gpu_id}"],
                capture_output=True,
                text=True,
                timeout=20,
                check=True,
            ).stdout.strip()
            if out:
                return out
        except (OSError, subprocess.SubprocessError):
            pass
    model = Path("/proc/device-tree/model")  # Jetson
    if model.is_file():
        return model.read_text(errors="replace").strip("\x00\n ")
    return "unknown-gpu"


def nvinfer_first_start_message(spec: EngineSpec) -> str:
    return (
        f"No TensorRT here (neither the tensorrt Python package nor trtexec): no engine built. "
        f"nvinfer will build {spec.engine.name} from {spec.onnx.name} at the pipeline's first "
        f"start and save it under that name, so later starts load it. Expect roughly 2-10 "
        f"minutes on a Jetson (longer with int8) and 1-3 minutes on a discrete GPU for YOLO11n; "
        f"run `alpr-gen export` on the target to build it ahead of time."
    )


def build_engine(
    spec: EngineSpec,
    onnx_sha256: str,
    *,
    calibrate: Callable[[], object] | None = None,
    calib_id: str = "",
) -> EngineOutcome:
    """Build (or find cached) the engine for `spec`. `calibrate()` returns an int8 calibrator."""
    trtexec = find_trtexec()
    builder = choose_builder(tensorrt_available(), trtexec)
    if builder == "nvinfer":
        message = nvinfer_first_start_message(spec)
        if spec.precision == "int8" and not (spec.calib_cache and spec.calib_cache.is_file()):
            message += (
                f" For int8 nvinfer also needs the calibration cache {spec.calib_cache}, which "
                "only a machine with the tensorrt Python package can make (export there with "
                "--calib-images), or export fp16."
            )
        return EngineOutcome("deferred", spec.engine, message)
    trt: ModuleType | None = None
    if builder == "tensorrt":
        trt = _import_tensorrt()
        features = module_features(trt)
        what, version = "the tensorrt Python package", features.version
    else:
        exe = trtexec or "trtexec"
        features = trtexec_features(trtexec_help(exe))
        what, version = f"trtexec ({exe})", f"trtexec {features.version}"
    if spec.deepstream is not None:
        mismatch = target_mismatch(features.version, spec.deepstream)
        if mismatch is not None:
            raise mismatch
    plan = plan_build(features, spec.precision, spec.dynamic, what)
    if builder == "trtexec" and plan.int8 and not (spec.calib_cache and spec.calib_cache.is_file()):
        return EngineOutcome(
            "deferred",
            spec.engine,
            "int8 calibration needs the tensorrt Python package (trtexec only reads an "
            f"existing cache): no engine built. Calibrate on a machine with it, or copy the "
            f"cache to {spec.calib_cache}.",
        )
    key = EngineKey(
        onnx_sha256=onnx_sha256,
        tensorrt=version,
        gpu=gpu_name(spec.gpu_id),
        batch=spec.batch,
        precision=spec.precision,
        dynamic=spec.dynamic,
        # int8: the calibration data changes the engine (images for the API, cache for trtexec).
        calib_sha256=(calib_id or _sha_or_empty(spec.calib_cache))
        if spec.precision == "int8"
        else "",
    )
    if is_cached(spec.engine, key):
        return EngineOutcome("cached", spec.engine, f"{spec.engine.name} is up to date")
    start = time.perf_counter()
    tmp = spec.engine.with_name(f".{spec.engine.name}.building")
    fp16_copy = spec.engine.with_name(f".{spec.engine.name}.fp16.onnx")
    try:
        onnx = spec.onnx
        if plan.fp16_onnx:
            from alpr_gen.export.fp16_onnx import convert_to_fp16

            convert_to_fp16(spec.onnx, fp16_copy)
            onnx = fp16_copy
        if trt is not None:
            from alpr_gen.export.trt_build import build_with_tensorrt

            calibrator = calibrate() if plan.int8 and calibrate else None
            build_with_tensorrt(trt, spec, tmp, plan, features, onnx=onnx, calibrator=calibrator)
        else:
            argv = trtexec_argv(spec, tmp, plan, features, onnx=onnx, trtexec=trtexec or "trtexec")
            build_with_trtexec(argv, tmp, spec.engine.name)
        os.chmod(tmp, default_mode())
        tmp.replace(spec.engine)
    finally:
        tmp.unlink(missing_ok=True)
        fp16_copy.unlink(missing_ok=True)
    write_stamp(spec.engine, key)
    seconds = time.perf_counter() - start
    return EngineOutcome(
        f"built-{builder}",
        spec.engine,
        f"built {spec.engine.name} in {seconds:.0f} s with TensorRT {features.version} "
        f"({plan.describe()})" + _no_deepstream_note(features),
        seconds,
    )


def _no_deepstream_note(features: TensorRTFeatures) -> str:
    """Said when no DeepStream release runs this TensorRT's major version."""
    try:
        major = int(features.version.split(".")[0])
    except ValueError:
        return ""
    if major in {version_key(r.tensorrt)[0] for r in RELEASES.values()}:
        return ""
    return (
        f". Note: no DeepStream release runs TensorRT {major} yet, so nvinfer cannot load this "
        f"engine; {PIP_TENSORRT_10} installs one whose engines DeepStream loads"
    )


def _import_tensorrt() -> ModuleType:
    try:
        import tensorrt
    except ImportError as e:  # found but broken (missing libraries, wrong CUDA)
        raise ExportError(
            f"the tensorrt Python package is installed but cannot be imported: {e}",
            hint="reinstall the TensorRT your DeepStream ships, or export with --no-engine",
        ) from e
    return tensorrt


def _sha_or_empty(path: Path | None) -> str:
    from alpr_gen.fsutil import sha256_file

    return sha256_file(path) if path is not None and path.is_file() else ""
