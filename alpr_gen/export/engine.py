"""ONNX -> TensorRT engine, by the first way available here.

1. the `tensorrt` Python package: build with its API;
2. `trtexec` on PATH: run it (argv from `trtexec_argv`, a pure function);
3. neither: nothing is built; nvinfer builds the same file at first start (it is named exactly as
   nvinfer names it, so it is built once and loaded afterwards).

Never an Ultralytics `.engine`: those start with a JSON metadata block that nvinfer and trtexec
cannot deserialize. The engine here is TensorRT's serialized network, nothing before it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alpr_gen.errors import ExportError
from alpr_gen.export.cache import EngineKey, default_mode, is_cached, write_stamp
from alpr_gen.export.request import EngineOutcome

INPUT_NAME = "images"


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


def choose_builder(has_tensorrt: bool, trtexec: str | None) -> str:
    """ "tensorrt", "trtexec" or "nvinfer" (build deferred to nvinfer's first start)."""
    if has_tensorrt:
        return "tensorrt"
    if trtexec:
        return "trtexec"
    return "nvinfer"


def tensorrt_available() -> bool:
    return importlib.util.find_spec("tensorrt") is not None


def find_trtexec() -> str | None:
    # DeepStream images put it in /usr/src/tensorrt/bin, which is not on PATH by default.
    return shutil.which("trtexec") or shutil.which("trtexec", path="/usr/src/tensorrt/bin")


def trtexec_argv(spec: EngineSpec, output: Path, trtexec: str = "trtexec") -> list[str]:
    """The trtexec command that builds `spec` into `output` (TensorRT >= 8.5 flags)."""
    argv = [
        trtexec,
        f"--onnx={spec.onnx}",
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
    if spec.precision == "fp16":
        argv.append("--fp16")
    elif spec.precision == "int8":
        if spec.calib_cache is None:
            raise ValueError("int8 with trtexec needs a calibration cache")
        argv += ["--int8", f"--calib={spec.calib_cache}"]
    # Build only: one short inference run checks the engine loads, nothing more.
    argv += ["--warmUp=0", "--duration=0", "--iterations=1"]
    return argv


_TRTEXEC_VERSION = re.compile(r"TensorRT(?:\.trtexec)?\s*\[?TensorRT v(\d+)\]?")


def parse_trtexec_version(text: str) -> str | None:
    """ "[TensorRT v8503]" -> "8.5.3"; "v100300" -> "10.3.0"."""
    m = _TRTEXEC_VERSION.search(text)
    if not m:
        return None
    code = m.group(1)
    if len(code) == 4:  # 8503
        return f"{code[0]}.{code[1]}.{int(code[2:])}"
    if len(code) == 6:  # 100300
        return f"{int(code[0:2])}.{int(code[2:4])}.{int(code[4:])}"
    return code


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
    builder = choose_builder(tensorrt_available(), find_trtexec())
    if builder == "nvinfer":
        message = nvinfer_first_start_message(spec)
        if spec.precision == "int8" and not (spec.calib_cache and spec.calib_cache.is_file()):
            message += (
                f" For int8 nvinfer also needs the calibration cache {spec.calib_cache}, which "
                "only a machine with the tensorrt Python package can make (export there with "
                "--calib-images), or export fp16."
            )
        return EngineOutcome("deferred", spec.engine, message)
    if builder == "tensorrt":
        import tensorrt as trt

        version = str(trt.__version__)
    else:
        version = "trtexec " + (_trtexec_version(find_trtexec() or "trtexec") or "unknown")
        if spec.precision == "int8" and (
            spec.calib_cache is None or not spec.calib_cache.is_file()
        ):
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
    try:
        if builder == "tensorrt":
            calibrator = calibrate() if spec.precision == "int8" and calibrate else None
            _build_with_tensorrt(spec, tmp, calibrator)
        else:
            _build_with_trtexec(spec, tmp)
        os.chmod(tmp, default_mode())
        tmp.replace(spec.engine)
    finally:
        tmp.unlink(missing_ok=True)
    write_stamp(spec.engine, key)
    seconds = time.perf_counter() - start
    return EngineOutcome(
        f"built-{builder}", spec.engine, f"built {spec.engine.name} in {seconds:.0f} s", seconds
    )


def _sha_or_empty(path: Path | None) -> str:
    from alpr_gen.export.sidecar import sha256_file

    return sha256_file(path) if path is not None and path.is_file() else ""


def _trtexec_version(trtexec: str) -> str | None:
    try:
        out = subprocess.run([trtexec, "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_trtexec_version(out.stdout + out.stderr)


def _build_with_trtexec(spec: EngineSpec, output: Path) -> None:
    argv = trtexec_argv(spec, output, find_trtexec() or "trtexec")
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0 or not output.is_file():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise ExportError(
            f"trtexec failed (exit {proc.returncode}) building {spec.engine.name}:\n{tail}",
            hint="command: " + " ".join(argv),
        )


def _build_with_tensorrt(spec: EngineSpec, output: Path, calibrator: object | None) -> None:
    """TensorRT's Python API. Runs only where TensorRT and a GPU are (not in CI)."""
    import tensorrt as trt

    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.set_device(spec.gpu_id)
    except ImportError:
        pass
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    major = int(str(trt.__version__).split(".")[0])
    flags = 0 if major >= 10 else 1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH)
    network = builder.create_network(flags)
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(str(spec.onnx)):
        errors = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
        raise ExportError(f"TensorRT {trt.__version__} cannot parse {spec.onnx.name}: {errors}")
    config = builder.create_builder_config()
    config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, spec.workspace_mb << 20)
    if spec.dynamic:
        profile = builder.create_optimization_profile()
        chw = (3, spec.imgsz, spec.imgsz)
        profile.set_shape(INPUT_NAME, (1, *chw), (spec.batch, *chw), (spec.batch, *chw))
        config.add_optimization_profile(profile)
        if spec.precision == "int8":
            config.set_calibration_profile(profile)
    if spec.precision == "fp16":
        config.set_flag(trt.BuilderFlag.FP16)
    elif spec.precision == "int8":
        config.set_flag(trt.BuilderFlag.INT8)
        config.int8_calibrator = calibrator
    serialized = builder.build_serialized_network(network, config)
    if serialized is None:
        raise ExportError(
            f"TensorRT {trt.__version__} could not build {spec.engine.name}",
            hint="rerun with --debug; a larger --workspace helps when tactics run out of memory",
        )
    with output.open("wb") as f:
        f.write(memoryview(serialized))
