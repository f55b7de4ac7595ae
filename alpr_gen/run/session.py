"""`alpr-gen run` as library steps: the config set -> preflight -> a backend -> its run.

The command prints between the steps; nothing here prints. `open_set` reads the set (rendering a
site first), `prepare` runs preflight and builds the backend, `refuse_unless_ready` decides
whether to launch, and `launch` runs the backend with signals forwarded to it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from alpr_gen.configset import ConfigSet
from alpr_gen.errors import LaunchError
from alpr_gen.next_steps import bundle_arg, render_advice
from alpr_gen.redact import mask_uri
from alpr_gen.run.backend import Backend, Emit, forward_signals
from alpr_gen.run.deepstream_app.backend import DeepStreamAppBackend
from alpr_gen.run.deepstream_app.command import LaunchSpec, docker_command, native_command
from alpr_gen.run.deepstream_app.supervisor import RESTART_POLICIES
from alpr_gen.run.preflight import (
    Check,
    Environment,
    PreflightContext,
    PreflightResult,
    run_preflight,
)
from alpr_gen.run.preflight.model import ParserBuilder
from alpr_gen.run.preflight.system import GET_DEEPSTREAM

if TYPE_CHECKING:
    from alpr_gen.writer import RenderOutcome


@dataclass
class RunOptions:
    site: str | None = None
    config: Path | None = None
    out: Path | None = None  # where --site renders (default out/<site>)
    deepstream_app: str | None = None
    docker_image: str | None = None
    dry_run: bool = False
    verbose: int = 0
    restart: str = "no"
    max_restarts: int = 5
    backoff: float = 2.0
    backoff_max: float = 60.0
    stop_timeout: float = 15.0
    force: bool = False
    build_parser: bool = True
    env: Environment = field(default_factory=Environment)
    backend: str = "auto"  # auto | deepstream-app | preview
    events: Path | None = None  # preview: payloads to this JSONL file instead of the broker
    frames: int | None = None  # preview: stop once every stream gave this many frames


BACKENDS = ("auto", "deepstream-app", "preview")
# Preflight rows about DeepStream itself: not needed by the preview backend.
_DEEPSTREAM_CHECKS = ("deepstream-app", "docker", "DeepStream version", "GPU", "broker adaptor")


@dataclass(frozen=True)
class OpenedSet:
    cs: ConfigSet
    rendered: RenderOutcome | None  # what --site wrote


@dataclass(frozen=True)
class Prepared:
    cs: ConfigSet
    preflight: PreflightResult
    backend: Backend
    notice: str | None = None  # why this backend (auto chose the preview backend)


def open_set(opts: RunOptions) -> OpenedSet:
    """The set to run: --config DIR read as it is, or --site NAME rendered into its bundle
    first (render validates the staged set and refuses errors unless --force)."""
    from alpr_gen.configset import load

    if opts.restart not in RESTART_POLICIES:
        raise LaunchError(f"--restart {opts.restart}: use one of {', '.join(RESTART_POLICIES)}")
    if opts.backend not in BACKENDS:
        raise LaunchError(f"--backend {opts.backend}: use one of {', '.join(BACKENDS)}")
    if (opts.site is None) == (opts.config is None):
        raise LaunchError(
            "give exactly one of --site NAME or --config DIR",
            hint="--site renders the profile first; --config runs an existing set",
        )
    if opts.config is not None:
        return OpenedSet(load(opts.config.expanduser()), None)
    from alpr_gen.writer import render_to_dir

    assert opts.site is not None  # checked above
    outcome = render_to_dir(opts.site, opts.out, force=opts.force)
    return OpenedSet(load(outcome.out_dir), outcome)


def prepare(opened: OpenedSet, opts: RunOptions) -> Prepared:
    """Preflight (validate's findings included) and the backend that would run the set."""
    from functools import partial

    from alpr_gen.validate import lint

    cs = opened.cs
    ctx = PreflightContext(
        cs,
        opts.env,
        deepstream_app=opts.deepstream_app,
        docker_image=opts.docker_image,
        build_parser=None if opts.dry_run or not opts.build_parser else _builder(cs.deepstream),
        lint=partial(lint, deployed=True),  # the set is about to start: nothing may be pending
        platform=cs.platform,
    )
    result = run_preflight(ctx)
    # auto: deepstream-app where it is installed, or where --deepstream-app/--docker ask for it.
    asked = opts.docker_image is not None or opts.deepstream_app is not None
    have_app = asked or result.deepstream_app is not None
    if opts.backend == "preview" or (opts.backend == "auto" and not have_app):
        return _prepare_preview(cs, opts, result)
    if opts.docker_image is None and result.deepstream_app is None and not opts.dry_run:
        raise LaunchError(
            "deepstream-app is not installed here (not on PATH"
            + (f", and {opts.deepstream_app!r} does not exist" if opts.deepstream_app else "")
            + ")",
            hint=GET_DEEPSTREAM.format(ver=cs.deepstream, bundle=bundle_arg(cs)),
        )
    spec = launch_spec(cs, opts, result.deepstream_app)
    backend = DeepStreamAppBackend(
        spec,
        hint_context={"bundle": bundle_arg(cs), "render": render_advice(cs.site, cs.logical_root)},
        restart=opts.restart,
        max_restarts=opts.max_restarts,
        backoff=opts.backoff,
        backoff_max=opts.backoff_max,
        stop_timeout=opts.stop_timeout,
    )
    return Prepared(cs, result, backend)


def _prepare_preview(cs: ConfigSet, opts: RunOptions, result: PreflightResult) -> Prepared:
    """The preview backend: DeepStream's own checks do not apply to it (shown as skipped)."""
    from alpr_gen.preview.backend import PreviewBackend, PreviewOptions
    from alpr_gen.run.preflight import SKIP

    checks = [
        Check(c.name, SKIP, f"{c.detail} (not needed by the preview backend)")
        if c.name.startswith(_DEEPSTREAM_CHECKS) or _about_engine(c)
        else c
        for c in result.checks
    ]
    notice = None
    if opts.backend == "auto":
        notice = (
            "deepstream-app is not installed here: running the preview backend "
            "(--backend deepstream-app to insist on DeepStream)"
        )
    backend = PreviewBackend(cs, PreviewOptions(events=opts.events, max_frames=opts.frames))
    return Prepared(cs, PreflightResult(checks, None, result.report), backend, notice)


def _about_engine(check: Check) -> bool:
    """A finding about a TensorRT engine file (the preview backend runs the ONNX model)."""
    return check.name.startswith("config DS") and ".engine" in check.detail


def refuse_unless_ready(prepared: Prepared, opts: RunOptions) -> None:
    """Launch only a set without validation errors on a machine whose checks passed."""
    if opts.force:
        return
    report = prepared.preflight.report
    # The parser library has its own check (which builds it): its finding is not counted twice.
    errors = [f for f in report.errors if f.key != "custom-lib-path"] if report else []
    if prepared.backend.name == "preview":
        errors = [f for f in errors if ".engine" not in f.message]  # it runs the ONNX model
    if errors:
        raise LaunchError(
            f"{prepared.cs.app.rel}: {len(errors)} validation error(s)",
            hint="fix them (see above), or pass --force to launch anyway",
        )
    bad = [c for c in prepared.preflight.failed if c.name != "deepstream-app"]
    if bad:
        raise LaunchError(
            "preflight failed: " + "; ".join(f"{c.name}: {c.detail}" for c in bad),
            hint="fix the failed checks above (each has a hint), or pass --force to launch anyway",
        )


def launch(prepared: Prepared, emit: Emit) -> int:
    """Run the backend to its end, with SIGINT/SIGTERM/SIGHUP forwarded as a stop request."""
    with forward_signals(prepared.backend):
        return prepared.backend.run(emit)


def launch_spec(cs: ConfigSet, opts: RunOptions, found: str | None) -> LaunchSpec:
    if opts.docker_image:
        return docker_command(
            cs,
            opts.docker_image,
            verbose=opts.verbose,
            display=os.environ.get("DISPLAY"),
            docker=opts.env.which("docker") or "docker",
        )
    return native_command(
        cs,
        found or opts.deepstream_app or "deepstream-app",
        verbose=opts.verbose,
        stdbuf=opts.env.which("stdbuf"),
    )


def stream_names(cs: ConfigSet) -> dict[int, str]:
    """Stream index -> the camera's id and name (msgconv's [sensorN] id and description, as
    alpr-gen renders them from the profile), else what feeds it (URIs with credentials masked),
    in deepstream-app's order: [sourceN] groups by N, a type-3 group expanding into num-sources
    streams."""
    sensors = _sensors(cs)
    names: dict[int, str] = {}
    for src in cs.sources:
        for _ in range(src.streams):
            index = len(names)
            camera = sensors.get(index)
            names[index] = camera or f"{src.group} {mask_uri(src.uri)}".strip()
    return names


def _sensors(cs: ConfigSet) -> dict[int, str]:
    """[sensorN] of the set's msgconv config, or of the msgconv.txt render wrote into the bundle
    (listed in manifest.json) when no sink uses one: N -> "id: description"."""
    from alpr_gen.configset.files import FileKind, read_config_file
    from alpr_gen.deepstream.layout import MSGCONV_CONFIG

    msgconv = next(iter(cs.msgconv_files.values()), None)
    if msgconv is None and cs.manifest is not None and MSGCONV_CONFIG in cs.manifest.files:
        path = cs.root / MSGCONV_CONFIG
        msgconv = read_config_file(FileKind.MSGCONV, MSGCONV_CONFIG, path, path)
    if msgconv is None or msgconv.keyfile is None:
        return {}
    out: dict[int, str] = {}
    for group in msgconv.keyfile.groups_with_prefix("sensor"):
        index = group.name.removeprefix("sensor")
        sensor_id = group.get("id")
        if not index.isdigit() or not sensor_id:
            continue
        description = group.get("description") or ""
        out[int(index)] = f"{sensor_id}: {description}" if description else sensor_id
    return out


def _builder(deepstream: str) -> ParserBuilder:
    """Builds alpr-gen's parser library for the set's DeepStream (its object layout)."""

    def build(lib: Path) -> str | None:
        from alpr_gen.deepstream.facts import PARSER_LIBRARY
        from alpr_gen.errors import AlprGenError
        from alpr_gen.parser_build import build_parser

        if lib.name != PARSER_LIBRARY:
            return f"not alpr-gen's parser ({PARSER_LIBRARY}); build it with its own instructions"
        try:
            build_parser(lib.parent, deepstream=deepstream)
        except AlprGenError as exc:
            return exc.message.splitlines()[0]
        return None

    return build
