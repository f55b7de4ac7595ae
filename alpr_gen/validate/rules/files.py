"""DS2xx: files and paths named by the set exist (after DeepStream's relative resolution)."""

from __future__ import annotations

from collections.abc import Iterator

from alpr_gen.configset import ConfigSet, PathRef
from alpr_gen.deepstream.catalogue import PathKind
from alpr_gen.deepstream.facts import under_install_prefix
from alpr_gen.fsutil import line_of_problem
from alpr_gen.next_steps import Pending, Producer, export_command, missing, step_for
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, rule


def _missing(cs: ConfigSet, kind: PathKind) -> Iterator[PathRef]:
    for ref in cs.refs:
        if ref.kind is kind and not ref.exists:
            yield ref


def _step(cs: ConfigSet, item: Pending) -> str:
    """The step that supplies `item`: a command in backticks, or what to do."""
    step = step_for(cs, item)
    return f"`{step.text}`" if step.command else step.text


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


@rule(
    "DS202",
    Severity.INFO,
    "model, dictionary or library not deployed yet (a next step)",
    deployed=Severity.ERROR,
)
def not_deployed(cs: ConfigSet) -> Iterator[Hit]:
    producers = (Producer.EXPORT, Producer.EXPORT_OCR, Producer.BUILD_PARSER, Producer.USER)
    for item in missing(cs, *producers):
        if item.producer is Producer.USER and item.key == "uri":
            continue  # DS207
        yield hit(
            item.owner,
            item.line,
            item.group,
            item.key,
            f"{item.setting}: {item.rel} is not there yet; next step: {_step(cs, item)}",
        )


@rule("DS203", Severity.INFO, "engine missing: nvinfer builds it from the ONNX at first start")
def engine_built_at_start(cs: ConfigSet) -> Iterator[Hit]:
    export = export_command(cs)
    for item in missing(cs, Producer.NVINFER):
        onnx = item.source.name if item.source is not None else "the model"
        ahead = ""
        if item.ours and not _is_ocr(cs, item):
            ahead = f"; on a machine with TensorRT `{export}` builds it ahead"
        yield hit(
            item.owner,
            item.line,
            item.group,
            item.key,
            f"{item.rel} does not exist: nvinfer builds it from {onnx} at first start and "
            f"saves it under this name (minutes on Jetson){ahead}",
        )


def _is_ocr(cs: ConfigSet, item: Pending) -> bool:
    gie = next((g for g in cs.gies if g.config is item.owner or g.name == item.group), None)
    return gie is not None and gie.is_ocr


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


@rule(
    "DS207",
    Severity.INFO,
    "video of a file:// source missing (a next step)",
    deployed=Severity.ERROR,
)
def missing_source_video(cs: ConfigSet) -> Iterator[Hit]:
    for item in missing(cs, Producer.USER):
        if item.key == "uri":
            yield hit(
                item.owner,
                item.line,
                item.group,
                item.key,
                f"{item.rel} does not exist: deepstream-app stops at start when a file:// "
                f"source is missing; next step: {_step(cs, item)}",
            )


@rule(
    "DS208",
    Severity.INFO,
    "directory of a file sink's output-file missing (a next step)",
    deployed=Severity.ERROR,
)
def missing_output_dir(cs: ConfigSet) -> Iterator[Hit]:
    for item in missing(cs, Producer.MKDIR):
        yield hit(
            item.owner,
            item.line,
            item.group,
            item.key,
            f"directory {item.rel} does not exist: the file sink cannot open its output file "
            f"(output-file is relative to deepstream-app's working directory, the bundle for "
            f"alpr-gen run); next step: {_step(cs, item)}",
        )
