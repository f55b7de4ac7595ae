"""What the TensorRT here can do, found by feature, and the build that follows from it.

TensorRT's API moved under alpr-gen's feet twice:

- 8.5/8.6 need the EXPLICIT_BATCH network flag (implicit batch still exists there);
- 10.x drops implicit batch (the flag is a no-op), keeps FP16/INT8 builder flags and the INT8
  calibrator (deprecated since 10.1), and adds strongly typed networks;
- 11 removes BuilderFlag.FP16/INT8, `int8_calibrator` and `set_calibration_profile`: networks are
  strongly typed and precision comes from the ONNX itself (trtexec loses --fp16/--int8/--calib).

So the features are read from the module (hasattr on the real classes) and from trtexec's --help,
never guessed from a version string alone. `plan_build` turns them and the precision asked for
into one plan, or an ExportError that says what to install: never an AttributeError later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType

from alpr_gen.deepstream.versions import RELEASES, version_key
from alpr_gen.errors import ExportError

# What `pip install` brings a TensorRT that DeepStream's own releases use (none ships 11 yet).
SUPPORTED_TENSORRT = "8.5, 8.6 and 10.x"
PIP_TENSORRT_10 = "pip install 'tensorrt>=10,<11'"


@dataclass(frozen=True)
class TensorRTFeatures:
    """What one TensorRT (Python module or trtexec) offers for building alpr-gen's engines."""

    version: str
    explicit_batch_flag: bool  # needs NetworkDefinitionCreationFlag.EXPLICIT_BATCH (< 10)
    strongly_typed_flag: bool  # NetworkDefinitionCreationFlag.STRONGLY_TYPED / --stronglyTyped
    fp16_flag: bool  # BuilderFlag.FP16 / --fp16
    int8_calibration: bool  # BuilderFlag.INT8 + an entropy calibrator / --int8 --calib
    calibration_profile: bool  # IBuilderConfig.set_calibration_profile (dynamic-shape INT8)


def module_features(trt: ModuleType) -> TensorRTFeatures:
    """Read the features off a `tensorrt` module (or anything shaped like one)."""
    creation = getattr(trt, "NetworkDefinitionCreationFlag", None)
    builder_flag = getattr(trt, "BuilderFlag", None)
    config = getattr(trt, "IBuilderConfig", None)
    builder = getattr(trt, "Builder", None)
    return TensorRTFeatures(
        version=str(getattr(trt, "__version__", "unknown")),
        # Implicit batch (Builder.max_batch_size) exists only before 10: there a network is
        # explicit-batch only when asked for.
        explicit_batch_flag=hasattr(creation, "EXPLICIT_BATCH")
        and hasattr(builder, "max_batch_size"),
        strongly_typed_flag=hasattr(creation, "STRONGLY_TYPED"),
        fp16_flag=hasattr(builder_flag, "FP16"),
        int8_calibration=hasattr(builder_flag, "INT8")
        and hasattr(config, "int8_calibrator")
        and hasattr(trt, "IInt8EntropyCalibrator2"),
        calibration_profile=hasattr(config, "set_calibration_profile"),
    )


_TRTEXEC_VERSION = re.compile(r"\[TensorRT v(\d+)\]")


def parse_trtexec_version(text: str) -> str | None:
    """ "[TensorRT v8503]" -> "8.5.3"; "[TensorRT v100300]" -> "10.3.0"; v110400 -> "11.4.0"."""
    m = _TRTEXEC_VERSION.search(text)
    if not m:
        return None
    code = m.group(1)
    if len(code) == 4:  # 8503: one digit major, one minor, two patch
        return f"{code[0]}.{code[1]}.{int(code[2:])}"
    if len(code) == 6:  # 100300: two digits each
        return f"{int(code[0:2])}.{int(code[2:4])}.{int(code[4:])}"
    return code


def trtexec_features(help_text: str) -> TensorRTFeatures:
    """Read the features off `trtexec --help` (its banner names the version)."""

    def has(option: str) -> bool:
        return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_text) is not None

    return TensorRTFeatures(
        version=parse_trtexec_version(help_text) or "unknown",
        explicit_batch_flag=False,  # trtexec builds ONNX with explicit batch by itself
        strongly_typed_flag=has("--stronglyTyped"),
        fp16_flag=has("--fp16"),
        int8_calibration=has("--int8") and has("--calib"),
        calibration_profile=has("--int8"),  # trtexec calibrates on its own shapes
    )


@dataclass(frozen=True)
class BuildPlan:
    """How to build: which flags, and whether the ONNX is first converted to FP16."""

    strongly_typed: bool  # network created STRONGLY_TYPED (precision from the ONNX)
    fp16_onnx: bool  # build from an FP16 copy of the ONNX (strongly typed fp16)
    fp16_flag: bool  # BuilderFlag.FP16 / --fp16 (weakly typed fp16)
    int8: bool  # BuilderFlag.INT8 with the entropy calibrator / --int8 --calib

    def describe(self) -> str:
        if self.strongly_typed:
            return "strongly typed, " + (
                "FP16 from an FP16 copy of the ONNX" if self.fp16_onnx else "FP32"
            )
        return {(False, False): "FP32", (True, False): "FP16"}.get(
            (self.fp16_flag, self.int8), "INT8"
        )


def plan_build(features: TensorRTFeatures, precision: str, dynamic: bool, what: str) -> BuildPlan:
    """The build for `precision` with this TensorRT, or an ExportError saying what to install.

    `what` names the TensorRT in messages ("the tensorrt Python package", "trtexec").
    """
    weak = features.fp16_flag  # builder precision flags exist: TensorRT 8.5 .. 10.x
    if precision == "int8":
        if not features.int8_calibration:
            raise ExportError(
                f"{what} is TensorRT {features.version}, which has no INT8 calibration "
                "(no INT8 builder flag or calibrator: TensorRT 11 builds only strongly typed "
                "networks, whose INT8 comes from Q/DQ nodes in the ONNX, which alpr-gen does "
                "not write)",
                hint=f"install a TensorRT DeepStream uses ({SUPPORTED_TENSORRT}): "
                f"{PIP_TENSORRT_10}; or export --precision fp16",
            )
        if dynamic and not features.calibration_profile:
            raise ExportError(
                f"{what} is TensorRT {features.version}: INT8 calibration of a dynamic-batch "
                "engine needs a calibration profile, which it does not offer",
                hint=f"{PIP_TENSORRT_10}; or export without --dynamic",
            )
        return BuildPlan(strongly_typed=False, fp16_onnx=False, fp16_flag=False, int8=True)
    if weak:
        return BuildPlan(
            strongly_typed=False, fp16_onnx=False, fp16_flag=precision == "fp16", int8=False
        )
    # No precision flags: strongly typed is the only way (TensorRT 11). Where the network flag
    # still exists it is set; where it is gone every network is strongly typed anyway.
    return BuildPlan(
        strongly_typed=True, fp16_onnx=precision == "fp16", fp16_flag=False, int8=False
    )


def target_mismatch(version: str, deepstream: str) -> ExportError | None:
    """An error when an engine built by TensorRT `version` cannot load in DeepStream `deepstream`.

    Engines load only in the TensorRT that built them: nvinfer would reject the file and rebuild
    it at first start. The releases table gives major.minor ("10.3") or only the major ("10").
    """
    release = RELEASES.get(deepstream)
    if release is None or version in ("", "unknown"):
        return None
    want = version_key(release.tensorrt)
    try:
        have = tuple(int(p) for p in version.split(".")[: len(want)])
    except ValueError:
        return None
    if have == want:
        return None
    return ExportError(
        f"TensorRT {version} is installed here, but DeepStream {deepstream} runs TensorRT "
        f"{release.tensorrt}.x: an engine built here would not load in nvinfer (engines load "
        f"only in the TensorRT that built them)",
        hint=f"install the TensorRT DeepStream {deepstream} ships: {pip_install_for(deepstream)} "
        "(on Jetson it comes with JetPack); or export with --no-engine and let nvinfer build "
        "the engine at the pipeline's first start",
    )


def pip_install_for(deepstream: str) -> str:
    """The pip command that installs the TensorRT a DeepStream release runs."""
    release = RELEASES[deepstream]
    parts = version_key(release.tensorrt)
    if parts[0] < 10:  # 8.x: the `tensorrt` package itself carries the libraries
        return f"pip install 'tensorrt=={release.tensorrt}.*'"
    package = f"tensorrt-cu{release.cuda.split('.')[0]}"
    if len(parts) == 1:
        return f"pip install '{package}>={parts[0]},<{parts[0] + 1}'"
    return f"pip install '{package}=={release.tensorrt}.*'"
