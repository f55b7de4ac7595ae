"""Building an engine with TensorRT's Python API, following a `BuildPlan`.

Runs where the `tensorrt` module is (a DeepStream machine). Only names the plan says exist are
touched, so a TensorRT without FP16/INT8 builder flags (11) never meets `BuilderFlag.FP16`.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

from alpr_gen.errors import ExportError
from alpr_gen.export.trtexec import INPUT_NAME

if TYPE_CHECKING:
    from alpr_gen.export.engine import EngineSpec
    from alpr_gen.export.trt_features import BuildPlan, TensorRTFeatures


class RecordingLogger(Protocol):
    messages: list[str]


def make_logger(trt: ModuleType) -> RecordingLogger:
    """A TensorRT logger that keeps warnings and errors (for the message when a build fails)."""
    severity = trt.ILogger.Severity
    kept = {severity.INTERNAL_ERROR: "error", severity.ERROR: "error", severity.WARNING: "warning"}

    class Recorder(trt.ILogger):  # type: ignore[name-defined]  # a class of the runtime module
        def __init__(self) -> None:
            trt.ILogger.__init__(self)
            self.messages: list[str] = []

        def log(self, level: object, msg: str) -> None:
            kind = kept.get(level)
            if kind:
                self.messages.append(f"{kind}: {msg}")

    return Recorder()


def build_with_tensorrt(
    trt: ModuleType,
    spec: EngineSpec,
    output: Path,
    plan: BuildPlan,
    features: TensorRTFeatures,
    *,
    onnx: Path,
    calibrator: object | None,
) -> None:
    """Parse `onnx` and build it into `output` as `plan` says."""
    _select_gpu(spec.gpu_id)
    logger = make_logger(trt)
    builder = trt.Builder(logger)
    creation = 0
    if features.explicit_batch_flag:
        creation |= 1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH)
    if plan.strongly_typed and features.strongly_typed_flag:
        creation |= 1 << int(trt.NetworkDefinitionCreationFlag.STRONGLY_TYPED)
    network = builder.create_network(creation)
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(str(onnx)):
        errors = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
        raise ExportError(f"TensorRT {features.version} cannot parse {spec.onnx.name}: {errors}")
    config = builder.create_builder_config()
    config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, spec.workspace_mb << 20)
    if spec.dynamic:
        profile = builder.create_optimization_profile()
        chw = (3, spec.imgsz, spec.imgsz)
        profile.set_shape(INPUT_NAME, (1, *chw), (spec.batch, *chw), (spec.batch, *chw))
        config.add_optimization_profile(profile)
        if plan.int8:
            # Calibration runs at the profile's opt shape: the full batch the feeder yields.
            config.set_calibration_profile(profile)
    if plan.fp16_flag:
        config.set_flag(trt.BuilderFlag.FP16)
    if plan.int8:
        config.set_flag(trt.BuilderFlag.INT8)
        config.int8_calibrator = calibrator
    serialized = builder.build_serialized_network(network, config)
    if serialized is None:
        said = [m for m in logger.messages if m.startswith("error")][-5:]
        raise ExportError(
            f"TensorRT {features.version} could not build {spec.engine.name} ({plan.describe()})"
            + ("".join(f"\n  {m}" for m in said)),
            hint="rerun with --debug; a larger --workspace helps when tactics run out of memory",
        )
    with output.open("wb") as f:
        f.write(memoryview(serialized))


def _select_gpu(gpu_id: int) -> None:
    try:
        import torch
    except ImportError:
        return
    if torch.cuda.is_available():
        torch.cuda.set_device(gpu_id)
