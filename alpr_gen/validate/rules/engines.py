"""DS3xx across files, engines: the name nvinfer builds, batch, precision, INT8 calibration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from alpr_gen.configset import ConfigSet, Gie, PathRef
from alpr_gen.deepstream.engine_naming import engine_name, parse_engine_name
from alpr_gen.deepstream.facts import PRECISION_OF_MODE
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, int_or_none, rule, setting_location

E, W = Severity.ERROR, Severity.WARNING


def _ref(cs: ConfigSet, gie: Gie, key: str) -> PathRef | None:
    """The effective PathRef of a GIE key (the app group overrides the nvinfer file)."""
    for ref in cs.refs:
        if ref.owner is cs.app and ref.group == gie.group.name and ref.key == key:
            return ref
    for ref in cs.refs:
        if gie.config is not None and ref.owner is gie.config and ref.key == key:
            return ref
    return None


def _precision(gie: Gie) -> str | None:
    """The engine precision network-mode asks for (nvinfer's default 0 is FP32); None where GLib
    cannot read the value."""
    mode = 0 if gie.value("network-mode") is None else gie.int_value("network-mode")
    return PRECISION_OF_MODE.get(mode) if mode is not None else None


def _engine_check(cs: ConfigSet, gie: Gie) -> tuple[PathRef, PathRef, str] | None:
    engine, onnx = _ref(cs, gie, "model-engine-file"), _ref(cs, gie, "onnx-file")
    if engine is None or onnx is None:
        return None
    precision = _precision(gie)
    batch = int_or_none(gie.value("batch-size")) or 1
    gpu = int_or_none(gie.value("gpu-id")) or 0
    if precision is None or batch < 1 or gpu < 0:
        return None
    if gie.value("engine-create-func-name"):
        return None  # custom builder: named model_b<N>_gpu<id>_<mode>.engine in the cwd
    return engine, onnx, engine_name(onnx.logical.as_posix(), batch, gpu, precision)


@rule("DS309", E, "model-engine-file is not the name nvinfer builds (rebuilt every start)")
def engine_name_mismatch(cs: ConfigSet) -> Iterator[Hit]:
    for gie in cs.enabled_gies:
        checked = _engine_check(cs, gie)
        if checked is None:
            continue
        engine, onnx, expected = checked
        if not engine.exists and engine.logical.as_posix() != expected:
            want = Path(expected).name
            yield hit(
                engine.owner,
                engine.line,
                engine.group,
                "model-engine-file",
                f"{engine.value} does not exist and is not the name nvinfer saves the "
                f"engine it builds from {onnx.value} under, so it is rebuilt at every "
                f"start: name it {want} (next to the ONNX)",
            )


@rule("DS310", E, "engine batch smaller than the requested batch (rebuilt every start)")
def engine_batch(cs: ConfigSet) -> Iterator[Hit]:
    for gie in cs.enabled_gies:
        engine = _ref(cs, gie, "model-engine-file")
        parsed = parse_engine_name(engine.logical.name) if engine else None
        batch = int_or_none(gie.value("batch-size")) or 1
        if engine is not None and engine.exists and parsed and parsed.batch < batch:
            yield hit(
                engine.owner,
                engine.line,
                engine.group,
                "model-engine-file",
                f"{engine.value} was built for batch {parsed.batch} but batch-size="
                f"{batch}: nvinfer rebuilds it at every start; rebuild it for {batch}",
            )


@rule("DS311", W, "existing engine's name disagrees with gpu-id or network-mode")
def engine_mode(cs: ConfigSet) -> Iterator[Hit]:
    for gie in cs.enabled_gies:
        engine = _ref(cs, gie, "model-engine-file")
        parsed = parse_engine_name(engine.logical.name) if engine else None
        if engine is None or not engine.exists or parsed is None:
            continue
        precision = _precision(gie)
        gpu = int_or_none(gie.value("gpu-id")) or 0
        if precision and parsed.precision != precision:
            yield hit(
                engine.owner,
                engine.line,
                engine.group,
                "model-engine-file",
                f"{engine.value} is a {parsed.precision} engine but network-mode asks for "
                f"{precision}: the engine's precision wins; make them agree",
            )
        if parsed.gpu_id != gpu:
            yield hit(
                engine.owner,
                engine.line,
                engine.group,
                "model-engine-file",
                f"{engine.value} was built on GPU {parsed.gpu_id} but gpu-id={gpu}",
            )


@rule("DS312", E, "INT8 without int8-calib-file and without a built engine")
def int8_calib(cs: ConfigSet) -> Iterator[Hit]:
    for gie in cs.enabled_gies:
        if gie.int_value("network-mode") != 1 or gie.value("int8-calib-file"):
            continue
        engine = _ref(cs, gie, "model-engine-file")
        if engine is not None and engine.exists:
            continue
        src, line, group = setting_location(cs, gie, "network-mode")
        yield hit(
            src,
            line,
            group,
            "network-mode",
            "network-mode=1 (INT8) needs int8-calib-file to build the engine: add it, "
            "or deploy a prebuilt INT8 engine",
        )
