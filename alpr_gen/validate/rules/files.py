"""DS2xx: files and paths named by the set exist (after DeepStream's relative resolution)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from alpr_gen.configset import ConfigSet, PathRef
from alpr_gen.deepstream.catalogue import PathKind
from alpr_gen.deepstream.facts import under_install_prefix
from alpr_gen.fsutil import line_of_problem
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, rule


def _deploy_hint(cs: ConfigSet, ref: PathRef) -> str:
    """Which alpr-gen command deploys the artifact a ref names."""
    site = cs.site or "NAME"
    ocr = [g for g in cs.gies if g.is_ocr]
    ocr_configs = {g.config.rel for g in ocr if g.config is not None}
    ocr_groups = {g.group.name for g in ocr}
    if ref.key == "custom-lib-path":
        out = os.path.relpath(ref.logical.parent)
        if out.startswith(".."):
            out = ref.logical.parent.as_posix()
        return f"run `alpr-gen build-parser --out {out}`"
    if (
        ref.owner.kind == "ocr"
        or ref.owner.rel in ocr_configs
        or (ref.owner is cs.app and ref.group in ocr_groups)
    ):
        return "run `alpr-gen export-ocr` (writes the OCR model and its dictionary)"
    if ref.key in ("onnx-file", "model-engine-file", "int8-calib-file"):
        return f"run `alpr-gen export --site {site}`"
    return "deploy it before starting deepstream-app"


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
        how = _deploy_hint(cs, ref)
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
            line = line_of_problem(src.error) or 0
            yield hit(src, line, None, None, f"{src.rel} cannot be read: {src.error}")
    for ref, why in cs.bad_refs:
        yield hit(ref.owner, ref.line, ref.group, ref.key, f"{ref.key}={ref.value}: {why}")


@rule("DS206", Severity.WARNING, "library outside DeepStream's install dir missing")
def missing_system_lib(cs: ConfigSet) -> Iterator[Hit]:
    for ref in _missing(cs, PathKind.SYSTEM):
        if not under_install_prefix(ref.logical):
            yield hit(
                ref.owner,
                ref.line,
                ref.group,
                ref.key,
                f"{ref.key}={ref.value}: {ref.rel} does not exist; DeepStream's own "
                "libraries live in /opt/nvidia/deepstream/deepstream/lib/",
            )
