"""What a rendered set still needs before deepstream-app can start, and the steps that supply it.

A fresh render names files that later steps produce: the detector's ONNX (`export`), the OCR
model and its dictionary (`export-ocr`), the parser library (`build-parser`), the TensorRT
engines (nvinfer builds them at first start from the ONNX), the directory a file sink writes
into, and the videos `file://` sources read. They are pending, not wrong: `pending(cs)` lists
them with what produces each, and `next_steps(cs)` gives the commands to run, in order, for
this set, written so that they run as printed from the current directory.

Validate turns pending items into findings (info; errors with `--deployed`), render and
validate print the steps, and preflight requires them before a launch.
"""

from __future__ import annotations

import os
import shlex
import weakref
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from alpr_gen.configset import ConfigFile, ConfigSet, Gie, PathRef
from alpr_gen.deepstream.catalogue import PathKind
from alpr_gen.deepstream.facts import PARSER_LIBRARY, SinkType, SourceType

# The placeholder of the one value alpr-gen cannot know: which trained weights to export.
WEIGHTS_PLACEHOLDER = "YOUR_MODEL.pt"


class Producer(str, Enum):
    """Who supplies a pending file, in the order the steps run."""

    EXPORT = "export"  # the detector's ONNX (and engine / INT8 cache where TensorRT is)
    EXPORT_OCR = "export-ocr"  # the OCR model and its dictionary
    BUILD_PARSER = "build-parser"  # libnvdsinfer_alpr.so
    MKDIR = "mkdir"  # the directory a file sink writes into
    USER = "user"  # a video a file:// source reads: only the user has it
    NVINFER = "nvinfer"  # an engine nvinfer builds from an ONNX that is there (not a step)


# Producers whose items a deployed set must have (an engine nvinfer builds is not one).
REQUIRED = frozenset(p for p in Producer if p is not Producer.NVINFER)


@dataclass(frozen=True)
class Pending:
    """One file or directory the set names that is not there yet."""

    owner: ConfigFile  # the file that names it
    line: int
    group: str | None
    key: str | None
    path: Path  # where DeepStream will look
    rel: str  # as shown (relative to the set's directory when inside it)
    producer: Producer
    source: Path | None = None  # NVINFER: the ONNX the engine is built from
    value: str = ""  # the key's value as written
    ours: bool = False  # named by a GIE that uses alpr-gen's parser library

    @property
    def setting(self) -> str:
        """`key=value` as written, for messages."""
        return f"{self.key}={self.value}" if self.key and self.value else self.key or ""


@dataclass(frozen=True)
class Step:
    """One thing to do: a shell command (`command`), or a sentence for what only the user can do."""

    text: str
    command: bool
    produces: tuple[str, ...] = ()


def shown_dir(path: Path) -> str:
    """`path` as the user would type it here: relative to the current directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path.as_posix()
    return path.as_posix() if rel.startswith("..") else Path(rel).as_posix()


def bundle_arg(cs: ConfigSet) -> str:
    """The set's directory as a shell word for --config (`out/demo`, quoted when needed)."""
    return shlex.quote(shown_dir(cs.logical_root))


def pending(cs: ConfigSet) -> list[Pending]:
    """Every file or directory the enabled pipeline needs that is not there, with its producer."""
    items = [_artifact(cs, ref) for ref in cs.refs if ref.kind is PathKind.ARTIFACT]
    items += _videos(cs) + _output_dirs(cs)
    # One item per file: an engine named by the app group and its nvinfer file, or a library
    # named by both GIEs, is one thing to do (the first reference, the app config's, is kept).
    seen: set[tuple[Producer, Path]] = set()
    found = []
    for item in items:
        if item is not None and (item.producer, item.path) not in seen:
            seen.add((item.producer, item.path))
            found.append(item)
    return found


def missing(cs: ConfigSet, *producers: Producer) -> list[Pending]:
    return [p for p in pending(cs) if p.producer in producers]


def _gie_of(cs: ConfigSet, ref: PathRef) -> Gie | None:
    for gie in cs.gies:
        if gie.config is ref.owner or (ref.owner is cs.app and gie.group.name == ref.group):
            return gie
    return None


# Keys naming a model nvinfer builds an engine from at first start.
_MODEL_KEYS = ("onnx-file", "tlt-encoded-model", "uff-file", "model-file")


def _ours(gie: Gie | None) -> bool:
    """A GIE alpr-gen renders: its parser is alpr-gen's library (export / export-ocr feed it)."""
    lib = gie.path("custom-lib-path") if gie is not None else None
    return lib is not None and lib.name == PARSER_LIBRARY


def _artifact(cs: ConfigSet, ref: PathRef) -> Pending | None:
    if ref.exists:
        return None
    gie = _gie_of(cs, ref)
    if gie is not None and not gie.enabled:
        return None  # deepstream-app does not build a disabled GIE
    where = (ref.owner, ref.line, ref.group, ref.key, ref.logical, ref.rel)
    if ref.key == "custom-lib-path" and ref.logical.name == PARSER_LIBRARY:
        return Pending(*where, Producer.BUILD_PARSER, value=ref.value)
    if ref.key == "model-engine-file" and gie is not None:
        model = next((p for k in _MODEL_KEYS if (p := gie.path(k)) is not None), None)
        if model is not None:
            # nvinfer builds the engine from the model at first start (export builds it ahead
            # where TensorRT is); the model itself is the pending step when it is missing.
            return Pending(*where, Producer.NVINFER, source=model, value=ref.value, ours=_ours(gie))
    if ref.owner.kind == "ocr" or (
        _ours(gie) and ref.key in ("onnx-file", "model-engine-file", "int8-calib-file")
    ):
        ocr = ref.owner.kind == "ocr" or (gie is not None and gie.is_ocr)
        return Pending(*where, Producer.EXPORT_OCR if ocr else Producer.EXPORT, value=ref.value)
    # Anything else (TLS files, other models, someone else's libraries): only the user has it.
    return Pending(*where, Producer.USER, value=ref.value)


def _videos(cs: ConfigSet) -> list[Pending]:
    seen: set[Path] = set()
    out = []
    for src in cs.sources:
        path = src.local_file
        if path is None:
            continue
        # A MultiURI source reads uri with %d replaced by 0 .. num-sources-1.
        many = src.type == SourceType.MULTI_URI and "%d" in path.name
        paths = [Path(str(path).replace("%d", str(i))) for i in range(src.num_sources)]
        for video in paths if many else [path]:
            if video in seen or video.exists():
                continue
            seen.add(video)
            line = _uri_line(cs, src.group)
            out.append(
                Pending(cs.app, line, src.group, "uri", video, _rel(cs, video), Producer.USER)
            )
    return out


def _output_dirs(cs: ConfigSet) -> list[Pending]:
    seen: set[Path] = set()
    out = []
    for sink in cs.sinks:
        if sink.type != SinkType.FILE or sink.output_file is None:
            continue
        folder = sink.output_file.parent
        if folder in seen or folder.is_dir():
            continue
        seen.add(folder)
        group = cs.app_group(sink.group)
        entry = group.entries.get("output-file") if group else None
        line = entry.line if entry else sink.line
        out.append(
            Pending(
                cs.app, line, sink.group, "output-file", folder, _rel(cs, folder), Producer.MKDIR
            )
        )
    return out


def _uri_line(cs: ConfigSet, group_name: str) -> int:
    group = cs.app_group(group_name)
    if group is None:
        return 0
    entry = group.entries.get("uri")
    return entry.line if entry else group.line


def _rel(cs: ConfigSet, path: Path) -> str:
    try:
        return path.relative_to(cs.logical_root).as_posix()
    except ValueError:
        return path.as_posix()


def _shown(cs: ConfigSet, path: Path) -> str:
    """A path of the set as the user reaches it from here (for commands such as mkdir)."""
    return shlex.quote(shown_dir(path))


def render_command(site: str | None, bundle: Path) -> str | None:
    """`alpr-gen render` for the bundle at `bundle`, when its site (manifest.json) names a
    profile `--site` finds (a shipped one); None when it came from a profile file elsewhere,
    which only the user knows."""
    from alpr_gen.deepstream.layout import default_bundle_dir
    from alpr_gen.errors import AlprGenError
    from alpr_gen.profile import resolve_profile_path

    if not site:
        return None
    try:
        resolve_profile_path(site)
    except AlprGenError:
        return None
    command = f"alpr-gen render --site {shlex.quote(site)}"
    if Path(os.path.abspath(bundle)) != Path(os.path.abspath(default_bundle_dir(site))):
        command += f" --out {shlex.quote(shown_dir(bundle))}"
    if _edited(bundle):
        command += " --force"  # render keeps hand-edited files unless asked to overwrite them
    return command


def _edited(bundle: Path) -> bool:
    """True when a file the last render wrote was edited since (render then needs --force)."""
    from alpr_gen.errors import AlprGenError
    from alpr_gen.outdir import OutDir
    from alpr_gen.ownership import read_state

    try:
        with OutDir.open(bundle, create=False, exclusive=False, timeout=5) as out:
            state = read_state(out, set())
    except (OSError, AlprGenError):
        return False
    if state.manifest is None:
        return False
    present = [n for n, e in state.entries.items() if e.kind != "missing"]
    return any(not state.is_ours(name) for name in present)


def render_advice(site: str | None, bundle: Path) -> str:
    """What to run (in backticks) or do to render the bundle again from its profile."""
    command = render_command(site, bundle)
    if command is not None:
        return f"`{command}`"
    # The profile came from a file only the user knows: say what to run, with that gap named.
    out = shlex.quote(shown_dir(bundle))
    return f"render it from its profile file: alpr-gen render --site <profile .yaml> --out {out}"


def export_command(cs: ConfigSet) -> str:
    """The detector export for this set (the weights are the user's: a placeholder)."""
    return f"alpr-gen export --config {bundle_arg(cs)} --weights {WEIGHTS_PLACEHOLDER}"


def next_steps(cs: ConfigSet, *, include_run: bool = True) -> list[Step]:
    """The steps that complete the set, in order, then validate --deployed and run."""
    items = pending(cs)
    config = bundle_arg(cs)

    def produced(producer: Producer) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.rel for p in items if p.producer is producer))

    steps: list[Step] = []
    if made := produced(Producer.EXPORT):
        steps.append(Step(export_command(cs), True, made))
    if made := produced(Producer.EXPORT_OCR):
        steps.append(Step(f"alpr-gen export-ocr --config {config}", True, made))
    if made := produced(Producer.BUILD_PARSER):
        steps.append(Step(f"alpr-gen build-parser --config {config}", True, made))
    dirs = [p for p in items if p.producer is Producer.MKDIR]
    if dirs:
        folders = " ".join(_shown(cs, p.path) for p in dirs)
        steps.append(Step(f"mkdir -p {folders}", True, tuple(p.rel for p in dirs)))
    for item in (p for p in items if p.producer is Producer.USER):
        what = (
            f"the video [{item.group}] reads"
            if item.key == "uri"
            else f"the file {item.key} names ({item.owner.rel}:{item.line})"
        )
        steps.append(Step(f"put {what} at {shown_dir(item.path)}", False, (item.rel,)))
    if include_run:
        steps.append(Step(f"alpr-gen validate --deployed {config}", True))
        steps.append(Step(f"alpr-gen run --config {config}", True))
    return steps


# The steps of a loaded set, worked out once for all the findings that name one (dropped with
# the set).
_STEPS: weakref.WeakKeyDictionary[ConfigSet, list[Step]] = weakref.WeakKeyDictionary()


def step_for(cs: ConfigSet, item: Pending) -> Step:
    """The step that supplies one pending item."""
    steps = _STEPS.get(cs)
    if steps is None:
        _STEPS[cs] = steps = next_steps(cs, include_run=False)
    for step in steps:
        if item.rel in step.produces:
            return step
    return Step(f"put {item.rel} in place before deepstream-app starts", False, (item.rel,))
