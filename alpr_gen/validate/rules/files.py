"""DS2xx: files and paths named by the set exist (after DeepStream's relative resolution)."""

from __future__ import annotations

from collections.abc import Iterator

from alpr_gen.validate.findings import Severity
from alpr_gen.validate.loader import ConfigSet, PathRef, in_deepstream
from alpr_gen.validate.rules import Hit, hit, rule
from alpr_gen.validate.schema import PathKind

_DEPLOY_HINT = {
    "onnx-file": "run `alpr-gen export --site NAME`",
    "model-engine-file": "run `alpr-gen export --site NAME` (or let nvinfer build it)",
    "int8-calib-file": "run `alpr-gen export --site NAME` with INT8 calibration",
    "custom-lib-path": "run `alpr-gen build-parser --site NAME`",
    "dictionary": "run `alpr-gen export-ocr --site NAME`",
}


def _missing(cs: ConfigSet, kind: PathKind) -> Iterator[PathRef]:
    for ref in cs.refs:
        if ref.kind is kind and not ref.exists:
            yield ref


def _onnx_beside(cs: ConfigSet, ref: PathRef) -> PathRef | None:
    """The existing onnx-file named in the same nvinfer file as an engine ref."""
    for other in cs.refs:
        if other.owner is ref.owner and other.key == "onnx-file" and other.exists:
            return other
    return None


@rule("DS201", Severity.ERROR, "config or labels file of the set missing")
def missing_config(cs: ConfigSet) -> Iterator[Hit]:
    for ref in _missing(cs, PathKind.CONFIG):
        yield hit(
            ref.owner,
            ref.line,
            ref.group,
            ref.key,
            f"{ref.key}={ref.value}: {ref.rel} does not exist (paths are relative to "
            f"{ref.owner.rel}'s directory)",
        )


@rule("DS202", Severity.WARNING, "model artifact not deployed yet")
def not_deployed(cs: ConfigSet) -> Iterator[Hit]:
    for ref in _missing(cs, PathKind.ARTIFACT):
        if ref.key == "model-engine-file" and _onnx_beside(cs, ref):
            continue  # DS203
        how = _DEPLOY_HINT.get(ref.key, "deploy it before starting deepstream-app")
        yield hit(
            ref.owner,
            ref.line,
            ref.group,
            ref.key,
            f"{ref.key}={ref.value}: {ref.rel} is not deployed yet: {how}",
        )


@rule("DS203", Severity.WARNING, "engine missing while its ONNX is there (built at first start)")
def engine_built_at_start(cs: ConfigSet) -> Iterator[Hit]:
    for ref in _missing(cs, PathKind.ARTIFACT):
        if ref.key == "model-engine-file" and (onnx := _onnx_beside(cs, ref)):
            yield hit(
                ref.owner,
                ref.line,
                ref.group,
                ref.key,
                f"{ref.rel} does not exist: nvinfer builds it from {onnx.rel} at first "
                "start (minutes on Jetson); build it ahead with `alpr-gen export`",
            )


@rule("DS204", Severity.WARNING, "directory that must exist on the device is missing")
def missing_dir(cs: ConfigSet) -> Iterator[Hit]:
    for ref in _missing(cs, PathKind.DIR):
        yield hit(
            ref.owner,
            ref.line,
            ref.group,
            ref.key,
            f"{ref.key}={ref.value}: directory {ref.rel} must exist when deepstream-app "
            "starts: create it on the device",
        )


@rule("DS205", Severity.ERROR, "file named by the set cannot be read")
def unreadable(cs: ConfigSet) -> Iterator[Hit]:
    for src in cs.files.values():
        if src.error:
            yield hit(src, 0, None, None, f"{src.rel} cannot be read: {src.error}")


@rule("DS206", Severity.WARNING, "library outside DeepStream's install dir missing")
def missing_system_lib(cs: ConfigSet) -> Iterator[Hit]:
    for ref in _missing(cs, PathKind.SYSTEM):
        if not in_deepstream(ref.logical):
            yield hit(
                ref.owner,
                ref.line,
                ref.group,
                ref.key,
                f"{ref.key}={ref.value}: {ref.rel} does not exist; DeepStream's own "
                "libraries live in /opt/nvidia/deepstream/deepstream/lib/",
            )
